// The Visitor's Profile: who the visitor is (names, addresses, presence),
// the Message board (messages, transcripts and call records, newest
// first, with the Messages / Chat / Calls filters in any combination,
// Only unclosed and search) and the reply box (<all emails>, one address,
// <add email>, <don't send>; subject, body, canned messages; Send).

import {api, qs} from './api.js';
import {h, clear, dot, when, newID, fieldErrors} from './dom.js';
import {renderItem} from './items.js';
import {formDialog, toast} from './dialog.js';
import {cannedButton} from './canned.js';
import {insertAt} from './chat.js';

const ADD = '__add';

export async function showProfile(app, main, visitor) {
  const res = await api('GET', `visitors/${encodeURIComponent(visitor)}`);
  const view = new Profile(app, main, res.profile);
  await view.load(false);
}

class Profile {
  constructor(app, main, profile) {
    this.app = app;
    this.p = profile;
    this.filters = new Set(['messages', 'chat', 'calls']);
    this.after = '';
    this.head = h('header', {class: 'profile-head card'});
    this.items = h('div', {class: 'items', 'aria-live': 'polite'});
    this.more = h('button', {type: 'button', class: 'ghost', hidden: true, onclick: () => this.load(true)}, 'Older items');
    this.reply = h('section', {class: 'reply card', 'aria-labelledby': 'reply-title'});
    clear(main, h('div', {class: 'profile'},
      this.head,
      h('div', {class: 'profile-grid'},
        h('section', {class: 'board', 'aria-labelledby': 'board-title'},
          h('h2', {id: 'board-title'}, 'Message board'), this.toolbar(), this.items, this.more),
        this.reply)));
    this.drawHead();
    this.drawReply();
  }

  drawHead() {
    const p = this.p;
    const others = p.names.filter(n => n !== p.name);
    clear(this.head,
      h('div', {class: 'profile-title'}, dot(p.online), h('h1', {}, p.name || 'Visitor'),
        h('span', {class: 'muted presence-text'}, p.online ? 'On the site now' : 'Gone')),
      h('dl', {class: 'facts'},
        others.length ? [h('dt', {}, 'Also known as'), h('dd', {}, others.join(', '))] : null,
        h('dt', {}, 'Email'), h('dd', {class: 'emails'}, p.emails.length ? p.emails.join(', ') : 'None yet'),
        h('dt', {}, 'First seen'), h('dd', {}, when(p.created))),
      p.conversation ? h('a', {class: 'button ghost', href: '#/chat/' + p.conversation.id}, 'Open chat') : null);
  }

  toolbar() {
    const btn = (key, label) => {
      const b = h('button', {type: 'button', class: 'filter', 'aria-pressed': 'true', 'data-filter': key}, label);
      b.addEventListener('click', () => {
        if (this.filters.has(key)) this.filters.delete(key); else this.filters.add(key);
        b.setAttribute('aria-pressed', String(this.filters.has(key)));
        this.load(false);
      });
      return b;
    };
    this.unclosed = h('input', {type: 'checkbox', id: 'only-unclosed'});
    this.unclosed.addEventListener('change', () => this.load(false));
    this.search = h('input', {type: 'search', id: 'board-search', placeholder: 'Word or phrase', maxlength: 100});
    let t;
    this.search.addEventListener('input', () => { clearTimeout(t); t = setTimeout(() => this.load(false), 300); });
    return h('div', {class: 'toolbar', role: 'toolbar', 'aria-label': 'Filter the board'},
      h('div', {class: 'filters'}, btn('messages', 'Messages'), btn('chat', 'Chat'), btn('calls', 'Calls')),
      h('label', {class: 'toggle', for: 'only-unclosed'}, this.unclosed, ' Only unclosed'),
      h('label', {class: 'search', for: 'board-search'}, h('span', {class: 'visually-hidden'}, 'Search'), this.search));
  }

  async load(append) {
    if (this.filters.size === 0) {
      clear(this.items, h('p', {class: 'empty-note'}, 'Choose Messages, Chat or Calls to see the history.'));
      this.more.hidden = true;
      return;
    }
    const q = {filter: [...this.filters].join(','), unclosed: this.unclosed.checked, q: this.search.value.trim(), after: append ? this.after : ''};
    const seq = (this.seq = (this.seq || 0) + 1);
    let res;
    try {
      res = await api('GET', `visitors/${encodeURIComponent(this.p.id)}/board` + qs(q));
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    if (seq !== this.seq) return; // a newer search is on its way
    this.after = res.next;
    const opts = {onChanged: (item, msg) => this.app.summary.setMSG(msg)};
    const els = res.items.map(it => renderItem(it, opts));
    if (append) this.items.append(...els);
    else clear(this.items, els.length ? els : h('p', {class: 'empty-note'}, q.q || q.unclosed ? 'Nothing matches.' : 'No history yet.'));
    this.more.hidden = !res.next;
    if (!append && !this.subjectSet) {
      const last = res.items.find(i => i.kind === 'message' && i.subject);
      if (last && this.form && !this.form.subject.value) this.form.subject.value = /^re:/i.test(last.subject) ? last.subject : 'Re: ' + last.subject;
      this.subjectSet = true;
    }
  }

  drawReply() {
    const to = h('select', {id: 'reply-to', name: 'to'});
    const fill = chosen => {
      clear(to,
        h('option', {value: 'all'}, '<all emails>'),
        this.p.emails.map(e => h('option', {value: e}, e)),
        h('option', {value: ADD}, '<add email>'),
        h('option', {value: 'none'}, "<don't send>"));
      to.value = chosen || (this.p.emails.length ? 'all' : 'none');
    };
    fill();
    const addBox = h('div', {class: 'add-email', hidden: true},
      h('label', {for: 'add-email'}, 'New address'),
      h('input', {id: 'add-email', name: 'email', type: 'email', autocomplete: 'off', placeholder: 'name@example.com'}),
      h('button', {type: 'button', class: 'secondary', id: 'add-email-ok'}, 'OK'));
    const subject = h('input', {id: 'reply-subject', name: 'subject', maxlength: 200, autocomplete: 'off'});
    const text = h('textarea', {id: 'reply-text', name: 'text', rows: 8});
    const note = h('p', {class: 'muted reply-hint'});
    const form = h('form', {class: 'stack', novalidate: true},
      h('label', {for: 'reply-to'}, 'Email'), to, addBox,
      h('label', {for: 'reply-subject'}, 'Subject'), subject,
      h('label', {for: 'reply-text'}, 'Message'), text, note,
      h('div', {class: 'actions'},
        cannedButton(this.app, t => insertAt(text, t)),
        h('button', {type: 'button', class: 'ghost', onclick: () => this.logCall()}, 'Log a call'),
        h('span', {class: 'spacer'}),
        h('button', {type: 'submit', class: 'primary', id: 'reply-send'}, 'Send')));
    this.form = form;
    const hint = () => {
      note.textContent = to.value === 'none' ? 'Saved as a private note on the board; nothing is emailed.'
        : to.value === 'all' ? `Sent to every address of the visitor (${this.p.emails.length}).` : '';
      form.querySelector('#reply-send').textContent = to.value === 'none' ? 'Save note' : 'Send';
    };
    to.addEventListener('change', () => {
      addBox.hidden = to.value !== ADD;
      if (to.value === ADD) addBox.querySelector('input').focus();
      hint();
    });
    addBox.querySelector('button').addEventListener('click', async () => {
      try {
        const res = await api('POST', `visitors/${encodeURIComponent(this.p.id)}/emails`, {email: addBox.querySelector('input').value});
        this.p = res.profile;
        fill(res.email);
        addBox.hidden = true;
        addBox.querySelector('input').value = '';
        fieldErrors(form, null);
        this.drawHead();
        hint();
        toast('Address added to the profile.');
      } catch (e) {
        fieldErrors(form, e.fields && e.fields.email ? e : {fields: {email: e.message}});
      }
    });
    form.addEventListener('submit', ev => { ev.preventDefault(); this.send(form, to); });
    hint();
    clear(this.reply, h('h2', {id: 'reply-title'}, 'Reply'), form);
  }

  async send(form, to) {
    if (to.value === ADD) {
      fieldErrors(form, {fields: {to: 'Add the address first with OK, or choose another.'}});
      return;
    }
    const btn = form.querySelector('#reply-send');
    btn.disabled = true;
    this.clientID = this.clientID || newID(); // a retry after an error sends the same reply once
    try {
      await api('POST', `visitors/${encodeURIComponent(this.p.id)}/replies`,
        {to: to.value, subject: form.subject.value, text: form.text.value, client_id: this.clientID});
      toast(to.value === 'none' ? 'Note saved.' : 'Reply sent.');
      this.clientID = null;
      form.text.value = '';
      fieldErrors(form, null);
      await this.load(false);
    } catch (e) {
      fieldErrors(form, e);
      if (!Object.keys(e.fields || {}).length) toast(e.message, 'error');
      if (e.code === 'invalid') this.clientID = null;
    } finally {
      btn.disabled = false;
    }
  }

  async logCall() {
    const local = d => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await formDialog('Log a call', body => {
      body.append(
        h('label', {for: 'call-at'}, 'Started at'), h('input', {id: 'call-at', name: 'at', type: 'datetime-local', value: local(new Date()), required: true}),
        h('label', {for: 'call-min'}, 'Duration (minutes)'), h('input', {id: 'call-min', name: 'duration', type: 'number', min: 0, max: 1440, step: 'any', value: 5}),
        h('label', {for: 'call-dir'}, 'Direction'),
        h('select', {id: 'call-dir', name: 'direction'}, h('option', {value: 'inbound'}, 'Inbound (they called)'), h('option', {value: 'outbound'}, 'Outbound (we called)')),
        h('label', {for: 'call-phone'}, 'Phone number'), h('input', {id: 'call-phone', name: 'phone', type: 'tel', autocomplete: 'off'}),
        h('label', {for: 'call-note'}, 'Note'), h('textarea', {id: 'call-note', name: 'note', rows: 3}),
        h('label', {class: 'toggle', for: 'call-follow'}, h('input', {id: 'call-follow', name: 'follow_up', type: 'checkbox'}), ' Needs a follow-up (keep unclosed)'));
    }, async form => {
      try {
        await api('POST', `visitors/${encodeURIComponent(this.p.id)}/calls`, {
          at: new Date(form.at.value).toISOString(), duration: Math.round(Number(form.duration.value || 0) * 60),
          direction: form.direction.value, phone: form.phone.value, note: form.note.value, follow_up: form.follow_up.checked});
        toast('Call logged.');
        await this.load(false);
      } catch (e) {
        fieldErrors(form, e);
        throw e;
      }
    }, 'Log call');
  }
}
