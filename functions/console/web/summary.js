// The Communication Summary (sidebar): queue counts — waiting chats and
// MSG, the unanswered visitor messages — and the chats an operator can
// open, each with its visitor's presence (green on the site, red gone),
// and the snoozed ones with when they wake.
// Also the Message Queue view: every visitor message in one stream.

import {api, qs} from './api.js';
import {h, clear, dot, when} from './dom.js';
import {renderItem} from './items.js';
import {notify, setAttention} from './notify.js';
import {toast} from './dialog.js';

const REFRESH_MS = 15000;

export class Summary {
  constructor(app, root) {
    this.app = app;
    this.root = root;
    this.data = {waiting: [], offline: [], mine: [], msg: 0, snoozed: []};
    this.known = null; // ids of waiting chats already notified
    this.lastMsg = null;
    this.queueView = null;
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.draw();
    this.refresh();
  }

  /** attach refreshes the summary when the chat reports a change. */
  attach(live) {
    for (const t of ['queued', 'assigned', 'conversation', 'visitor', 'hello']) live.on(t, () => this.soon());
  }

  soon() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.refresh(), 300);
  }

  async refresh() {
    let data;
    try {
      const [queue, snoozed] = await Promise.all([api('GET', 'queue'), api('GET', 'snoozed').catch(() => ({snoozed: []}))]);
      data = {...queue, snoozed: snoozed.snoozed || []};
    } catch (e) {
      return; // shown by the connection status; try again on the next tick
    }
    const waitingIDs = new Set(data.waiting.map(c => c.id));
    if (this.known) {
      for (const c of data.waiting) {
        if (!this.known.has(c.id)) notify('New chat waiting', (c.visitor_name || 'A visitor') + ' wants to chat.', () => this.app.navigate('#/chat/' + c.id));
      }
      if (this.lastMsg !== null && data.msg > this.lastMsg) notify('New message', 'A visitor left a message.', () => this.app.navigate('#/messages'));
    }
    this.known = waitingIDs;
    this.lastMsg = data.msg;
    this.data = data;
    setAttention(data.waiting.length);
    this.draw();
    if (this.queueView && document.contains(this.queueView.list) && this.queueView.msg !== data.msg) this.queueView.reload();
  }

  /** setMSG updates the MSG count after a close or unclose. */
  setMSG(n) {
    if (typeof n !== 'number') return;
    this.data.msg = n;
    this.lastMsg = n;
    this.draw();
  }

  highlight(hash) {
    this.current = hash;
    for (const a of this.root.querySelectorAll('a[href]')) a.toggleAttribute('aria-current', a.getAttribute('href') === hash);
  }

  draw() {
    const d = this.data;
    const count = (label, n, href, cls) => h('li', {class: 'count-row ' + (cls || '')},
      href ? h('a', {href, class: 'count-link'}, h('span', {class: 'count-label'}, label), h('span', {class: 'count', 'data-count': label}, String(n)))
        : h('span', {class: 'count-link'}, h('span', {class: 'count-label'}, label), h('span', {class: 'count', 'data-count': label}, String(n))));
    const chats = [...d.mine.map(c => [c, 'mine']), ...d.waiting.map(c => [c, 'waiting']), ...d.offline.slice(0, 20).map(c => [c, 'offline']),
      ...d.snoozed.slice(0, 20).map(x => [x.conversation, 'snoozed', x.snooze])];
    clear(this.root,
      h('section', {class: 'panel summary', 'aria-labelledby': 'summary-title'},
        h('h2', {id: 'summary-title'}, 'Communication Summary'),
        h('h3', {}, 'Queues'),
        h('ul', {class: 'counts'},
          count('Waiting chats', d.waiting.length, d.waiting.length ? '#/chat/' + d.waiting[0].id : '', d.waiting.length ? 'hot' : ''),
          count('MSG', d.msg, '#/messages?unanswered', d.msg ? 'hot' : ''),
          count('My chats', d.mine.length, d.mine.length ? '#/chat/' + d.mine[0].id : ''),
          count('Offline', d.offline.length, ''),
          count('Snoozed', d.snoozed.length, d.snoozed.length ? '#/chat/' + d.snoozed[0].conversation.id : ''))),
      h('section', {class: 'panel chats', 'aria-labelledby': 'chats-title'},
        h('h2', {id: 'chats-title'}, 'Chats'),
        chats.length ? h('ul', {class: 'chat-list'}, chats.map(([c, kind, snooze]) => this.chatRow(c, kind, snooze)))
          : h('p', {class: 'muted'}, 'No chats right now.')));
    if (this.current) this.highlight(this.current);
  }

  chatRow(c, kind, snooze) {
    const unread = this.app.chats ? this.app.chats.unread(c.id) : 0;
    const state = {mine: 'Mine', waiting: 'Waiting', offline: 'Offline'}[kind] || 'Until ' + when(snooze && snooze.until);
    return h('li', {class: 'chat-row ' + kind},
      h('a', {href: '#/chat/' + c.id},
        dot(c.online),
        h('span', {class: 'chat-name'}, c.visitor_name || 'Visitor'),
        h('span', {class: 'chat-state'}, state),
        unread ? h('span', {class: 'unread', 'aria-label': unread + ' unread'}, String(unread)) : null));
  }

  /** showQueue renders the Message Queue into main. */
  async showQueue(main, unanswered) {
    const list = h('div', {class: 'items', 'aria-live': 'polite'});
    const only = h('input', {type: 'checkbox', id: 'only-unanswered', checked: unanswered});
    const more = h('button', {type: 'button', class: 'ghost', hidden: true}, 'Older messages');
    const view = {list, msg: null, after: ''};
    view.reload = async (append) => {
      const res = await api('GET', 'messages' + qs({unanswered: only.checked, after: append ? view.after : ''}));
      view.msg = res.msg;
      view.after = res.next;
      this.setMSG(res.msg);
      const opts = {showVisitor: true, onChanged: (item, msg) => this.setMSG(msg)};
      const els = res.items.map(it => renderItem(it, opts));
      if (append) list.append(...els);
      else clear(list, els.length ? els : h('p', {class: 'empty-note'}, only.checked ? 'No unanswered messages. Well done!' : 'No messages yet.'));
      more.hidden = !res.next;
    };
    only.addEventListener('change', () => this.app.navigate(only.checked ? '#/messages?unanswered' : '#/messages'));
    more.addEventListener('click', () => view.reload(true).catch(e => toast(e.message, 'error')));
    this.queueView = view;
    clear(main,
      h('div', {class: 'view-head'},
        h('h1', {}, 'Message Queue'),
        h('label', {class: 'toggle', for: 'only-unanswered'}, only, ' Unanswered only')),
      h('p', {class: 'muted intro'}, 'Every message visitors left, newest first. Open the visitor to reply; tick the box when a message is answered.'),
      list, more);
    await view.reload(false);
  }
}

