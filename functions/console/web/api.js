// The console API client: JSON over fetch with the session token, and one
// error type carrying the API's stable code and per-field messages.

const base = new URL('v1/console/', document.baseURI.replace(/console\/?(\?.*)?$/, '')).href;
let token = sessionStorage.getItem('lh.token') || '';
let onUnauthorized = () => {};

/** ApiError is a failed request: code is the API's stable error code. */
export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || 'Something went wrong.');
    this.status = status;
    this.code = code || 'internal';
    this.fields = fields || {};
  }
}

export function setToken(t) {
  token = t || '';
  if (token) sessionStorage.setItem('lh.token', token);
  else sessionStorage.removeItem('lh.token');
}

export function getToken() { return token; }

/** whenUnauthorized sets what happens when a session ends (401). */
export function whenUnauthorized(fn) { onUnauthorized = fn; }

/** api sends a request to path (relative to /v1/console/) and returns the decoded JSON. */
export async function api(method, path, body, opts = {}) {
  const headers = {'Accept': 'application/json'};
  if (token) headers['Authorization'] = 'Bearer ' + token;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(base + path, {method, headers, body: payload, cache: 'no-store'});
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (opts.raw && res.ok) return res;
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code, e.message, e.fields);
    if (res.status === 401 && path !== 'login') onUnauthorized(err);
    throw err;
  }
  return data || {};
}

/** qs builds a query string from an object, skipping empty values. */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined && v !== null && v !== false) p.set(k, v === true ? '1' : v);
  const s = p.toString();
  return s ? '?' + s : '';
}
