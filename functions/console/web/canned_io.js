// Export and import of canned messages. Export downloads the JSON file the
// API makes; importing it back restores the tree exactly. Plain text files
// and whole directories import too: directory names become folders, file
// names titles, file texts bodies. Each file over 10 KB is confirmed one by
// one; the server checks everything again and imports all or nothing.

import {api, ApiError} from './api.js';
import {h} from './dom.js';
import {confirmDialog, formDialog, toast} from './dialog.js';

const LARGE = 10 * 1024;
const MAX_REQUEST = 5 * 1024 * 1024;

/** exportFile downloads the site's canned messages as a JSON file. */
export async function exportFile() {
  try {
    const res = await api('GET', 'canned/export', undefined, {raw: true});
    const blob = await res.blob();
    const name = (/filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '') || [])[1] || 'canned.json';
    const url = URL.createObjectURL(blob);
    const a = h('a', {href: url, download: name, hidden: true});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    toast('Exported to ' + name + '.');
  } catch (e) {
    toast(e.message, 'error');
  }
}

/** importExport imports an exported JSON file into the folder parent; it resolves true when something changed. */
export async function importExport(file, parent) {
  let data;
  try {
    data = JSON.parse(await file.text());
  } catch (e) {
    await problems('This file cannot be imported', [[file.name, 'It is not a canned-messages export (not JSON).']]);
    return false;
  }
  return send({parent, export: data}, file.name);
}

/** importFiles imports text files or a directory's files into the folder parent. */
export async function importFiles(files, parent) {
  const picked = [];
  const confirmed = [];
  let total = 0;
  for (const f of files) {
    const path = f.webkitRelativePath || f.name;
    const base = path.split('/').pop();
    if (base.startsWith('.') || /^(thumbs\.db|desktop\.ini)$/i.test(base)) continue; // the server skips them too
    if (f.size > LARGE) {
      const ok = await confirmDialog({title: 'Import a large file?',
        message: `“${path}” is ${Math.ceil(f.size / 1024)} KB, more than 10 KB. Import it as a canned message anyway?`,
        yes: 'Import it', no: 'Skip it'});
      if (!ok) continue;
      confirmed.push(path);
    }
    total += f.size;
    picked.push({file: f, path});
  }
  if (!picked.length) {
    toast('Nothing to import.');
    return false;
  }
  if (total > MAX_REQUEST) {
    await problems('Too much at once', [['', `These files hold ${Math.ceil(total / 1048576)} MB; import at most 5 MB at a time.`]]);
    return false;
  }
  const payload = [];
  for (const p of picked) payload.push({path: p.path, text: await p.file.text()});
  return send({parent, files: payload, confirmed}, picked.length + ' files');
}

async function send(body, what) {
  try {
    const res = await api('POST', 'canned/import', body);
    toast(`Imported ${res.imported} items from ${what}.` + (res.skipped ? ` Skipped ${res.skipped} hidden files.` : ''));
    return true;
  } catch (e) {
    if (e instanceof ApiError && Object.keys(e.fields).length) {
      await problems(e.message, Object.entries(e.fields));
    } else {
      toast(e.message, 'error');
    }
    return false;
  }
}

/** problems lists what is wrong with each file; nothing was imported. */
function problems(title, rows) {
  return formDialog(title, body => {
    body.append(h('p', {}, 'Nothing was imported. Fix these and try again:'),
      h('ul', {class: 'problems'}, rows.map(([path, msg]) => h('li', {}, path ? h('strong', {}, path) : null, path ? ': ' : '', msg))));
  }, async () => true, 'OK');
}
