/* Live Help site embed: <script async src="REST/widget.js" data-site="SITE" data-lang="en|fr|ru"></script>
 * Button (status), chat (functions/chat/PROTOCOL.md), offline form. One global, a shadow root,
 * textContent only, every callback wrapped (nothing reaches the host page), no other host contacted. */
(function (W, D) {
'use strict';
function safe(f) {
  return function () { try { return f.apply(this, arguments); } catch (e) { try { W.console.debug('LiveHelp', e); } catch (_) {} } };
}
safe(function () {
if (W.LiveHelp || !D.documentElement.attachShadow) return;

// configuration, from the script tag
var S = D.currentScript, all = D.getElementsByTagName('script'), i;
for (i = all.length - 1; !S && i >= 0; i--) if (/\/widget\.js([?#]|$)/.test(all[i].src) && all[i].getAttribute('data-site')) S = all[i];
if (!S) return;
var SITE = S.getAttribute('data-site') || '',
  REST = S.src.replace(/[?#].*$/, '').replace(/\/widget\.js$/, ''),
  DLANG = S.getAttribute('data-lang'),
  LANG = (DLANG || (navigator.language || 'en')).slice(0, 2).toLowerCase(),
  PATH = '/v1/sites/' + SITE;
if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(SITE)) return;

// UI strings: en, fr, ru
var TT = {
  en: ['Live Help', 'Close', 'Click for Live Help', 'Leave a message',
    'All our operators are busy right now. You can wait for the next free one or leave a message.',
    'Wait in the queue', 'Your name', 'Your email', 'Subject', 'Message', 'Send message', 'Sending…',
    'Your message could not be sent yet. Please try again in a moment; what you typed is kept.',
    'Thank you, your message has been sent.', 'Please fill in this field.', 'Please enter a valid email address.',
    'Please correct the fields marked below.', 'Write a message…', 'Send', 'The operator is typing…',
    'You are number {n} in the queue.', 'Waiting for an operator…', 'Leave a message instead',
    'You are chatting with {n}.', 'This conversation is closed. Write to open it again.',
    'No operator is available right now. Leave a message and we will answer by email.',
    'Connection lost. Reconnecting…', 'Connecting…', 'You', 'Operator', 'Not sent yet, will retry',
    'Hello! How can we help you?', 'Messages', 'new', 'Type the characters you see',
    'Leave us a message and we will answer by email.', 'Listen'],
  fr: ['Aide en direct', 'Fermer', 'Cliquez pour une aide en direct', 'Laisser un message',
    'Tous nos opérateurs sont occupés. Vous pouvez attendre le prochain disponible ou laisser un message.',
    'Attendre dans la file', 'Votre nom', 'Votre e-mail', 'Objet', 'Message', 'Envoyer le message', 'Envoi…',
    "Votre message n'a pas encore pu être envoyé. Réessayez dans un instant ; votre saisie est conservée.",
    'Merci, votre message a été envoyé.', 'Veuillez remplir ce champ.', 'Veuillez saisir une adresse e-mail valide.',
    'Veuillez corriger les champs indiqués.', 'Écrivez un message…', 'Envoyer', "L'opérateur écrit…",
    'Vous êtes le numéro {n} dans la file.', "En attente d'un opérateur…", 'Laisser plutôt un message',
    'Vous discutez avec {n}.', 'Cette conversation est close. Écrivez pour la rouvrir.',
    "Aucun opérateur n'est disponible. Laissez un message, nous répondrons par e-mail.",
    'Connexion perdue. Reconnexion…', 'Connexion…', 'Vous', 'Opérateur', 'Pas encore envoyé, nouvel essai bientôt',
    'Bonjour ! Comment pouvons-nous vous aider ?', 'Messages', 'nouveau', "Saisissez les caractères de l'image",
    'Laissez-nous un message, nous vous répondrons par e-mail.', 'Écouter'],
  ru: ['Помощь онлайн', 'Закрыть', 'Нажмите для помощи онлайн', 'Оставить сообщение',
    'Все операторы сейчас заняты. Вы можете подождать первого освободившегося или оставить сообщение.',
    'Подождать в очереди', 'Ваше имя', 'Ваш e-mail', 'Тема', 'Сообщение', 'Отправить сообщение', 'Отправка…',
    'Сообщение пока не удалось отправить. Попробуйте ещё раз чуть позже; введённый текст сохранён.',
    'Спасибо, ваше сообщение отправлено.', 'Заполните это поле.', 'Введите правильный адрес e-mail.',
    'Исправьте отмеченные поля.', 'Напишите сообщение…', 'Отправить', 'Оператор печатает…',
    'Ваш номер в очереди: {n}.', 'Ожидание оператора…', 'Лучше оставить сообщение',
    'Вас консультирует {n}.', 'Разговор закрыт. Напишите, чтобы продолжить.',
    'Сейчас нет свободных операторов. Оставьте сообщение, и мы ответим по e-mail.',
    'Соединение потеряно. Переподключение…', 'Подключение…', 'Вы', 'Оператор', 'Не отправлено, повторим',
    'Здравствуйте! Чем можем помочь?', 'Сообщения', 'новых', 'Введите символы с картинки',
    'Оставьте сообщение, и мы ответим по e-mail.', 'Прослушать']
};
var T = {}, keys = ('title close on off busy wait name email subject message submit sending unsent thanks req mail fix ph send ' +
  'typing queue waiting instead with closed nobody lost connecting you op failed hello msgs new captcha intro listen').split(' ');
keys.forEach(function (k, n) { T[k] = (TT[LANG] || TT.en)[n]; });
if (!TT[LANG]) LANG = 'en';

// small helpers
function later(f, ms) { return setTimeout(safe(f), ms); }
function store(k, v) {
  try {
    k = 'livehelp:' + SITE + ':' + k;
    if (v === undefined) return W.localStorage.getItem(k) || '';
    if (v) W.localStorage.setItem(k, v); else W.localStorage.removeItem(k);
  } catch (_) {}
  return '';
}
function uuid() {
  var c = W.crypto;
  if (c.randomUUID) return c.randomUUID();
  var b = c.getRandomValues(new Uint8Array(16)), h = ''; // randomUUID: secure contexts only
  b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
  for (i = 0; i < 16; i++) h += (b[i] + 256).toString(16).slice(1) + (i === 3 || i === 5 || i === 7 || i === 9 ? '-' : '');
  return h;
}
/* el: t = textContent (never HTML), c = class, on* = wrapped listeners, else attributes. */
function el(tag, a, kids) {
  var e = D.createElement(tag), k, v;
  for (k in a) {
    v = a[k];
    if (k === 't') e.textContent = v;
    else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), safe(v));
    else if (v != null && v !== false) e.setAttribute(k === 'c' ? 'class' : k, v === true ? '' : v);
  }
  (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
  return e;
}
function fmt(s, n) { return s.split('{n}').join(String(n)); }
function fill(e, kids) { e.textContent = ''; kids.forEach(function (c) { if (c) e.appendChild(c); }); }
/* api never rejects: it resolves {ok, status, data}; status 0 = unreachable. */
function api(method, path, body, auth) {
  return new Promise(function (done) {
    var ctl = new AbortController(), h = {},
      t = later(function () { ctl.abort(); }, 15000),
      end = safe(function (r) { clearTimeout(t); done(r); });
    if (body) h['Content-Type'] = 'text/plain;charset=UTF-8'; // a CORS-simple request
    if (auth) h.Authorization = 'Bearer ' + auth;
    try {
      W.fetch(REST + path, { method: method, headers: h, body: body ? JSON.stringify(body) : null,
        credentials: 'omit', signal: ctl.signal })
        .then(function (r) {
          return r.text().then(function (x) {
            var j = null;
            try { j = JSON.parse(x); } catch (_) {}
            end({ ok: r.ok, status: r.status, data: j && typeof j === 'object' ? j : {} });
          });
        }).catch(function () { end({ ok: false, status: 0, data: {} }); });
    } catch (_) { end({ ok: false, status: 0, data: {} }); }
  });
}

// state
var st = { state: 'offline' }, down = false, checked = 0,
  tok = store('token'), conv = store('conv'), cs = '', opName = '', pos = 0,
  resume = '', sock = null, up = false, gen = 0, tries = 0, rt = 0, pingT = 0, wantStart = false, starting = false,
  pend = {}, reqs = {}, rq = 0, ha = 0, seen = {}, max = 0, their = 0, rd = 0, unread = 0, tyOut = 0, tyT = 0, tyIn = 0,
  isOpen = false, view = '', autoLi = null, px = 0;
var m = /(?:^#|&)livehelp=([A-Za-z0-9._~-]{8,2048})/.exec(location.hash);
if (m) {
  resume = m[1];
  try { history.replaceState(history.state, '', location.pathname + location.search); } catch (_) {}
}

// DOM: a shadow root on our own element
var host = D.createElement('livehelp-widget');
host.style.setProperty('all', 'initial', 'important'); // CSSOM: a strict CSP allows it
host.style.setProperty('display', 'block', 'important');
var root = host.attachShadow({ mode: 'open' });
var CSS = ':host{all:initial}*{box-sizing:border-box}' +
  '.w{font:15px/1.45 system-ui,sans-serif;color:#1f2937}' +
  'button,input,textarea{font:inherit;color:inherit}' +
  ':focus-visible{outline:3px solid #f59e0b;outline-offset:2px}' +
  '.b{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;align-items:center;gap:9px;max-width:calc(100vw - 32px);' +
  'padding:12px 20px;border:0;border-radius:999px;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 6px 20px rgba(15,23,42,.3)}' +
  '.b:hover{background:#1e40af}[hidden]{display:none!important}' +
  '.d{flex:none;width:10px;height:10px;border-radius:50%;background:#cbd5e1}' +
  '.online .d{background:#4ade80}.busy .d{background:#fbbf24}' +
  '.n{background:#dc2626;border-radius:999px;padding:0 7px;font-size:12px}.n:empty{display:none}' +
  '.p{position:fixed;right:16px;bottom:84px;z-index:2147483001;display:flex;flex-direction:column;width:370px;max-width:calc(100vw - 32px);' +
  'max-height:calc(100vh - 104px);background:#fff;border-radius:14px;box-shadow:0 12px 48px rgba(15,23,42,.35);overflow:hidden}' +
  '.p.chat{height:540px}header{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:12px 12px 12px 18px;background:#1d4ed8;color:#fff}' +
  'h2{margin:0;font-size:16px;font-weight:600}' +
  '.x{border:0;background:none;color:#fff;width:34px;height:34px;border-radius:8px;font-size:24px;cursor:pointer}' +
  '.s{padding:8px 18px;background:#eff6ff;color:#1e3a8a;font-size:13px;border-bottom:1px solid #dbeafe}.s:empty{display:none}' +
  '.v{flex:1;display:flex;flex-direction:column;min-height:0;overflow:auto;padding:16px 18px;gap:12px}' +
  '.k{border:0;background:none;padding:0;color:#1d4ed8;text-decoration:underline;cursor:pointer}' +
  '.q{padding:11px 16px;border-radius:8px;border:2px solid #1d4ed8;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer}' +
  '.q.o{background:#fff;color:#1d4ed8}.q:disabled{opacity:.6;cursor:default}' +
  '.fm{display:flex;flex-direction:column;gap:12px}p{margin:0}label{display:block;font-size:13px;font-weight:600;margin-bottom:4px}' +
  'input,textarea{display:block;width:100%;padding:9px 11px;border:1px solid #94a3b8;border-radius:8px;background:#fff}' +
  'textarea{resize:vertical}[aria-invalid=true]{border-color:#b91c1c;box-shadow:0 0 0 1px #b91c1c}' +
  '.e{color:#b91c1c;font-size:13px;margin-top:3px}.e:empty{display:none}' +
  '.g{padding:9px 12px;border-radius:8px;background:#fef2f2;color:#991b1b;font-size:14px}.g:empty{display:none}' +
  'ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px;flex:1}' +
  'li{max-width:85%;padding:8px 12px;border-radius:12px;background:#f1f5f9;align-self:flex-start;white-space:pre-wrap;overflow-wrap:anywhere}' +
  'li.me{align-self:flex-end;background:#1d4ed8;color:#fff}li.sy{align-self:center;background:none;color:#475569;font-size:13px;font-style:italic;text-align:center}' +
  '.a{display:block;font-size:12px;font-weight:600;opacity:.8}.i{display:block;font-size:11px;opacity:.8;text-align:right}.i:empty{display:none}' +
  '.ty{font-size:13px;color:#475569;min-height:18px;padding:0 18px}' +
  '.c{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e2e8f0}.c textarea{flex:1;min-width:0;resize:none;height:44px;max-height:120px;padding:11px 10px;font-size:14px;overflow-y:auto}.c textarea::placeholder{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.c .q{padding:0 14px}' +
  '.cp{display:flex;align-items:center;gap:14px}.img{max-width:70%;height:60px;border:1px solid #cbd5e1;border-radius:6px}' +
  '@media (max-width:480px){.b{right:10px;bottom:10px;max-width:calc(100vw - 20px)}' +
  '.p{right:8px;left:8px;bottom:72px;width:auto;max-width:none;max-height:calc(100vh - 84px)}.p.chat{height:calc(100vh - 84px)}}';
var btnLabel = el('span', { t: T.off }), badge = el('span', { c: 'n', 'aria-hidden': 'true' }),
  btn = el('button', { type: 'button', c: 'b', 'aria-expanded': 'false', 'aria-controls': 'lh-p', onclick: toggle },
    [el('span', { c: 'd', 'aria-hidden': 'true' }), btnLabel, badge]),
  line = el('div', { c: 's', role: 'status', 'aria-live': 'polite' }),
  body = el('div', { c: 'v' }),
  panel = el('section', { c: 'p', id: 'lh-p', role: 'dialog', 'aria-labelledby': 'lh-t', hidden: true, onkeydown: function (e) {
    if (e.key === 'Escape') { e.stopPropagation(); hide(true); }
  } }, [el('header', {}, [el('h2', { id: 'lh-t', t: T.title }),
    el('button', { type: 'button', c: 'x', 'aria-label': T.close, t: '×', onclick: function () { hide(true); } })]), line, body]);
btn.hidden = true;
try { // not inline style: a strict CSP allows it
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
} catch (_) { root.appendChild(el('style', { t: CSS })); }
root.appendChild(el('div', { c: 'w', lang: LANG }, [btn, panel]));
(D.body || D.documentElement).appendChild(host);

// button and status
function status() {
  api('GET', PATH + '/status' + (DLANG ? '?lang=' + encodeURIComponent(LANG) : '')).then(safe(function (r) {
    checked = Date.now();
    if (r.status === 404) { host.remove(); return; } // unknown site: stay away
    down = !r.ok || !/^(online|busy|offline)$/.test(r.data.state);
    st = down ? { state: 'offline' } : r.data;
    paint();
    if (!down && /^(invite|auto)$/.test(st.proactive) && !px) px = (D.head || root).appendChild(el('script', { src: REST + '/console/proactive.js' })); // proactive chat: loaded only when on
    if (resume) return resumed();
    if (!down && conv && !sock) connect();
  }));
}
/* resumed binds this browser to the visitor of an emailed #livehelp= link. */
function resumed() {
  api('POST', PATH + '/visitors', { resume: resume }).then(safe(function (r) {
    var d = r.data, c = d.conversation;
    resume = '';
    if (r.ok && typeof d.token === 'string') {
      tok = d.token; store('token', tok);
      setConv(c);
      if (!down) return chat(false);
    }
    open();
    say((d.error || {}).message);
  }));
}
function paint() {
  var s = st.state;
  btn.className = 'b ' + s;
  btnLabel.textContent = (!down && st.label) || (s === 'offline' ? T.off : T.on);
  badge.textContent = unread ? String(unread) : '';
  if (unread) btn.setAttribute('aria-label', btnLabel.textContent + ' (' + unread + ' ' + T['new'] + ')'); else btn.removeAttribute('aria-label');
  btn.hidden = false;
}
function toggle() { if (isOpen) hide(true); else open(); }
/* open picks the view: an ongoing conversation first, else by button state. */
function open() {
  unread = 0; paint();
  if (st.websocket && conv && cs && cs !== 'closed') return chat(false);
  if (down || st.state === 'offline') return form();
  if (st.state === 'busy') return choice();
  chat(true);
}
function show(v) {
  var f;
  view = v; isOpen = true; panel.hidden = false; panel.className = 'p ' + v;
  btn.setAttribute('aria-expanded', 'true');
  if (v === 'chat') { if (list.parentNode !== body) fill(body, [list, typing]); panel.appendChild(composer); f = input; }
  else { if (composer.parentNode) composer.remove(); f = body.querySelector('[aria-invalid=true],input,textarea,button'); }
  if (f) f.focus();
  scroll();
  read();
}
function hide(focus) {
  isOpen = false; panel.hidden = true;
  btn.setAttribute('aria-expanded', 'false');
  if (focus) btn.focus();
}
function choice() {
  fill(line, []);
  fill(body, [el('p', { t: T.busy }),
    el('button', { type: 'button', c: 'q', t: T.wait, onclick: function () { chat(true); } }),
    el('button', { type: 'button', c: 'q o', t: T.off, onclick: form })]);
  show('choice');
}

// offline form
var F = {}, E = {}, note = el('p', { c: 'g', role: 'alert' }), capImg = el('img', { c: 'img', alt: T.captcha }), capBox,
  ftok = '', fAt = 0, fMin = 0, capId = '', capAudio = '', sending = false, fcid = '', again = 0;
function field(k, type, area) {
  var id = 'lh-' + k;
  F[k] = el(area ? 'textarea' : 'input', { id: id, name: k, type: area ? null : type, rows: area ? 5 : null,
    maxlength: area ? 4000 : k === 'captcha' ? 12 : 200, autocomplete: { name: 'name', email: 'email' }[k] || 'off',
    inputmode: k === 'captcha' ? 'numeric' : null, 'aria-describedby': id + '-e', 'aria-invalid': 'false', 'aria-required': 'true' });
  E[k] = el('p', { c: 'e', id: id + '-e' });
  return el('div', {}, [el('label', { 'for': id, t: T[k] }), F[k], E[k]]);
}
var submitBtn = el('button', { type: 'submit', c: 'q', t: T.submit }),
  formEl = el('form', { c: 'fm', novalidate: true, onsubmit: submit }, [
    field('name', 'text'), field('email', 'email'), field('subject', 'text'), field('message', '', true),
    capBox = el('div', { c: 'fm', hidden: true }, [el('div', { c: 'cp' }, [capImg, el('button', { type: 'button', c: 'k', t: T.listen, onclick: function () {
      var a = new W.Audio(capAudio + '?lang=' + LANG).play();
      if (a && a.catch) a.catch(function () {});
    } })]), field('captcha', 'text')]), note, submitBtn]);
function form() {
  say(T.intro);
  fill(body, [formEl]);
  if (!ftok) openForm();
  show('form');
}
/* openForm gets the form token (the minimum fill time) and a CAPTCHA when the
 * site wants one; again: a new CAPTCHA, the same token. */
function openForm() {
  return api('GET', PATH + '/captcha').then(safe(function (r) {
    var d = r.data;
    if (!r.ok || typeof d.form_token !== 'string') return;
    if (!ftok) { ftok = d.form_token; fAt = Date.now(); fMin = +d.min_seconds || 0; }
    capBox.hidden = !d.captcha;
    if (d.captcha) {
      capId = d.id; capImg.src = REST + d.image; capAudio = REST + d.audio;
      F.captcha.value = '';
    }
  }));
}
function err(k, msg) {
  if (!E[k]) return false;
  E[k].textContent = msg || '';
  F[k].setAttribute('aria-invalid', msg ? 'true' : 'false');
  return !!msg;
}
function busy(on) { sending = on; submitBtn.disabled = on; submitBtn.textContent = on ? T.sending : T.submit; }
function submit(e) {
  if (e) e.preventDefault();
  if (sending) return;
  var v = {}, first = null;
  ['name', 'email', 'subject', 'message'].concat(capId ? ['captcha'] : []).forEach(function (k) {
    v[k] = F[k].value.trim();
    if (err(k, !v[k] ? T.req : k === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v[k]) ? T.mail : '') && !first) first = F[k];
  });
  if (first) { note.textContent = T.fix; return first.focus(); }
  v.client_id = fcid = fcid || uuid(); // one id for every try: stored once
  busy(true); note.textContent = '';
  (ftok ? Promise.resolve() : openForm()).then(function () {
    if (capId) v.captcha_id = capId; else delete v.captcha;
    v.form_token = ftok;
    return new Promise(function (go) { later(go, Math.max(0, fAt + fMin * 1000 - Date.now())); }); // the form's minimum fill time
  }).then(token).then(function (t) {
    return t && ftok ? api('POST', PATH + '/messages', v, t) : { status: 0, data: {} };
  }).then(safe(function (r) {
    var x = r.data.error || {}, f = x.fields || {}, k, bad = null;
    busy(false);
    if (r.ok) return sent(r.data, v.name);
    if (r.status === 401 && !again++) { tok = ''; store('token', ''); return submit(); } // a stale token: once more with a new one
    if (!r.status || r.status >= 500) { note.textContent = T.unsent; return; }
    for (k in f) if (err(k, String(f[k])) && !bad) bad = F[k];
    note.textContent = x.message || T.fix;
    if (f.form_token === 'expired') ftok = '';
    if (f.captcha || f.form_token) openForm(); // a new challenge (and token if expired)
    if (bad) bad.focus();
  })).catch(safe(function () { busy(false); note.textContent = T.unsent; }));
}
function sent(d, name) {
  var c = d.conversation;
  fcid = ''; capId = ''; ftok = ''; again = 0; capBox.hidden = true;
  ['subject', 'message', 'captcha'].forEach(function (k) { F[k].value = ''; });
  store('name', name); store('left', '1'); // an email given: no more form offers
  if (c) setConv(typeof c === 'object' ? c : { id: c });
  autoLi = bubble({ author: 'system', text: String(d.auto_reply || T.thanks) });
  list.appendChild(autoLi); // moves below the history when it comes
  chat(false);
}

// chat panel
var list = el('ol', { role: 'log', 'aria-live': 'polite', 'aria-label': T.msgs }, [el('li', { c: 'sy', t: T.hello })]),
  typing = el('p', { c: 'ty', 'aria-live': 'polite' }),
  input = el('textarea', { 'aria-label': T.message, placeholder: T.ph, maxlength: 4000, rows: 1,
    oninput: typed, onkeydown: function (e) { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); compose(); } } }),
  composer = el('form', { c: 'c', onsubmit: function (e) { e.preventDefault(); compose(); } },
    [input, el('button', { type: 'submit', c: 'q', t: T.send })]);
function chat(start) {
  wantStart = wantStart || start;
  show('chat');
  say(up ? '' : st.websocket ? T.connecting : T.lost);
  if (!sock) connect(); else if (up) begin();
}
function compose() {
  var t = input.value.trim();
  if (!t) return;
  input.value = '';
  grow();
  var cid = uuid(), li = bubble({ author: 'visitor', text: t }, T.sending);
  li.setAttribute('data-p', '');
  list.appendChild(li);
  pend[cid] = { t: t, li: li, g: -1 };
  scroll();
  if (tyOut) tx({ action: 'typing', conversation: conv, typing: false }, conv);
  tyOut = 0;
  clearTimeout(tyT);
  flush();
}
function bubble(msg, info) {
  var a = msg.author, me = a === 'visitor';
  return el('li', { c: me ? 'me' : a === 'system' ? 'sy' : 'op', title: msg.ts > 0 ? new Date(msg.ts).toLocaleString(LANG) : null }, [
    a === 'system' ? null : el('span', { c: 'a', t: me ? T.you : (msg.operator && msg.operator.name) || T.op }),
    el('span', { c: 't', t: String(msg.text == null ? '' : msg.text) }), el('span', { c: 'i', t: info || '' })]);
}
/* place: in seq order, before pending messages. */
function place(li, seq) {
  var n = list.firstElementChild;
  while (n && !(n.hasAttribute('data-p') || +n.getAttribute('data-seq') > seq)) n = n.nextElementSibling;
  li.removeAttribute('data-p');
  li.setAttribute('data-seq', seq);
  list.insertBefore(li, n);
}
function add(msg) {
  var s = +msg.seq, p = msg.client_id && pend[msg.client_id], li;
  if (!s || seen[s]) return;
  if (msg.author === 'system' && autoLi && autoLi.textContent === msg.text) { autoLi.remove(); autoLi = null; }
  if (p) { li = p.li; li.lastChild.textContent = ''; delete pend[msg.client_id]; li.remove(); } else li = bubble(msg);
  seen[s] = li;
  place(li, s);
  if (s > max) max = s;
  if (msg.author !== 'visitor' && s > their) their = s;
  if (msg.author === 'operator' && s > rd && (!isOpen || D.hidden)) { unread++; paint(); }
  scroll();
}
function scroll() { body.scrollTop = body.scrollHeight; }
function say(x) {
  var k = null, t = x || '';
  if (!x && conv) {
    if (cs === 'assigned' || cs === 'open' || cs === 'active') t = fmt(T['with'], opName || T.op);
    else if (cs === 'waiting' || cs === 'queued') { t = pos ? fmt(T.queue, pos) : T.waiting; k = 1; }
    else if (cs === 'offline' || cs === 'unassigned' || cs === 'snoozed') { t = store('left') ? '' : T.nobody; k = !!t; }
    else if (cs === 'closed') t = T.closed;
  }
  fill(line, [t && el('span', { t: t + ' ' }), k && el('button', { type: 'button', c: 'k', t: T.instead, onclick: form })]);
}
function setConv(c) {
  if (!c || typeof c !== 'object') return;
  var id = c.id || c.conversation;
  if (id && typeof id === 'string') {
    if (conv && id !== conv) { // a new one: old lines stay as history
      seen = {}; max = their = rd = 0;
      [].forEach.call(list.querySelectorAll('[data-seq]'), function (n) { n.removeAttribute('data-seq'); });
    }
    conv = id; store('conv', id);
  }
  if (c.status) cs = c.status;
  opName = (c.operator && c.operator.name) || c.operator_name || (cs === 'assigned' ? opName : '');
  pos = c.position || 0;
  if (c.messages) c.messages.forEach(add);
  say();
}

// WebSocket
function token() {
  if (tok) return Promise.resolve(tok);
  return api('POST', PATH + '/visitors', {}).then(function (r) {
    if (r.ok && typeof r.data.token === 'string') { tok = r.data.token; store('token', tok); }
    return tok;
  });
}
function connect() {
  if (sock || !st.websocket) return;
  clearTimeout(rt);
  sock = 1; // connecting
  token().then(safe(function (t) {
    var s, u = st.websocket;
    if (!t) { sock = null; return retry(); }
    try { s = new W.WebSocket(u + (u.indexOf('?') < 0 ? '?' : '&') + 'site=' + SITE + '&token=' + encodeURIComponent(t)); } catch (_) { sock = null; return retry(); }
    sock = s;
    s.onopen = safe(function () {
      up = true; tries = 0; gen++;
      hello();
      clearInterval(pingT);
      pingT = setInterval(safe(function () { tx({ action: 'ping' }, 1); }), 480000); // API Gateway idles out at 10 min
    });
    s.onmessage = safe(function (e) { var f = JSON.parse(e.data); if (f && H[f.type]) H[f.type](f); });
    s.onclose = safe(function () {
      if (sock !== s) return;
      sock = null; up = false; starting = false;
      clearInterval(pingT);
      retry();
    });
  }));
}
/* hello joins the conversation; after: only what this page has not seen. */
function hello() { ha = max; tx({ action: 'hello', after: max || undefined }, 1, 'hello'); }
/* retry: jittered backoff, 1 to 30 s; with the panel closed, 6 tries until it opens. */
function retry() {
  var d = Math.min(30000, 1000 * Math.pow(2, tries++));
  clearTimeout(rt);
  if (!isOpen && tries > 6) return;
  rt = later(connect, d / 2 + Math.random() * d / 2);
  if (view === 'chat') say(T.lost);
}
/* tx sends when ok and connected; kind names the request for errors. */
function tx(f, ok, kind) {
  if (!ok || !up || !sock) return '';
  f.id = 'w' + (++rq);
  reqs[f.id] = kind || f.client_id || '';
  sock.send(JSON.stringify(f));
  return f.id;
}
function begin() {
  if (starting || !wantStart || (conv && cs && cs !== 'closed')) return;
  starting = true;
  tx({ action: 'start', name: F.name.value.trim() || store('name') || undefined }, 1, 'start');
}
function flush() {
  if (!up) return;
  var cid, p;
  for (cid in pend) { // as typed
    if (!conv) { wantStart = true; return begin(); } // a closed one reopens on send
    p = pend[cid];
    if (p.g !== gen) { p.g = gen; tx({ action: 'send', conversation: conv, client_id: cid, text: p.t }, 1); }
  }
}
/* read: a receipt when the open panel shows an unread operator line. */
function read() {
  if (isOpen && view === 'chat' && !D.hidden && conv && their > rd) { rd = max; tx({ action: 'read', conversation: conv, seq: max }, up); }
}
function grow() { input.style.height = ''; if (input.scrollHeight > input.clientHeight) input.style.height = Math.min(input.scrollHeight + 2, 120) + 'px'; }
function typed() {
  var now = Date.now();
  grow();
  if (conv && now - tyOut > 5000) { tyOut = now; tx({ action: 'typing', conversation: conv, typing: true }, 1); } // one frame per 5 s at most
  clearTimeout(tyT);
  tyT = later(function () { if (tyOut) tx({ action: 'typing', conversation: conv, typing: false }, conv); tyOut = 0; }, 6000);
}
function more(after) { tx({ action: 'history', conversation: conv, after: after, limit: 50 }, conv); }
/* H handles server frames by type. */
var H = {
  hello: function (f) {
    var c = f.conversation;
    if (!c) { conv = cs = ''; store('conv', ''); } // none (any more)
    if (c && +c.read > rd) rd = +c.read; // older lines count as read
    setConv(c);
    (f.messages || []).forEach(add);
    if (f.more && ha) more(max); // back after a long gap: page on
    if (autoLi) { list.appendChild(autoLi); autoLi = null; }
    say();
    begin(); flush(); read();
  },
  conversation: function (f) {
    starting = false;
    setConv(f.conversation && typeof f.conversation === 'object' ? f.conversation : f);
    if (cs !== 'closed') wantStart = false;
    flush(); read();
  },
  queue: function (f) { pos = f.position || pos; if (!cs || cs === 'offline') cs = 'waiting'; say(); },
  ack: function (f) {
    var p = pend[f.client_id], s = +f.seq;
    if (!p) return;
    delete pend[f.client_id];
    p.li.lastChild.textContent = '';
    if (s && !seen[s]) { seen[s] = p.li; p.li.remove(); place(p.li, s); if (s > max) max = s; }
    else if (s) p.li.remove();
  },
  message: function (f) {
    var msg = f.message || {};
    if (f.conversation && conv && f.conversation !== conv) return;
    if (+msg.seq > max + 1 && max) more(max);
    add(msg);
    if (msg.author !== 'visitor') typing.textContent = '';
    read();
  },
  history: function (f) {
    var a = f.messages || [];
    a.forEach(add);
    if (f.more && a.length) more(max);
    read();
  },
  typing: function (f) {
    if (f.author === 'visitor' || f.role === 'visitor') return;
    typing.textContent = f.typing ? T.typing : '';
    clearTimeout(tyIn);
    if (f.typing) tyIn = later(function () { typing.textContent = ''; }, 8000);
  },
  read: function (f) { // read in another tab
    if (+f.seq > rd) rd = +f.seq;
    if (rd >= max) { unread = 0; paint(); }
  },
  error: function (f) {
    var k = reqs[f.re], p = pend[k];
    if (k === 'start') { starting = false; say(f.message); }
    else if (p) {
      if (/^(invalid|forbidden|not_found)$/.test(f.code)) { delete pend[k]; p.li.lastChild.textContent = f.message || T.failed; }
      else { p.li.lastChild.textContent = T.failed; p.g = -1; later(flush, 5000); }
    } else if (k === 'hello' && f.code === 'unauthorized') { tok = ''; store('token', ''); }
  }
};

// Leaving the page closes the socket (a page kept in the back-forward cache
// must not keep the visitor online); coming back from that cache reopens it.
W.addEventListener('pagehide', safe(function () {
  var s = sock;
  if (s && s.close) { sock = null; up = false; clearInterval(pingT); s.close(); }
}));
W.addEventListener('pageshow', safe(function (e) { if (e.persisted && conv && !sock) connect(); }));
D.addEventListener('visibilitychange', safe(function () {
  if (D.hidden) return;
  read();
  if (Date.now() - checked > 60000) status();
}));
later(function () { if (btn.hidden && host.isConnected) paint(); }, 3000); // a slow API: show it anyway
W.LiveHelp = Object.freeze({ open: safe(function () { if (!isOpen) open(); }), close: safe(function () { hide(false); }),
  _: { r: root, b: body, H: H, tx: tx, c: connect, ch: chat, sh: show, hi: hide, say: say, f: fill, el: el, st: function () { return st; }, L: LANG } }); // for proactive.js

status();
})();
})(window, document);
