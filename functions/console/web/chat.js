// Live chat panes over the chat WebSocket: the conversation's lines, the
// visitor's presence (green on the site, red gone), typing in both
// directions, the visitor's read mark ("Seen") on the operator's lines,
// take, close and unclose (with confirmation), snooze and transfer (see
// snooze.js), and a composer with canned messages. History comes from the
// REST API; new lines from the socket.

import {api} from './api.js';
import {h, clear, dot, when, newID} from './dom.js';
import {confirmDialog, toast} from './dialog.js';
import {notify} from './notify.js';
import {cannedButton} from './canned.js';
import {snoozeDialog, transferDialog, handlingNote} from './snooze.js';

const TYPING_IDLE_MS = 4000;

export class Chats {
  constructor(app) {
    this.app = app;
    this.convs = new Map(); // id → {conv, lines: Map(seq → line), unread, typing, read}
    this.current = null;
    this.pane = null;
  }

  state(id) {
    if (!this.convs.has(id)) this.convs.set(id, {conv: null, lines: new Map(), unread: 0, typing: false, read: 0});
    return this.convs.get(id);
  }

  unread(id) { return this.convs.has(id) ? this.convs.get(id).unread : 0; }

  attach(live) {
    this.live = live;
    live.on('hello', f => {
      for (const c of f.conversations || []) this.state(c.id).read = c.read || 0;
    });
    live.on('message', f => this.onMessage(f.conversation, f.message));
    live.on('typing', f => {
      if (f.author === 'operator') return;
      const s = this.state(f.conversation);
      s.typing = !!f.typing;
      clearTimeout(s.typingTimer);
      if (s.typing) s.typingTimer = setTimeout(() => { s.typing = false; this.redrawTyping(f.conversation); }, 8000);
      this.redrawTyping(f.conversation);
    });
    live.on('read', f => {
      const s = this.state(f.conversation);
      s.read = Math.max(s.read, f.seq || 0);
      if (this.current === f.conversation) this.drawLines();
    });
    live.on('visitor', f => {
      const s = this.state(f.conversation);
      if (s.conv) s.conv.online = !!f.online;
      if (this.current === f.conversation) this.drawHead();
    });
    for (const t of ['conversation', 'assigned', 'queued']) {
      live.on(t, f => {
        const c = f.conversation;
        if (!c || !c.id) return;
        if (t === 'assigned' && f.transfer) {
          const x = f.transfer;
          notify('Chat transferred to you by ' + ((x.from && x.from.name) || 'an operator'), x.comment || (c.visitor && c.visitor.name) || 'A visitor',
            () => this.app.navigate('#/chat/' + c.id));
        } else if (t === 'assigned') notify('Chat assigned to you', (c.visitor && c.visitor.name) || 'A visitor', () => this.app.navigate('#/chat/' + c.id));
        if (this.current === c.id) this.reloadHead();
      });
    }
  }

  onMessage(conv, m) {
    if (!m) return;
    const s = this.state(conv);
    if (s.lines.has(m.seq)) return;
    s.lines.set(m.seq, {seq: m.seq, author: m.author, name: m.author === 'operator' ? (m.operator && m.operator.name) : (s.conv && s.conv.visitor_name), text: m.text, at: m.ts, client_id: m.client_id});
    if (m.author === 'visitor') {
      s.typing = false;
      if (this.current !== conv || document.hidden) {
        s.unread++;
        notify('New chat message', m.text, () => this.app.navigate('#/chat/' + conv));
        this.app.summary.draw();
      }
    }
    if (this.current === conv) this.drawLines(true);
  }

  /** show opens a conversation's pane in main. */
  async show(main, id) {
    const [c, hist] = await Promise.all([api('GET', `conversations/${encodeURIComponent(id)}/detail`), api('GET', `conversations/${encodeURIComponent(id)}/messages?limit=100`)]);
    const s = this.state(id);
    s.conv = c.conversation;
    s.detail = c;
    s.read = Math.max(s.read, s.conv.visitor_read || 0);
    s.unread = 0;
    for (const m of hist.messages) s.lines.set(m.seq, m);
    this.current = id;
    this.app.summary.draw();
    this.head = h('div', {class: 'chat-head'});
    this.list = h('ol', {class: 'chat-lines', 'aria-live': 'polite', 'aria-label': 'Conversation'});
    this.typingEl = h('p', {class: 'typing', 'aria-live': 'polite'});
    const input = h('textarea', {id: 'chat-input', name: 'text', rows: 3, maxlength: 4096, placeholder: 'Write a reply… (Enter sends, Shift+Enter for a new line)', 'aria-label': 'Reply'});
    const send = h('button', {type: 'submit', class: 'primary'}, 'Send');
    const form = h('form', {class: 'composer'}, input,
      h('div', {class: 'composer-actions'}, cannedButton(this.app, text => insertAt(input, text)), send));
    form.addEventListener('submit', ev => { ev.preventDefault(); this.sendLine(id, input); });
    input.addEventListener('keydown', ev => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); this.sendLine(id, input); }
    });
    input.addEventListener('input', () => this.typing(id, input.value !== ''));
    this.pane = h('section', {class: 'chat-pane card', 'aria-label': 'Chat'}, this.head, this.list, this.typingEl, form);
    clear(main, this.pane);
    this.drawHead();
    this.drawLines(true);
    this.redrawTyping(id);
    const leave = () => {
      if (location.hash !== '#/chat/' + id) {
        this.typing(id, false);
        this.current = null;
        window.removeEventListener('hashchange', leave);
      }
    };
    window.addEventListener('hashchange', leave);
  }

  async reloadHead() {
    try {
      const c = await api('GET', `conversations/${encodeURIComponent(this.current)}/detail`);
      this.state(this.current).conv = c.conversation;
      this.state(this.current).detail = c;
      this.drawHead();
    } catch (e) { /* keep what is shown */ }
  }

  drawHead() {
    const s = this.state(this.current);
    const c = s.conv;
    if (!c || !this.head) return;
    const mine = c.status === 'assigned' && c.operator === this.app.me.id;
    const phase = {assigned: mine ? 'Yours' : 'With ' + (c.operator_name || 'an operator'), waiting: 'Waiting', offline: 'Offline', closed: 'Closed', snoozed: 'Snoozed'}[c.phase] || c.phase;
    const actions = [];
    if (c.phase === 'waiting' || c.phase === 'offline') actions.push(h('button', {type: 'button', class: 'primary', onclick: () => this.act('take', c.id)}, 'Take'));
    if (mine) actions.push(h('button', {type: 'button', onclick: () => this.act('close', c.id)}, 'Close'));
    if (c.phase === 'closed') actions.push(h('button', {type: 'button', onclick: () => this.act('unclose', c.id)}, 'Unclose'));
    if (mine && s.detail && s.detail.transfer) actions.push(h('button', {type: 'button', class: 'primary', onclick: () => this.act('accept', c.id)}, 'Accept'));
    if (mine) actions.push(h('button', {type: 'button', onclick: () => this.act('snooze', c.id)}, 'Snooze'));
    if (mine) actions.push(h('button', {type: 'button', onclick: () => this.act('transfer', c.id)}, 'Transfer'));
    if (c.phase === 'snoozed') actions.push(h('button', {type: 'button', class: 'primary', onclick: () => this.act('unsnooze', c.id)}, 'Unsnooze'));
    actions.push(h('a', {class: 'button ghost', href: '#/visitor/' + encodeURIComponent(c.visitor)}, 'Profile'));
    clear(this.head,
      h('div', {class: 'chat-title'}, dot(c.online), h('h1', {}, c.visitor_name || 'Visitor'),
        h('span', {class: 'badge phase-' + c.phase}, phase), h('span', {class: 'muted presence-text'}, c.online ? 'On the site now' : 'Gone')),
      h('div', {class: 'chat-actions'}, actions),
      handlingNote(s.detail, this.app.me.id));
  }

  drawLines(scroll) {
    const s = this.state(this.current);
    const lines = [...s.lines.values()].sort((a, b) => a.seq - b.seq);
    const lastOp = [...lines].reverse().find(l => l.author === 'operator');
    clear(this.list, lines.map(l => {
      const name = l.author === 'visitor' ? (s.conv && s.conv.visitor_name) || 'Visitor' : l.name || (l.operator && l.operator.name) || 'Operator';
      const li = h('li', {class: 'bubble ' + l.author},
        l.author === 'system' ? null : h('span', {class: 'bubble-who'}, name),
        h('span', {class: 'bubble-text'}, l.text),
        h('time', {class: 'bubble-time'}, when(l.at || l.ts)));
      if (lastOp && l.seq === lastOp.seq) li.append(h('span', {class: 'read-state'}, s.read >= l.seq ? 'Seen' : 'Delivered'));
      return li;
    }));
    if (!lines.length) this.list.append(h('li', {class: 'muted'}, 'No messages yet.'));
    if (scroll) this.list.scrollTop = this.list.scrollHeight;
  }

  redrawTyping(id) {
    if (this.current !== id || !this.typingEl) return;
    const s = this.state(id);
    this.typingEl.textContent = s.typing ? `${(s.conv && s.conv.visitor_name) || 'The visitor'} is typing…` : '';
  }

  typing(id, on) {
    const s = this.state(id);
    clearTimeout(s.idle);
    if (on) s.idle = setTimeout(() => this.typing(id, false), TYPING_IDLE_MS);
    if (s.sentTyping === on) return;
    s.sentTyping = on;
    this.live.send({action: 'typing', conversation: id, typing: on});
  }

  async sendLine(id, input) {
    const text = input.value.trim();
    if (!text) return;
    const cid = newID();
    input.value = '';
    this.typing(id, false);
    try {
      const ack = await this.live.request({action: 'send', conversation: id, client_id: cid, text});
      const s = this.state(id);
      if (ack.seq && !s.lines.has(ack.seq)) s.lines.set(ack.seq, {seq: ack.seq, author: 'operator', name: this.app.me.name, text, at: ack.ts || Date.now()});
      this.drawLines(true);
    } catch (e) {
      input.value = text;
      toast(e.message || 'The message was not sent.', 'error');
    }
  }

  async act(action, id) {
    if (action === 'unclose' && !await confirmDialog({title: 'Unclose this conversation?', message: 'It comes back to you as an open chat.', yes: 'Unclose'})) return;
    if (action === 'unsnooze' && !await confirmDialog({title: 'End the snooze?', message: 'The conversation comes back to you now.', yes: 'Unsnooze'})) return;
    try {
      if (action === 'snooze' || action === 'transfer') {
        if (!await (action === 'snooze' ? snoozeDialog : transferDialog)(this.app, id)) return;
      } else {
        await this.live.request({action, conversation: id});
      }
      await this.reloadHead();
      this.app.summary.soon();
    } catch (e) {
      toast(e.message || 'That did not work.', 'error');
    }
  }
}

/** insertAt puts text at the caret of a text field. */
export function insertAt(input, text) {
  const start = input.selectionStart ?? input.value.length, end = input.selectionEnd ?? input.value.length;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  input.selectionStart = input.selectionEnd = start + text.length;
  input.focus();
  input.dispatchEvent(new Event('input'));
}
