// The operator console: login, the top bar (presence, notifications, the
// operator's menu), hash routing between views, and the live connection.
// Views live in their own modules; every text is set with textContent.

import {api, ApiError, setToken, getToken, whenUnauthorized} from './api.js';
import {h, clear, fieldErrors} from './dom.js';
import {Live} from './live.js';
import {askPermission, canNotify} from './notify.js';
import {formDialog, toast} from './dialog.js';
import {Summary} from './summary.js';
import {Chats} from './chat.js';
import {showProfile} from './board.js';
import {showCannedConfig} from './canned.js';
import {showReports} from './reports.js';
import {showAdmin} from './admin.js';
import {showVisitors, attachProactive} from './visitors.js';

const $ = id => document.getElementById(id);

/** app is the console's shared state, handed to every view. */
const app = {
  me: null,
  site: null,
  live: null,
  main: null,
  summary: null,
  chats: null,
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

function showLogin(message) {
  $('app').hidden = true;
  $('login-view').hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('login-email').focus();
}

$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const form = ev.currentTarget;
  const btn = form.querySelector('button[type=submit]');
  btn.disabled = true;
  $('login-error').hidden = true;
  try {
    const res = await api('POST', 'login', {email: form.email.value.trim(), password: form.password.value});
    setToken(res.token);
    form.password.value = '';
    fieldErrors(form, null);
    await start();
  } catch (e) {
    if (e.fields && Object.keys(e.fields).length) fieldErrors(form, e);
    const err = $('login-error');
    err.textContent = e.message;
    err.hidden = false;
  } finally {
    btn.disabled = false;
  }
});

whenUnauthorized(() => {
  setToken('');
  if (app.live) app.live.stop();
  app.live = null;
  showLogin('Your session has ended. Please sign in again.');
});

/** start opens the console for the signed-in operator. */
async function start() {
  const res = await api('GET', 'me');
  app.me = res.operator;
  app.site = res.site;
  $('login-view').hidden = true;
  $('app').hidden = false;
  $('site-name').textContent = res.site.name;
  $('me-button').textContent = app.me.name;
  $('me-button').setAttribute('aria-label', 'Signed in as ' + app.me.name + '; open the menu');
  app.main = $('main');
  buildNav();
  app.summary = new Summary(app, $('sidebar'));
  app.chats = new Chats(app);
  app.live = new Live(res.websocket, getToken());
  app.chats.attach(app.live);
  app.summary.attach(app.live);
  attachProactive(app, app.live);
  app.live.on('status', s => {
    const el = $('conn-status');
    el.hidden = s.connected;
    el.textContent = s.connected ? '' : 'Reconnecting to the chat…';
  });
  app.live.state = $('presence').value = sessionStorage.getItem('lh.presence') || 'online';
  showPresence();
  app.live.start();
  updateNotifyButton();
  route();
}

function buildNav() {
  const links = [['#/messages', 'Message Queue'], ['#/canned', 'Canned messages'], ['#/reports', 'Reports'], ['#/visitors', 'Visitors']];
  if (app.me.role === 'admin') links.push(['#/admin', 'Admin']);
  clear($('nav'), links.map(([href, label]) => h('a', {href, 'data-route': href}, label)));
}

function showPresence() {
  const state = $('presence').value;
  $('presence-dot').className = 'dot ' + (state === 'online' ? 'on' : state === 'away' ? 'away' : 'off');
}

$('presence').addEventListener('change', ev => {
  sessionStorage.setItem('lh.presence', ev.target.value);
  showPresence();
  if (app.live) app.live.setPresence(ev.target.value);
});

function updateNotifyButton() {
  const b = $('notify-toggle');
  const on = canNotify();
  b.classList.toggle('active', on);
  const label = on ? 'Desktop notifications are on' : 'Enable desktop notifications';
  b.title = label;
  b.setAttribute('aria-label', label);
}

$('notify-toggle').addEventListener('click', async () => {
  const p = await askPermission();
  if (p === 'denied') toast('Notifications are blocked for this site in your browser settings.', 'error');
  if (p === 'unsupported') toast('This browser has no desktop notifications.', 'error');
  updateNotifyButton();
});

// The operator's menu.
$('me-button').addEventListener('click', () => {
  const menu = $('me-menu');
  menu.hidden = !menu.hidden;
  $('me-button').setAttribute('aria-expanded', String(!menu.hidden));
  if (!menu.hidden) menu.querySelector('button').focus();
});
$('me-menu').addEventListener('keydown', ev => { if (ev.key === 'Escape') closeMenu(); });
document.addEventListener('click', ev => {
  if (!ev.target.closest('#me-menu') && !ev.target.closest('#me-button')) closeMenu();
});
function closeMenu() {
  $('me-menu').hidden = true;
  $('me-button').setAttribute('aria-expanded', 'false');
}
$('me-menu').addEventListener('click', async ev => {
  const action = ev.target.dataset.action;
  closeMenu();
  if (action === 'logout') {
    try { await api('POST', 'logout'); } catch (e) { /* the session is gone either way */ }
    if (app.live) app.live.stop();
    setToken('');
    location.hash = '';
    showLogin('');
  }
  if (action === 'rename') rename();
});

async function rename() {
  await formDialog('Change my name', body => {
    body.append(h('label', {for: 'rename-name'}, 'Name shown to visitors and in canned messages (%name%)'),
      h('input', {id: 'rename-name', name: 'name', value: app.me.name, maxlength: 100, required: true, autocomplete: 'name'}));
  }, async form => {
    try {
      const res = await api('PATCH', 'me', {name: form.name.value});
      app.me = res.operator;
      $('me-button').textContent = app.me.name;
      toast('Your name is now ' + app.me.name + '.');
    } catch (e) {
      fieldErrors(form, e);
      throw e;
    }
  });
}

// Narrow screens: the summary slides in over the page.
$('menu-toggle').addEventListener('click', () => {
  const open = !document.body.classList.contains('sidebar-open');
  document.body.classList.toggle('sidebar-open', open);
  $('menu-toggle').setAttribute('aria-expanded', String(open));
});

/** route shows the view named by the location hash. */
async function route() {
  if (!app.me) return;
  document.body.classList.remove('sidebar-open');
  const hash = location.hash || '#/messages';
  const [, view, arg] = hash.match(/^#\/([a-z]+)\/?([^?]*)/) || [];
  for (const a of document.querySelectorAll('#nav a')) {
    a.toggleAttribute('aria-current', hash.startsWith(a.dataset.route));
  }
  app.summary.highlight(hash);
  const main = app.main;
  try {
    switch (view) {
      case 'visitor': await showProfile(app, main, decodeURIComponent(arg)); break;
      case 'chat': await app.chats.show(main, decodeURIComponent(arg)); break;
      case 'canned': await showCannedConfig(app, main); break;
      case 'reports': await showReports(app, main); break;
      case 'admin': await showAdmin(app, main); break;
      case 'visitors': await showVisitors(app, main); break;
      default: await app.summary.showQueue(main, hash.includes('unanswered'));
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    clear(main, h('div', {class: 'card empty'}, h('h1', {}, 'This page cannot be shown'), h('p', {}, e.message || String(e))));
  }
  main.focus({preventScroll: true});
}

window.addEventListener('hashchange', route);

// Boot: resume a session kept in this tab, or ask to sign in.
if (getToken()) {
  start().catch(e => showLogin(e instanceof ApiError && e.status === 401 ? '' : e.message));
} else {
  showLogin('');
}
