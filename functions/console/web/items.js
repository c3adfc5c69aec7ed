// Rendering of Message board items, shared by the Message Queue and the
// Visitor's Profile: visitor messages, replies, private notes, chat
// transcripts and call records. Unanswered items have a blue header,
// closed ones a grey one; the header check box closes an item, and
// clearing it asks for confirmation before unclosing.

import {api} from './api.js';
import {h, when, duration, dot} from './dom.js';
import {confirmDialog, toast} from './dialog.js';

const SHORT_LINES = 5;

const kindLabel = {message: 'Message', reply: 'Reply', note: 'Note', chat: 'Chat', call: 'Call'};

/**
 * renderItem returns the element for a board item.
 * opts: {showVisitor: link the visitor's profile in the header, onChanged(item, msg)}
 */
export function renderItem(item, opts = {}) {
  const state = item.kind === 'message' && !item.closed ? 'unanswered' : item.closed ? 'closed' : 'open';
  const el = h('article', {class: `item kind-${item.kind} ${state}`, 'data-id': item.id, 'data-kind': item.kind});
  el.append(header(item, el, opts), body(item));
  return el;
}

function header(item, el, opts) {
  const check = h('input', {type: 'checkbox', class: 'close-box', checked: item.closed,
    'aria-label': (item.closed ? 'Closed. Clear to unclose: ' : 'Close: ') + (item.subject || kindLabel[item.kind])});
  check.addEventListener('change', () => toggle(item, check, el, opts));
  const who = [];
  if (item.kind === 'message') {
    who.push(' :: Posted by ');
    const label = `${item.name || 'Visitor'}${item.email ? ' (' + item.email + ')' : ''}`;
    who.push(opts.showVisitor ? h('a', {href: '#/visitor/' + encodeURIComponent(item.visitor), class: 'who'}, label) : h('span', {class: 'who'}, label));
    if (item.online !== undefined) who.push(' ', dot(item.online));
  } else if (item.kind === 'reply') {
    who.push(' :: Sent by ', h('span', {class: 'who'}, item.operator_name || 'Operator'));
    if (item.to && item.to.length) who.push(' to ', h('span', {class: 'to'}, item.to.join(', ')));
    if (item.status && item.status !== 'sent') who.push(' ', h('span', {class: 'badge ' + item.status}, item.status === 'failed' ? 'Not sent' : 'Sending'));
  } else if (item.kind === 'note') {
    who.push(' :: Private note by ', h('span', {class: 'who'}, item.operator_name || 'Operator'), ' ', h('span', {class: 'badge'}, 'Not sent'));
  } else if (item.kind === 'call') {
    const c = item.call || {};
    who.push(` :: ${c.direction === 'outbound' ? 'Outbound' : 'Inbound'} call`, c.phone ? ' ' : '', c.phone ? h('span', {class: 'who'}, c.phone) : null);
  } else if (item.kind === 'chat') {
    who.push(' :: Transcript', item.closed ? '' : ' (open)');
  }
  return h('header', {class: 'item-head'},
    h('label', {class: 'check'}, check),
    h('span', {class: 'kind'}, kindLabel[item.kind] || item.kind),
    h('span', {class: 'head-text'}, who),
    h('time', {datetime: item.created, class: 'time'}, when(item.created)));
}

function body(item) {
  const parts = [];
  if (item.subject) parts.push(h('h3', {class: 'subject'}, item.subject));
  if (item.kind === 'chat') {
    parts.push(transcript(item));
  } else if (item.kind === 'call') {
    const c = item.call || {};
    parts.push(h('p', {class: 'call-meta'}, `${when(c.at)} · ${duration(c.duration || 0)}`, c.source && c.source !== 'console' ? ` · ${c.source.replace('integration:', 'via ')}` : ''));
    if (item.text) parts.push(h('p', {class: 'text'}, item.text));
  } else if (item.text) {
    parts.push(h('p', {class: 'text'}, item.text));
  }
  return h('div', {class: 'item-body'}, parts);
}

// transcript shows a chat: over five lines only the beginning, with Show
// all / Hide.
function transcript(item) {
  const lines = item.lines || [];
  const list = h('ol', {class: 'transcript'});
  const row = l => h('li', {class: 'line ' + l.author},
    h('span', {class: 'line-who'}, l.author === 'system' ? '' : (l.name || (l.author === 'visitor' ? 'Visitor' : 'Operator')) + ':'),
    ' ', h('span', {class: 'line-text'}, l.text), ' ', h('time', {class: 'line-time'}, when(l.at)));
  const wrap = h('div', {class: 'transcript-wrap'}, list);
  const draw = all => {
    list.replaceChildren(...(all ? lines : lines.slice(0, SHORT_LINES)).map(row));
  };
  draw(false);
  if (lines.length > SHORT_LINES) {
    const btn = h('button', {type: 'button', class: 'link show-all', 'aria-expanded': 'false'}, `Show all (${lines.length} lines)`);
    btn.addEventListener('click', () => {
      const all = btn.getAttribute('aria-expanded') !== 'true';
      draw(all);
      btn.setAttribute('aria-expanded', String(all));
      btn.textContent = all ? 'Hide' : `Show all (${lines.length} lines)`;
    });
    wrap.append(btn);
  }
  if (item.truncated) wrap.append(h('p', {class: 'muted'}, 'Continued in the next transcript.'));
  return wrap;
}

// toggle closes at once; unclosing asks first.
async function toggle(item, check, el, opts) {
  const closed = check.checked;
  if (!closed) {
    const ok = await confirmDialog({title: 'Unclose this item?', message: 'It will count as unanswered again and show in MSG.', yes: 'Unclose'});
    if (!ok) {
      check.checked = true;
      return;
    }
  }
  check.disabled = true;
  try {
    const res = await api('PATCH', `visitors/${encodeURIComponent(item.visitor)}/board/${encodeURIComponent(item.id)}`, {closed});
    const next = Object.assign({}, item, res.item, {online: item.online});
    const fresh = renderItem(next, opts);
    el.replaceWith(fresh);
    fresh.querySelector('.close-box').focus();
    if (opts.onChanged) opts.onChanged(next, res.msg);
  } catch (e) {
    check.checked = !closed;
    check.disabled = false;
    toast(e.message, 'error');
  }
}
