// The REST API, called with the API key the person signed in with. The key stays in this tab's session storage.

const KEY = 'celeriac.key';
const ROLE = 'celeriac.role';

/** An answer other than 2xx: the problem's detail, status and type. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `the API answered ${status}`);
    this.status = status;
    this.type = body?.type;
    this.body = body;
  }
}

/** What the API refused the key with sends the person back to sign in. */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

export function signedIn() { return sessionStorage.getItem(KEY) !== null; }
export function role() { return sessionStorage.getItem(ROLE) || 'read'; }

/** Whether the signed-in key's role includes this one (read < submit < admin). */
export function may(wanted) {
  const order = ['read', 'submit', 'admin'];
  return order.indexOf(role()) >= order.indexOf(wanted);
}

/** Checks a key with GET /api/v1/me and keeps it for this tab. */
export async function signIn(key) {
  const answer = await fetch('/api/v1/me', {headers: {Authorization: `Bearer ${key}`, Accept: 'application/json'}});
  if (!answer.ok) throw new Problem(answer.status, await body(answer));
  const me = await answer.json();
  sessionStorage.setItem(KEY, key);
  sessionStorage.setItem(ROLE, me.role);
  return me.role;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ROLE);
}

/** Calls the API; resolves with the parsed body (null for 204), rejects with a Problem. */
export async function call(method, path, payload) {
  const headers = {Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, Accept: 'application/json'};
  const init = {method, headers};
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(payload);
  }
  let answer;
  try {
    answer = await fetch(path, init);
  } catch (e) {
    throw new Problem(0, {detail: 'the API could not be reached'});
  }
  if (answer.status === 401) {
    onUnauthorized();
    throw new Problem(401, await body(answer));
  }
  if (!answer.ok) throw new Problem(answer.status, await body(answer));
  return answer.status === 204 ? null : answer.json();
}

async function body(answer) {
  try { return await answer.json(); } catch (e) { return null; }
}

export const get = path => call('GET', path);
export const post = (path, payload) => call('POST', path, payload);
export const put = (path, payload) => call('PUT', path, payload);
export const del = path => call('DELETE', path);

/** A query string of the non-empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
