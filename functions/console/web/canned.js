// Canned messages: the Canned menu of reply boxes (inserting a message
// with %name% replaced by the operator's current name, by the server) and
// the Configure canned messages view: the folder tree, add folder, add
// message, edit, delete, move, export to a file and import it back, and
// import of plain text files and whole directories.

import {api} from './api.js';
import {h, clear, fieldErrors} from './dom.js';
import {confirmDialog, formDialog, toast} from './dialog.js';
import {importFiles, importExport, exportFile} from './canned_io.js';

/** cannedButton returns the Canned menu button; insert(text) receives the chosen text. */
export function cannedButton(app, insert) {
  const wrap = h('div', {class: 'menu-wrap'});
  const btn = h('button', {type: 'button', class: 'ghost canned-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false'}, 'Canned ▾');
  const menu = h('div', {class: 'menu canned-menu', role: 'menu', hidden: true});
  const close = () => { menu.hidden = true; btn.setAttribute('aria-expanded', 'false'); };
  btn.addEventListener('click', async () => {
    if (!menu.hidden) { close(); return; }
    clear(menu, h('p', {class: 'muted menu-note'}, 'Loading…'));
    menu.hidden = false;
    btn.setAttribute('aria-expanded', 'true');
    try {
      const res = await api('GET', 'canned');
      const items = [];
      const walk = (nodes, depth) => {
        for (const n of nodes) {
          if (n.folder) {
            items.push(h('p', {class: 'menu-folder', style: null, 'data-depth': depth}, n.title));
            walk(n.children || [], depth + 1);
          } else {
            const b = h('button', {type: 'button', role: 'menuitem', class: 'menu-item', 'data-depth': depth, 'data-id': n.id}, n.title);
            b.addEventListener('click', async () => {
              close();
              try {
                const t = await api('GET', `canned/${encodeURIComponent(n.id)}/text`);
                insert(t.text);
              } catch (e) { toast(e.message, 'error'); }
            });
            items.push(b);
          }
        }
      };
      walk(res.tree, 0);
      const cfg = h('button', {type: 'button', role: 'menuitem', class: 'menu-item configure'}, '<configure messages>');
      cfg.addEventListener('click', () => { close(); app.navigate('#/canned'); });
      clear(menu, cfg, items);
      const first = menu.querySelector('button');
      if (first) first.focus();
    } catch (e) {
      clear(menu, h('p', {class: 'form-error'}, e.message));
    }
  });
  menu.addEventListener('keydown', ev => {
    if (ev.key === 'Escape') { close(); btn.focus(); }
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      const all = [...menu.querySelectorAll('button')];
      const i = all.indexOf(document.activeElement);
      const next = all[(i + (ev.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length];
      if (next) { ev.preventDefault(); next.focus(); }
    }
  });
  document.addEventListener('click', ev => { if (!wrap.contains(ev.target)) close(); });
  wrap.append(btn, menu);
  return wrap;
}

/** showCannedConfig renders the Configure canned messages view. */
export async function showCannedConfig(app, main) {
  const view = new Config(app, main);
  await view.reload();
}

class Config {
  constructor(app, main) {
    this.app = app;
    this.selected = null; // the selected node
    this.tree = h('ul', {class: 'tree', role: 'tree', 'aria-label': 'Canned messages'});
    this.editor = h('section', {class: 'editor card', 'aria-label': 'Edit the selected item'});
    const tb = (label, fn, cls) => h('button', {type: 'button', class: cls || 'ghost', onclick: fn}, label);
    clear(main,
      h('div', {class: 'view-head'}, h('h1', {}, 'Configure canned messages')),
      h('p', {class: 'muted intro'}, 'Templates for replies and chats. Write %name% where your name should go: it is replaced by the name of the operator who inserts the message, as it is at that moment.'),
      h('div', {class: 'toolbar wrap', role: 'toolbar', 'aria-label': 'Canned messages'},
        tb('Add folder', () => this.add(true)), tb('Add message', () => this.add(false)),
        tb('Move…', () => this.move()), tb('Delete', () => this.remove()),
        h('span', {class: 'spacer'}),
        tb('Export', () => exportFile()),
        importButton('Import file', {accept: '.json,application/json'}, files => this.run(() => importExport(files[0], this.folder()))),
        importButton('Import text files', {multiple: true, accept: '.txt,.text,.md,text/plain'}, files => this.run(() => importFiles(files, this.folder()))),
        importButton('Import directory', {multiple: true, webkitdirectory: true}, files => this.run(() => importFiles(files, this.folder()))),
        tb('Delete all', () => this.removeAll(), 'danger ghost')),
      h('div', {class: 'canned-grid'}, h('div', {class: 'tree-box card'}, this.tree), this.editor));
    this.drawEditor();
  }

  /** folder is where new items go: the selected folder, or the selected message's folder. */
  folder() {
    const s = this.selected;
    if (!s) return '';
    return s.folder ? s.id : s.parent || '';
  }

  async run(fn) {
    const done = await fn();
    if (done) await this.reload();
  }

  async reload() {
    const res = await api('GET', 'canned');
    this.nodes = new Map();
    const draw = (nodes, level) => nodes.map(n => {
      this.nodes.set(n.id, n);
      const label = h('button', {type: 'button', class: 'tree-label' + (n.folder ? ' folder' : ''), role: 'treeitem',
        'aria-selected': String(this.selected && this.selected.id === n.id), 'aria-level': level, 'data-id': n.id},
      h('span', {class: 'tree-icon ' + (n.folder ? 'folder' : 'message'), 'aria-hidden': 'true'}), h('span', {class: 'tree-title'}, n.title));
      label.addEventListener('click', () => this.select(n.id));
      return h('li', {}, label, n.folder && n.children && n.children.length ? h('ul', {role: 'group'}, draw(n.children, level + 1)) : null);
    });
    clear(this.tree, res.tree.length ? draw(res.tree, 1) : h('li', {class: 'muted empty-tree'}, 'No canned messages yet. Add a folder or a message, or import some.'));
    if (this.selected) this.selected = this.nodes.get(this.selected.id) || null;
    this.drawEditor();
  }

  select(id) {
    this.selected = this.nodes.get(id) || null;
    for (const b of this.tree.querySelectorAll('.tree-label')) b.setAttribute('aria-selected', String(b.dataset.id === id));
    this.drawEditor();
  }

  drawEditor() {
    const n = this.selected;
    if (!n) {
      clear(this.editor, h('p', {class: 'muted'}, 'Select an item to edit it, or add a folder or a message.'));
      return;
    }
    const form = h('form', {class: 'stack'},
      h('label', {for: 'canned-title'}, n.folder ? 'Folder name' : 'Title'),
      h('input', {id: 'canned-title', name: 'title', value: n.title, maxlength: 200, required: true}),
      n.folder ? null : [h('label', {for: 'canned-body'}, 'Text'), h('textarea', {id: 'canned-body', name: 'body', rows: 12, value: n.body || ''})],
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Save')));
    if (!n.folder) form.querySelector('textarea').value = n.body || '';
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      try {
        const body = {title: form.title.value};
        if (!n.folder) body.body = form.body.value;
        await api('PATCH', `canned/${encodeURIComponent(n.id)}`, body);
        fieldErrors(form, null);
        toast('Saved.');
        await this.reload();
      } catch (e) {
        fieldErrors(form, e);
        if (!Object.keys(e.fields).length) toast(e.message, 'error');
      }
    });
    clear(this.editor, h('h2', {}, n.folder ? 'Folder' : 'Message'), form);
  }

  async add(folder) {
    const parent = this.folder();
    const created = await formDialog(folder ? 'Add folder' : 'Add message', body => {
      body.append(h('label', {for: 'new-title'}, folder ? 'Folder name' : 'Title'), h('input', {id: 'new-title', name: 'title', maxlength: 200, required: true, placeholder: '<enter title>'}));
      if (!folder) body.append(h('label', {for: 'new-body'}, 'Text'), h('textarea', {id: 'new-body', name: 'body', rows: 8}));
      const where = parent ? this.nodes.get(parent).title : 'the top level';
      body.append(h('p', {class: 'muted'}, 'In ' + where + '.'));
    }, async form => {
      try {
        const res = await api('POST', 'canned', {parent, folder, title: form.title.value, body: folder ? '' : form.body.value});
        return res.node;
      } catch (e) {
        fieldErrors(form, e);
        throw e;
      }
    }, 'Add');
    if (created) {
      this.selected = created;
      await this.reload();
    }
  }

  async move() {
    const n = this.selected;
    if (!n) { toast('Select what to move first.'); return; }
    const options = [h('option', {value: ''}, 'Top level')];
    const walk = (nodes, depth) => {
      for (const x of nodes) {
        if (!x.folder || x.id === n.id) continue;
        options.push(h('option', {value: x.id}, '  '.repeat(depth) + '— ' + x.title));
        walk(x.children || [], depth + 1);
      }
    };
    walk([...this.nodes.values()].filter(x => !x.parent), 1);
    await formDialog('Move “' + n.title + '”', body => {
      body.append(h('label', {for: 'move-to'}, 'Move into'), h('select', {id: 'move-to', name: 'parent'}, options));
      body.querySelector('select').value = n.parent || '';
    }, async form => {
      try {
        await api('PATCH', `canned/${encodeURIComponent(n.id)}`, {parent: form.parent.value});
        await this.reload();
      } catch (e) {
        fieldErrors(form, e);
        throw e;
      }
    }, 'Move');
  }

  async remove() {
    const n = this.selected;
    if (!n) { toast('Select what to delete first.'); return; }
    const ok = await confirmDialog({title: 'Delete “' + n.title + '”?', message: n.folder ? 'The folder and everything in it will be deleted.' : 'The message will be deleted.', yes: 'Delete', danger: true});
    if (!ok) return;
    try {
      await api('DELETE', `canned/${encodeURIComponent(n.id)}`);
      this.selected = null;
      await this.reload();
    } catch (e) { toast(e.message, 'error'); }
  }

  async removeAll() {
    const ok = await confirmDialog({title: 'Delete every canned message?', message: 'All folders and messages of the site will be deleted. Export them first if you may want them back.', yes: 'Delete all', danger: true});
    if (!ok) return;
    try {
      const res = await api('DELETE', 'canned');
      this.selected = null;
      toast(`Deleted ${res.deleted} items.`);
      await this.reload();
    } catch (e) { toast(e.message, 'error'); }
  }
}

/** importButton is a button-styled file chooser calling pick(files). */
function importButton(label, attrs, pick) {
  const input = h('input', Object.assign({type: 'file', class: 'visually-hidden', tabindex: -1, 'aria-hidden': 'true', 'data-import': label}, attrs));
  if (attrs.webkitdirectory) input.webkitdirectory = true;
  const btn = h('button', {type: 'button', class: 'ghost'}, label);
  btn.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    if (files.length) pick(files);
  });
  return h('span', {class: 'file-button'}, btn, input);
}
