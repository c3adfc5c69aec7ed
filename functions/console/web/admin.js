// Admin: the site's settings (button labels per language, auto-reply, spam
// protection, allowed origins, slots, proactive chat), its operators (add,
// rename, role, slots, password), groups and the API keys of phone
// integrations. Only admins see it; the API refuses everyone else.

import {api} from './api.js';
import {h, clear, fieldErrors, when} from './dom.js';
import {formDialog, confirmDialog, toast} from './dialog.js';

export async function showAdmin(app, main) {
  const [site, ops, groups, keys] = await Promise.all([api('GET', 'admin/site'), api('GET', 'admin/operators'),
    api('GET', 'admin/groups'), api('GET', 'admin/apikeys')]);
  const reload = () => showAdmin(app, main);
  clear(main, h('div', {class: 'view-head'}, h('h1', {}, 'Admin')),
    h('div', {class: 'admin-grid'},
      siteForm(site),
      h('div', {class: 'admin-side'},
        operators(app, ops.operators, groups.groups, reload),
        groupList(ops.operators, groups.groups, reload),
        keyList(keys.keys, reload))));
}

function siteForm(res) {
  const s = res.site;
  const langs = [...new Set([...res.languages, ...Object.keys(s.labels || {})])];
  const field = (id, label, input) => [h('label', {for: id}, label), input];
  const form = h('form', {class: 'stack', novalidate: true},
    field('site-name-in', 'Site name', h('input', {id: 'site-name-in', name: 'name', value: s.name, maxlength: 100})),
    field('site-url', 'Site page (resume links open it)', h('input', {id: 'site-url', name: 'url', value: s.url, type: 'url'})),
    field('site-origins', 'Allowed origins (one per line)', h('textarea', {id: 'site-origins', name: 'allowed_origins', rows: 3})),
    field('site-lang', 'Default language', h('select', {id: 'site-lang', name: 'default_lang'}, langs.map(l => h('option', {value: l}, l)))),
    h('fieldset', {}, h('legend', {}, 'Button labels'),
      h('table', {class: 'labels'},
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Language'), h('th', {scope: 'col'}, 'Online'), h('th', {scope: 'col'}, 'Busy'), h('th', {scope: 'col'}, 'Offline'))),
        h('tbody', {}, langs.map(l => h('tr', {}, h('th', {scope: 'row'}, l),
          ['online', 'busy', 'offline'].map(k => h('td', {}, h('input', {name: `labels.${l}.${k}`, 'aria-label': `${l} ${k} label`, maxlength: 60,
            value: ((s.labels || {})[l] || {})[k] || '', placeholder: ((res.default_labels || {})[l] || {})[k] || ''})))))))),
    field('site-reply', 'Auto-reply after an offline message', h('textarea', {id: 'site-reply', name: 'auto_reply', rows: 3})),
    h('label', {class: 'toggle', for: 'site-spam'}, h('input', {id: 'site-spam', name: 'spam_protection', type: 'checkbox', checked: s.spam_protection}), ' Enable spam protection for offline messages (CAPTCHA)'),
    field('site-slots', 'Chats per operator at once (default)', h('input', {id: 'site-slots', name: 'slots', type: 'number', min: 1, max: 50, value: s.slots || 3})),
    proactiveFieldset(s.proactive || {}),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Save settings')));
  form.allowed_origins.value = (s.allowed_origins || []).join('\n');
  form.auto_reply.value = s.auto_reply || '';
  form.default_lang.value = s.default_lang || 'en';
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const labels = {};
    for (const l of langs) {
      const v = k => form.querySelector(`[name="labels.${l}.${k}"]`).value.trim();
      if (v('online') || v('busy') || v('offline')) labels[l] = {online: v('online'), busy: v('busy'), offline: v('offline')};
    }
    try {
      await api('PUT', 'admin/site', {name: form.name.value, url: form.url.value, default_lang: form.default_lang.value, labels,
        allowed_origins: form.allowed_origins.value.split('\n').map(x => x.trim()).filter(Boolean), auto_reply: form.auto_reply.value,
        spam_protection: form.spam_protection.checked, slots: Number(form.slots.value),
        proactive: proactiveValue(form)});
      fieldErrors(form, null);
      toast('Settings saved.');
    } catch (e) {
      fieldErrors(form, e);
      toast(e.message, 'error');
    }
  });
  return h('section', {class: 'card admin-site', 'aria-labelledby': 'adm-site'}, h('h2', {id: 'adm-site'}, 'Site settings'), form);
}

// Proactive chat settings: mode, seconds (without invite), data form fields.
function proactiveFieldset(p) {
  const field = (id, label, input) => [h('label', {for: id}, label), input];
  const rows = h('tbody', {});
  const addRow = f => rows.append(h('tr', {class: 'pf-row'},
    h('td', {}, h('input', {name: 'pf-label', 'aria-label': 'Field label', maxlength: 60, value: f.label || ''})),
    h('td', {}, h('select', {name: 'pf-type', 'aria-label': 'Field type'}, ['text', 'email', 'tel', 'textarea'].map(t => h('option', {value: t, selected: f.type === t}, t)))),
    h('td', {}, h('input', {name: 'pf-required', type: 'checkbox', 'aria-label': 'Required', checked: !!f.required})),
    h('td', {}, h('button', {type: 'button', onclick: ev => ev.currentTarget.closest('tr').remove()}, 'Remove'))));
  (p.fields || []).forEach(addRow);
  const mode = h('select', {id: 'site-pro-mode', name: 'proactive.mode'},
    [['off', 'Off'], ['invite', 'Invite'], ['auto', 'Without invite']].map(([v, l]) => h('option', {value: v, selected: (p.mode || 'off') === v}, l)));
  return h('fieldset', {}, h('legend', {}, 'Proactive chat'),
    field('site-pro-mode', 'Mode', mode),
    field('site-pro-s', 'Without invite: alert the first available operator after (seconds on the site)',
      h('input', {id: 'site-pro-s', name: 'proactive.seconds', type: 'number', min: 0, max: 3600, value: p.seconds || 0})),
    h('p', {class: 'muted'}, 'Data collection form (invite mode): fields the visitor fills in after accepting.'),
    h('table', {class: 'data'}, h('thead', {}, h('tr', {}, ['Label', 'Type', 'Required', ''].map(t => h('th', {scope: 'col'}, t)))), rows),
    h('button', {type: 'button', onclick: () => addRow({type: 'text'})}, 'Add field'));
}

function proactiveValue(form) {
  return {mode: form['proactive.mode'].value, seconds: Number(form['proactive.seconds'].value),
    fields: [...form.querySelectorAll('tr.pf-row')].map(r => ({label: r.querySelector('[name=pf-label]').value,
      type: r.querySelector('[name=pf-type]').value, required: r.querySelector('[name=pf-required]').checked}))};
}

function operators(app, ops, groups, reload) {
  const groupName = id => (groups.find(g => g.id === id) || {}).name || '';
  const edit = op => formDialog(op ? 'Edit ' + op.name : 'Add operator', body => {
    if (!op) body.append(h('label', {for: 'op-email'}, 'Login email'), h('input', {id: 'op-email', name: 'email', type: 'email', autocomplete: 'off'}));
    body.append(
      h('label', {for: 'op-name'}, 'Name'), h('input', {id: 'op-name', name: 'name', value: op ? op.name : '', maxlength: 100}),
      h('label', {for: 'op-role'}, 'Role'), h('select', {id: 'op-role', name: 'role'}, h('option', {value: 'operator'}, 'Operator'), h('option', {value: 'admin'}, 'Admin')),
      h('label', {for: 'op-slots'}, 'Chats at once (0 = site default)'), h('input', {id: 'op-slots', name: 'slots', type: 'number', min: 0, max: 50, value: op ? op.slots : 0}),
      h('label', {for: 'op-pass'}, op ? 'New password (leave empty to keep)' : 'Password (10 characters or more)'), h('input', {id: 'op-pass', name: 'password', type: 'password', autocomplete: 'new-password'}));
    body.querySelector('select').value = op ? op.role : 'operator';
  }, async form => {
    const body = {name: form.name.value, role: form.role.value, slots: Number(form.slots.value)};
    if (form.password.value || !op) body.password = form.password.value;
    try {
      if (op) await api('PATCH', 'admin/operators/' + encodeURIComponent(op.id), body);
      else await api('POST', 'admin/operators', Object.assign({email: form.email.value}, body));
      toast(op ? 'Operator saved.' : 'Operator added.');
      reload();
    } catch (e) {
      fieldErrors(form, e);
      throw e;
    }
  });
  return h('section', {class: 'card', 'aria-labelledby': 'adm-ops'}, h('div', {class: 'section-head'}, h('h2', {id: 'adm-ops'}, 'Operators'),
    h('button', {type: 'button', class: 'secondary', onclick: () => edit(null)}, 'Add operator')),
  h('div', {class: 'table-wrap'}, h('table', {class: 'data'}, h('thead', {}, h('tr', {}, ['Name', 'Email', 'Role', 'Slots', 'Groups', ''].map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, ops.map(o => h('tr', {},
      h('td', {}, o.name, o.id === app.me.id ? ' (you)' : ''), h('td', {}, o.email), h('td', {}, o.role), h('td', {}, String(o.slots || 'default')),
      h('td', {}, o.groups.map(groupName).join(', ')),
      h('td', {}, h('button', {type: 'button', class: 'link', onclick: () => edit(o)}, 'Edit'))))))));
}

function groupList(ops, groups, reload) {
  const edit = g => formDialog(g ? 'Edit group' : 'Add group', body => {
    body.append(h('label', {for: 'grp-name'}, 'Name'), h('input', {id: 'grp-name', name: 'name', value: g ? g.name : '', maxlength: 200}),
      h('fieldset', {}, h('legend', {}, 'Members'), ops.map(o => h('label', {class: 'toggle'},
        h('input', {type: 'checkbox', name: 'members', value: o.id, checked: g && g.members.includes(o.id)}), ' ', o.name))));
  }, async form => {
    const body = {name: form.name.value, members: [...form.querySelectorAll('[name=members]:checked')].map(x => x.value)};
    try {
      if (g) await api('PATCH', 'admin/groups/' + encodeURIComponent(g.id), body);
      else await api('POST', 'admin/groups', body);
      reload();
    } catch (e) {
      fieldErrors(form, e);
      throw e;
    }
  });
  const name = id => (ops.find(o => o.id === id) || {}).name || id;
  return h('section', {class: 'card', 'aria-labelledby': 'adm-groups'}, h('div', {class: 'section-head'}, h('h2', {id: 'adm-groups'}, 'Groups'),
    h('button', {type: 'button', class: 'secondary', onclick: () => edit(null)}, 'Add group')),
  groups.length ? h('ul', {class: 'plain'}, groups.map(g => h('li', {}, h('strong', {}, g.name), ': ', g.members.map(name).join(', ') || 'nobody', ' ',
    h('button', {type: 'button', class: 'link', onclick: () => edit(g)}, 'Edit')))) : h('p', {class: 'muted'}, 'No groups yet.'));
}

function keyList(keys, reload) {
  const add = () => formDialog('New API key', body => {
    body.append(h('p', {class: 'muted'}, 'A phone integration posts call records to POST /v1/console/calls with the header X-Api-Key.'),
      h('label', {for: 'key-name'}, 'Name'), h('input', {id: 'key-name', name: 'name', maxlength: 100, placeholder: 'Office PBX'}));
  }, async form => {
    try {
      const res = await api('POST', 'admin/apikeys', {name: form.name.value});
      await formDialog('Copy the key now', body => body.append(h('p', {}, 'It will not be shown again.'),
        h('input', {readonly: true, value: res.key.key, class: 'mono', 'aria-label': 'API key', onfocus: ev => ev.target.select()})), async () => true, 'Done');
      reload();
    } catch (e) {
      fieldErrors(form, e);
      throw e;
    }
  }, 'Create');
  const revoke = async k => {
    if (!await confirmDialog({title: 'Revoke “' + k.name + '”?', message: 'Integrations using it stop working at once.', yes: 'Revoke', danger: true})) return;
    await api('DELETE', 'admin/apikeys/' + encodeURIComponent(k.id));
    reload();
  };
  return h('section', {class: 'card', 'aria-labelledby': 'adm-keys'}, h('div', {class: 'section-head'}, h('h2', {id: 'adm-keys'}, 'Phone integration keys'),
    h('button', {type: 'button', class: 'secondary', onclick: add}, 'New key')),
  keys.length ? h('ul', {class: 'plain'}, keys.map(k => h('li', {}, h('strong', {}, k.name), ' · made ', when(k.created), ' ',
    h('button', {type: 'button', class: 'link danger', onclick: () => revoke(k)}, 'Revoke')))) : h('p', {class: 'muted'}, 'No keys yet.'));
}
