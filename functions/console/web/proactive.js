/* Live Help proactive chat, the visitor's side (functions/chat/PROACTIVE.md).
 * widget.js loads this file from its own origin (GET /console/proactive.js)
 * only when the status answer says the site's proactive mode is invite or
 * auto, so the widget's base stays small and a site with proactive chat
 * off sends no page or time reports at all. It uses the widget's hook
 * (LiveHelp._): its shadow root and panel, its socket (tx, connect), its
 * frame handlers (H, wrapped here), and its views (chat, show, hide, say).
 * Reports: a visit frame {page, title, since} on load, after every
 * (re)connect, every 30 s, on in-page navigation, and in auto mode once
 * when the site's seconds are reached. Text goes in with textContent only. */
(function (W, D) {
'use strict';
function safe(f) {
  return function () { try { return f.apply(this, arguments); } catch (e) { try { W.console.debug('LiveHelp', e); } catch (_) {} } };
}
safe(function () {
var P = W.LiveHelp && W.LiveHelp._;
if (!P || P.done) return;
var st = P.st(), el = P.el, H = P.H, every = 30000,
  after = st.proactive === 'auto' ? +st.proactive_after || 0 : 0,
  KEY = 'livehelp:' + st.site + ':since', since = 0, inv = null, form = [], F = [], E = [], note = null,
  answerID = '', waiting = false, expT = 0;

var TT = {
  en: ['{n} invites you to chat. Would you like to chat with us?', 'Yes', 'No', 'Send',
    'Please fill in this field.', 'Please enter a valid email address.', 'Please fill in the required fields (marked *).',
    'Waiting in queue…', "I don't wish to chat", "Thanks, I don't wish to chat right now.", 'An operator', 'required'],
  fr: ['{n} vous invite à discuter. Voulez-vous discuter avec nous ?', 'Oui', 'Non', 'Envoyer',
    'Veuillez remplir ce champ.', 'Veuillez saisir une adresse e-mail valide.', 'Veuillez remplir les champs obligatoires (marqués *).',
    "En attente dans la file…", 'Je ne souhaite pas discuter', 'Merci, je ne souhaite pas discuter pour le moment.', 'Un opérateur', 'obligatoire'],
  ru: ['{n} приглашает вас в чат. Хотите пообщаться?', 'Да', 'Нет', 'Отправить',
    'Заполните это поле.', 'Введите правильный адрес e-mail.', 'Заполните обязательные поля (отмечены *).',
    'Ожидание в очереди…', 'Я не хочу общаться', 'Спасибо, сейчас я не хочу общаться.', 'Оператор', 'обязательно']
};
var T = {};
'invite yes no send req mail fix queue nowish nowishText op required'.split(' ').forEach(function (k, n) { T[k] = (TT[P.L] || TT.en)[n]; });

// styles for this module, beside the widget's own
var CSS = '.rq{color:#dc2626;margin-left:3px}.pi{display:flex;gap:10px}.pi .q{flex:1}' +
  '.nw{align-self:center;border:0;background:none;color:#1d4ed8;text-decoration:underline;cursor:pointer;font-size:13px;padding:0}';
try {
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  P.r.adoptedStyleSheets = P.r.adoptedStyleSheets.concat([sheet]);
} catch (_) { P.r.appendChild(el('style', { t: CSS })); }

// time on site: from the first page of this browser session
try { since = +W.sessionStorage.getItem(KEY) || 0; } catch (_) {}
if (!since || Date.now() - since > 864e5) {
  since = Date.now();
  try { W.sessionStorage.setItem(KEY, String(since)); } catch (_) {}
}

/* visit reports the page (path and title only, trimmed) and the arrival time. */
function visit() {
  P.tx({ action: 'visit', page: location.pathname.slice(0, 200), title: String(D.title || '').slice(0, 120), since: since }, 1);
}
function wrap(type, f) {
  var prev = H[type];
  H[type] = safe(function (fr) { if (f(fr) !== false && prev) prev(fr); });
}

/* showInvite shows an invitation: Yes opens the form, No refuses it. */
function showInvite(i, fields) {
  if (!i || !i.id || (inv && inv.id === i.id)) return;
  inv = i; form = Array.isArray(fields) ? fields : [];
  var who = (i.operator && i.operator.name) || T.op;
  P.say('');
  P.f(P.b, [el('p', { t: T.invite.split('{n}').join(who) }),
    el('div', { c: 'pi' }, [el('button', { type: 'button', c: 'q', t: T.yes, onclick: yes }),
      el('button', { type: 'button', c: 'q o', t: T.no, onclick: no })])]);
  P.sh('inv');
  clearTimeout(expT);
  expT = setTimeout(safe(function () { if (inv === i && !answerID) { inv = null; P.hi(false); } }), Math.max(0, +i.expires - Date.now()));
}
function no() {
  if (!inv) return;
  P.tx({ action: 'answer', invitation: inv.id, accept: false }, 1);
  inv = null;
  P.hi(false);
}
/* yes shows the data collection form: required fields marked with a red asterisk. */
function yes() {
  if (!form.length) return send();
  F = []; E = [];
  note = el('p', { c: 'g', role: 'alert' });
  var kids = form.map(function (f, n) {
    var id = 'lh-pf' + n, area = f.type === 'textarea';
    F[n] = el(area ? 'textarea' : 'input', { id: id, type: area ? null : f.type, rows: area ? 3 : null,
      'aria-required': f.required ? 'true' : null, 'aria-invalid': 'false', 'aria-describedby': id + '-e',
      maxlength: area ? 1000 : 200, autocomplete: f.type === 'email' ? 'email' : f.type === 'tel' ? 'tel' : null });
    E[n] = el('p', { c: 'e', id: id + '-e' });
    return el('div', {}, [el('label', { 'for': id }, [el('span', { t: String(f.label) }),
      f.required ? el('span', { c: 'rq', 'aria-hidden': 'true', t: '*' }) : null,
      f.required ? el('span', { hidden: true, t: ' (' + T.required + ')' }) : null]), F[n], E[n]]);
  });
  P.f(P.b, [el('form', { c: 'fm', novalidate: true, onsubmit: function (e) { e.preventDefault(); send(); } },
    kids.concat([note, el('button', { type: 'submit', c: 'q', t: T.send })]))]);
  P.sh('frm');
}
function err(n, msg) {
  E[n].textContent = msg || '';
  F[n].setAttribute('aria-invalid', msg ? 'true' : 'false');
  return !!msg;
}
/* send checks the form here (the server checks it again) and accepts. */
function send() {
  if (!inv || answerID) return;
  var values = [], first = null;
  form.forEach(function (f, n) {
    var v = F[n].value.trim();
    values.push(v);
    if (err(n, !v && f.required ? T.req : v && f.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? T.mail : '') && !first) first = F[n];
  });
  if (first) { note.textContent = T.fix; return first.focus(); }
  if (note) note.textContent = '';
  answerID = P.tx({ action: 'answer', invitation: inv.id, accept: true, values: values }, 1);
}

/* engaged: an operator opened a chat directly (auto mode); the visitor may say no. */
function engaged(f) {
  var c = f.conversation || {};
  P.ch(false);
  var b = el('button', { type: 'button', c: 'nw', t: T.nowish, onclick: function () {
    P.tx({ action: 'send', conversation: c.id, client_id: 'nw-' + Date.now().toString(36), text: T.nowishText }, 1);
    b.remove();
    P.hi(true);
  } });
  P.b.insertBefore(b, P.b.firstChild);
}

wrap('hello', function () { visit(); });
wrap('visited', function (f) { if (f.invitation) showInvite(f.invitation, f.fields); return false; });
wrap('invite', function (f) { showInvite(f.invitation, f.fields); return false; });
wrap('answered', function () { return false; });
wrap('engaged', function (f) { engaged(f); return false; });
// after the widget drew the accepted conversation: the chat, and the queue message
var conv0 = H.conversation;
H.conversation = safe(function (f) {
  var mine = answerID && f.re === answerID;
  conv0(f);
  if (mine) { answerID = ''; inv = null; waiting = true; P.ch(false); P.say(T.queue); }
});
wrap('message', function (f) {
  if (waiting && f.message && f.message.author === 'operator') { waiting = false; P.say(); }
});
wrap('error', function (f) {
  if (!answerID || f.re !== answerID) return;
  answerID = '';
  var fl = f.fields || {}, k, first = null;
  for (k in fl) { var n = +k.split('.')[1]; if (E[n] && err(n, String(fl[k])) && !first) first = F[n]; }
  if (note) note.textContent = f.message || T.fix;
  if (f.code === 'conflict') { inv = null; }
  if (first) first.focus();
  return false;
});

P.done = 1;
P.c();
visit();
setInterval(safe(visit), every);
W.addEventListener('popstate', safe(visit));
W.addEventListener('hashchange', safe(visit));
if (after) setTimeout(safe(visit), Math.max(0, since + after * 1000 - Date.now()) + 300);
})();
})(window, document);
