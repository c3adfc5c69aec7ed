// DOM helpers. Every piece of text goes in with textContent (through h or
// text nodes), never innerHTML, so names, messages and subjects written by
// visitors render inert whatever they contain.

/**
 * h builds an element: h('button', {class: 'x', onclick: fn}, 'Text', child).
 * Attributes starting with "on" become listeners; strings become text nodes;
 * null, undefined and false children are skipped; arrays are flattened.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected' || k === 'multiple') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** append adds children (strings as text) to el. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** clear removes every child of el, then appends children. */
export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** svg builds an SVG element with attributes (for charts). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const timeFmt = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit'});
const dateFmt = new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit'});

/** when formats a time: the time today, the date and time otherwise. */
export function when(t) {
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return '';
  const now = new Date();
  return d.toDateString() === now.toDateString() ? timeFmt.format(d) : dateFmt.format(d);
}

/** duration formats seconds as 1 h 02 min 03 s. */
export function duration(s) {
  s = Math.max(0, Math.round(s));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (hh) return `${hh} h ${String(mm).padStart(2, '0')} min`;
  if (mm) return `${mm} min ${String(ss).padStart(2, '0')} s`;
  return `${ss} s`;
}

/** dot is a presence dot: green when on, red when gone, with a text label for screen readers. */
export function dot(online, label) {
  const text = label || (online ? 'On the site now' : 'Gone');
  return h('span', {class: 'dot ' + (online ? 'on' : 'off'), title: text, role: 'img', 'aria-label': text});
}

/** id returns a random id for client ids. */
export function newID() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

/** fieldErrors shows per-field messages of an API error next to a form's inputs (by name). */
export function fieldErrors(form, err) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const fields = (err && err.fields) || {};
  let first = null;
  for (const [name, msg] of Object.entries(fields)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const note = h('p', {class: 'field-error', role: 'alert'}, msg);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.insertAdjacentElement('afterend', note);
      first = first || input;
    } else {
      form.prepend(note);
    }
  }
  if (first) first.focus();
}
