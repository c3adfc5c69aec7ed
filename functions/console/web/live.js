// The operator's WebSocket to the chat (see functions/chat/PROTOCOL.md):
// connect with the session token, say hello, send a heartbeat with the
// chosen presence every 20 seconds, reconnect with backoff, and hand every
// server frame to listeners by type.

import {newID} from './dom.js';

const HEARTBEAT_MS = 20000;

export class Live {
  constructor(url, token) {
    this.url = url;
    this.token = token;
    this.state = 'online';
    this.listeners = {};
    this.pending = new Map();
    this.ws = null;
    this.timer = null;
    this.retry = 0;
    this.closed = false;
    this.connected = false;
  }

  /** on registers fn for frames of a type ('*' for all, 'status' for connection changes). */
  on(type, fn) {
    (this.listeners[type] = this.listeners[type] || []).push(fn);
  }

  emit(type, frame) {
    for (const fn of this.listeners[type] || []) fn(frame);
    for (const fn of this.listeners['*'] || []) fn(frame);
  }

  start() {
    if (!this.url) {
      this.emit('status', {type: 'status', connected: false, reason: 'No chat address is configured.'});
      return;
    }
    const sep = this.url.includes('?') ? '&' : '?';
    const ws = new WebSocket(this.url + sep + 'role=operator&token=' + encodeURIComponent(this.token));
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.connected = true;
      this.emit('status', {type: 'status', connected: true});
      this.request({action: 'hello'});
      this.heartbeat();
      clearInterval(this.timer);
      this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    };
    ws.onmessage = ev => {
      let f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (!f || typeof f.type !== 'string') return;
      if (f.re && this.pending.has(f.re)) {
        const p = this.pending.get(f.re);
        this.pending.delete(f.re);
        if (f.type === 'error') p.reject(f); else p.resolve(f);
      }
      this.emit(f.type, f);
    };
    ws.onclose = () => {
      clearInterval(this.timer);
      this.connected = false;
      for (const p of this.pending.values()) p.reject({code: 'network', message: 'The connection closed.'});
      this.pending.clear();
      this.emit('status', {type: 'status', connected: false});
      if (this.closed) return;
      const wait = Math.min(30000, 1000 * 2 ** this.retry++) * (0.5 + Math.random() / 2);
      setTimeout(() => { if (!this.closed) this.start(); }, wait);
    };
  }

  /** setPresence changes the operator's state and tells the server at once. */
  setPresence(state) {
    this.state = state;
    this.heartbeat();
  }

  heartbeat() {
    this.send({action: 'heartbeat', state: this.state});
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** request sends a frame with an id and resolves with the reply (or rejects with the error frame). */
  request(frame, timeoutMs = 10000) {
    const id = newID();
    return new Promise((resolve, reject) => {
      if (!this.send({...frame, id})) {
        reject({code: 'network', message: 'Not connected to the chat; retrying.'});
        return;
      }
      this.pending.set(id, {resolve, reject});
      setTimeout(() => {
        if (this.pending.has(id)) {
          this.pending.delete(id);
          reject({code: 'timeout', message: 'The chat did not answer in time.'});
        }
      }, timeoutMs);
    });
  }

  stop() {
    this.closed = true;
    clearInterval(this.timer);
    if (this.ws) {
      this.send({action: 'heartbeat', state: 'offline'});
      this.ws.close();
    }
  }
}
