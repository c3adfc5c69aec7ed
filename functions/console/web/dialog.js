// Modal dialogs built on <dialog>: confirmations and small forms. They are
// part of the page (no window.confirm), keyboard friendly (Escape cancels,
// focus moves in and back) and styled like the rest of the console.

import {h} from './dom.js';

/**
 * confirmDialog asks a yes/no question and resolves true for yes.
 * opts: {title, message, yes, no, danger}
 */
export function confirmDialog(opts) {
  return new Promise(resolve => {
    const back = document.activeElement;
    const yes = h('button', {type: 'submit', class: opts.danger ? 'danger' : 'primary', value: 'yes'}, opts.yes || 'OK');
    const no = h('button', {type: 'button', class: 'ghost', onclick: () => dlg.close('no')}, opts.no || 'Cancel');
    const dlg = h('dialog', {class: 'modal confirm', 'aria-labelledby': 'dlg-title'},
      h('form', {method: 'dialog'},
        h('h2', {id: 'dlg-title'}, opts.title || 'Are you sure?'),
        opts.message ? h('p', {class: 'dialog-message'}, opts.message) : null,
        h('div', {class: 'actions'}, no, yes)));
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (back && back.focus) back.focus();
      resolve(dlg.returnValue === 'yes');
    });
    document.body.append(dlg);
    dlg.showModal();
    yes.focus();
  });
}

/**
 * formDialog shows a form built by build(form) and resolves with the
 * submit handler's result, or null when cancelled. submit(form) may throw
 * to keep the dialog open (it should show the error itself).
 */
export function formDialog(title, build, submit, okLabel) {
  return new Promise(resolve => {
    const back = document.activeElement;
    let result = null;
    const form = h('form', {class: 'stack'});
    const body = h('div', {class: 'dialog-body'});
    build(body);
    const ok = h('button', {type: 'submit', class: 'primary'}, okLabel || 'Save');
    const cancel = h('button', {type: 'button', class: 'ghost', onclick: () => dlg.close()}, 'Cancel');
    form.append(h('h2', {}, title), body, h('div', {class: 'actions'}, cancel, ok));
    const dlg = h('dialog', {class: 'modal'}, form);
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      ok.disabled = true;
      try {
        result = await submit(form);
        dlg.close();
      } catch (e) {
        // the submit handler has shown the problem
      } finally {
        ok.disabled = false;
      }
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (back && back.focus) back.focus();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = form.querySelector('input, textarea, select');
    if (first) first.focus();
  });
}

/** toast shows a short message at the bottom of the screen. */
export function toast(message, kind) {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', {id: 'toasts', role: 'status', 'aria-live': 'polite'});
    document.body.append(box);
  }
  const t = h('div', {class: 'toast ' + (kind || '')}, message);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}
