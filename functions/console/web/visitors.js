// Visitors on the site (proactive chat, functions/chat/PROACTIVE.md): the
// list of visitors the widget reports (page, time on the site, whether
// they chatted before; gone ones in red for a few minutes), Invite (invite
// mode) and Open chat, the answer to an invitation, and the alert the
// first available operator gets in auto mode ("proactive chat without
// invite"). Everything goes over the chat WebSocket; text via textContent.

import {h, clear, dot} from './dom.js';
import {toast} from './dialog.js';
import {notify, beep} from './notify.js';

const POLL_MS = 5000;

/** attachProactive listens for invitation answers and visitor alerts. */
export function attachProactive(app, live) {
  live.on('invitation', f => {
    if (f.re) return; // our own invite's reply
    const i = f.invitation || {};
    if (i.status === 'refused') toast('The visitor refused your invitation.', 'error');
    if (i.status === 'accepted') toast('The visitor accepted your invitation and is waiting in the queue.');
    if (app.visitorsRefresh) app.visitorsRefresh();
  });
  live.on('proactive', f => alertVisitor(app, f.visitor || {}));
}

/** alertVisitor shows the auto-mode alert: a visitor has been on the site for a while. */
function alertVisitor(app, v) {
  beep();
  notify('A visitor is on the site', v.title || v.page || '', () => window.focus());
  let box = document.getElementById('proactive-alerts');
  if (!box) {
    box = h('div', {id: 'proactive-alerts', role: 'alert'});
    document.body.append(box);
  }
  const card = h('div', {class: 'proactive-alert card', 'data-visitor': v.visitor},
    h('p', {}, 'A visitor has been on the site for ' + duration(v.since, v.seen) + ': ', h('strong', {}, v.title || v.page || '')),
    h('p', {class: 'muted'}, v.page || ''));
  const open = h('button', {type: 'button', class: 'primary', onclick: async () => {
    if (await engage(app, v.visitor)) card.remove();
  }}, 'Open chat');
  card.append(h('div', {class: 'actions'}, open, h('button', {type: 'button', onclick: () => card.remove()}, 'Dismiss')));
  box.append(card);
  open.focus();
}

/** engage opens a chat with the visitor directly and shows it. */
async function engage(app, visitor) {
  try {
    const f = await app.live.request({action: 'engage', visitor});
    app.navigate('#/chat/' + encodeURIComponent(f.conversation.id));
    return true;
  } catch (e) {
    toast(e.message || 'The chat could not be opened.', 'error');
    return false;
  }
}

function duration(from, to) {
  const s = Math.max(0, Math.round(((to || Date.now()) - from) / 1000));
  const m = Math.floor(s / 60);
  return m ? m + ' min ' + (s % 60) + ' s' : s + ' s';
}

/** showVisitors renders the visitors page and keeps it fresh while shown. */
export async function showVisitors(app, main) {
  const body = h('tbody', {});
  const mode = h('p', {class: 'muted'});
  const card = h('section', {class: 'card visitors', 'aria-labelledby': 'vis-h'},
    h('h1', {id: 'vis-h'}, 'Visitors on the site'), mode,
    h('table', {class: 'data'},
      h('thead', {}, h('tr', {}, ['', 'Page', 'Time on site', 'Chatted before', 'Invitation', ''].map(t => h('th', {scope: 'col'}, t)))),
      body));
  clear(main, card);
  let timer = 0;
  const refresh = async () => {
    clearTimeout(timer);
    if (!card.isConnected) { if (app.visitorsRefresh === refresh) app.visitorsRefresh = null; return; }
    try {
      const f = await app.live.request({action: 'visitors'});
      render(app, body, mode, f, refresh);
    } catch (e) {
      mode.textContent = e.message || 'The list could not be loaded.';
    }
    timer = setTimeout(refresh, POLL_MS);
  };
  app.visitorsRefresh = refresh;
  await refresh();
}

function render(app, body, mode, f, refresh) {
  const labels = {off: 'Proactive chat is off for this site (Admin → Site settings).', invite: 'Invite mode: invite a visitor to chat.',
    auto: 'Without invite: the first available operator is alerted after the configured time; open a chat directly.'};
  mode.textContent = labels[f.mode] || '';
  const rows = (f.visitors || []).map(v => {
    const inv = v.invitation;
    const actions = h('td', {class: 'actions'});
    if (!v.gone && f.mode === 'invite' && !(inv && inv.status === 'pending')) {
      actions.append(h('button', {type: 'button', 'data-invite': v.visitor, onclick: async ev => {
        ev.currentTarget.disabled = true;
        try {
          await app.live.request({action: 'invite', visitor: v.visitor});
          toast('Invitation sent.');
        } catch (e) {
          toast(e.message, 'error');
        }
        refresh();
      }}, 'Invite'));
    }
    if (!v.gone && f.mode !== 'off') actions.append(h('button', {type: 'button', 'data-engage': v.visitor, onclick: () => engage(app, v.visitor)}, 'Open chat'));
    return h('tr', {class: v.gone ? 'gone' : 'here', 'data-visitor': v.visitor},
      h('td', {}, dot(!v.gone), ' ', v.gone ? 'Gone' : 'On site'),
      h('td', {}, h('div', {}, v.title || ''), h('div', {class: 'muted'}, v.page || '')),
      h('td', {}, duration(v.since, v.gone ? v.seen : Date.now())),
      h('td', {}, v.chatted ? 'Yes' : 'No'),
      h('td', {class: 'inv'}, inv ? inv.status : ''),
      actions);
  });
  clear(body, rows.length ? rows : h('tr', {}, h('td', {colspan: 6, class: 'muted'}, 'No visitors on the site right now.')));
}
