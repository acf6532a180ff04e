// Talking to the studio's API: JSON in and out, the token (if the studio has one) on every request.
const params = new URLSearchParams(location.search);
if (params.get('token')) sessionStorage.setItem('ember.token', params.get('token'));
const token = sessionStorage.getItem('ember.token');

export async function api(method, path, body) {
  const headers = {};
  if (token) headers['X-Ember-Token'] = token;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  if (!res.ok) throw new Error((data && data.error) || res.statusText);
  return data;
}

// Uploads a file's bytes into the first data root's uploads/ folder; the studio limits the size.
export async function upload(file) {
  const headers = { 'Content-Type': 'application/octet-stream' };
  if (token) headers['X-Ember-Token'] = token;
  const res = await fetch('/api/uploads?name=' + encodeURIComponent(file.name), { method: 'POST', headers, body: file });
  const data = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

// An EventSource cannot send headers: the token goes in the query.
export function events(path) {
  return new EventSource(token ? path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : path);
}

// A POST whose answer is an event stream (chat): calls onEvent(name, data) for each event. Aborting signal stops
// reading, and the studio then stops generating.
export async function postStream(path, body, onEvent, signal) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers['X-Ember-Token'] = token;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), signal });
  if (!res.ok) {
    const text = await res.text();
    let msg = text;
    try { msg = JSON.parse(text).error; } catch (e) { /* plain text */ }
    throw new Error(msg);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let name = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      onEvent(name, data ? JSON.parse(data) : null);
    }
  }
}

// Builds an element with text content only: user data is never parsed as markup.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
