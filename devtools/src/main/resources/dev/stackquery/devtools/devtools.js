// StackQuery devtools page: plain JavaScript, no build step. Every request carries the access
// token from the page's URL; the event stream says "changed" and the page fetches the JSON again.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const state = { prefix: '', selected: null, info: null, loadedAt: 0, serverNow: 0, refreshing: null, again: false };

function api(path, method) {
  return fetch(path, { method: method || 'GET', headers: { 'X-StackQuery-Token': token } }).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  });
}

// "user" → ["user"]; "user, 42" → ["user",42]; text starting with "[" is taken as the key's JSON.
function keyText(input) {
  const text = input.trim();
  if (text === '' || text.startsWith('[')) return text;
  return JSON.stringify(text.split(',').map((part) => {
    const p = part.trim();
    if (/^-?\d+$/.test(p)) return Number(p);
    if (p === 'true' || p === 'false') return p === 'true';
    return p;
  }));
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  if (Math.abs(s) < 60) return s + ' s';
  if (Math.abs(s) < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

function time(epochMs) { return epochMs ? new Date(epochMs).toLocaleTimeString() : '–'; }

// The server's clock as of now, from the time of the last load.
function serverNow() { return state.serverNow + (Date.now() - state.loadedAt); }

function actionButtons(key) {
  const td = el('td', null, 'actions');
  for (const action of ['invalidate', 'refetch', 'reset', 'remove']) {
    const b = el('button', action);
    b.dataset.action = action;
    b.dataset.key = key;
    td.appendChild(b);
  }
  return td;
}

function renderQueries(body) {
  const tbody = $('queries').querySelector('tbody');
  tbody.replaceChildren();
  for (const q of body.queries) {
    const tr = el('tr');
    tr.dataset.key = q.key;
    if (q.key === state.selected) tr.classList.add('selected');
    tr.appendChild(el('td', q.key, 'key'));
    tr.appendChild(el('td', q.status + (q.invalidated ? ' (invalidated)' : ''), 'status status-' + q.status));
    tr.appendChild(el('td', q.fetchStatus, 'fetch fetch-' + q.fetchStatus));
    const age = el('td', duration(q.dataAgeMillis), 'age');
    if (q.dataUpdatedAt > 0) age.dataset.updatedAt = q.dataUpdatedAt;
    tr.appendChild(age);
    tr.appendChild(el('td', q.stale ? 'stale' : 'fresh', 'stale'));
    tr.appendChild(el('td', q.observers, 'observers'));
    tr.appendChild(el('td', q.gcInMillis === null ? '–' : duration(q.gcInMillis), 'gc'));
    tr.appendChild(el('td', q.lastFetchReason || '–', 'reason'));
    tr.appendChild(el('td', q.failureCount, 'failures'));
    tr.appendChild(actionButtons(q.key));
    tbody.appendChild(tr);
  }
  $('no-queries').hidden = body.queries.length > 0;
}

function renderDetail(d) {
  $('detail').hidden = false;
  $('detail-key').textContent = d.key;
  $('detail-summary').textContent = d.status + ' / ' + d.fetchStatus + ', data updated ' + time(d.dataUpdatedAt) +
    (d.error ? ', error: ' + d.error : '') + (d.persisted ? ', persisted' : '') + ', meta ' + d.meta;
  const data = d.data;
  const text = {
    json: () => JSON.stringify(data.json, null, 2),
    text: () => data.text,
    hidden: () => 'hidden: this query has no codec (set showDataWithoutCodec to show its toString())',
    none: () => 'no data',
    error: () => data.error,
  }[data.kind];
  $('detail-data').textContent = text ? text() : '';
  $('detail-data').className = 'data-' + data.kind;
  const tbody = $('history').querySelector('tbody');
  tbody.replaceChildren();
  for (const h of d.history.slice().reverse()) {
    const tr = el('tr');
    for (const v of [time(h.at), h.status, h.fetchStatus, h.invalidated ? 'yes' : '', h.failureCount, h.error || '']) {
      tr.appendChild(el('td', v));
    }
    tbody.appendChild(tr);
  }
}

function renderMutations(body) {
  const tbody = $('mutations').querySelector('tbody');
  tbody.replaceChildren();
  for (const m of body.mutations.slice().reverse()) {
    const tr = el('tr');
    for (const v of [m.id, m.mutationKey || '–', m.status, m.variables, m.failureCount, time(m.submittedAt), m.error || '']) {
      tr.appendChild(el('td', v));
    }
    tbody.appendChild(tr);
  }
  $('no-mutations').hidden = body.mutations.length > 0;
}

function renderStats(body) {
  const fill = (dl, entries) => {
    dl.replaceChildren();
    for (const [name, value] of entries) {
      dl.appendChild(el('dt', name));
      dl.appendChild(el('dd', typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(3) : value));
    }
  };
  fill($('stats'), Object.entries(body.stats));
  fill($('storage-stats'), body.storageStats ? Object.entries(body.storageStats) : [['storage', 'none (L1 only)']]);
  $('summary').textContent = body.queryCount + ' queries, ' + body.fetching + ' fetching, ' + body.mutating + ' mutating';
}

async function load() {
  const prefix = keyText($('prefix').value);
  const query = prefix ? '?prefix=' + encodeURIComponent(prefix) : '';
  try {
    const [queries, mutations, stats] = await Promise.all([
      api('/api/queries' + query), api('/api/mutations'), api('/api/stats'),
    ]);
    state.serverNow = queries.now;
    state.loadedAt = Date.now();
    $('prefix-error').textContent = '';
    renderQueries(queries);
    renderMutations(mutations);
    renderStats(stats);
  } catch (e) {
    $('prefix-error').textContent = e.message;
  }
  if (state.selected) {
    try {
      renderDetail(await api('/api/query?key=' + encodeURIComponent(state.selected)));
    } catch (e) {
      $('detail-summary').textContent = e.message;
      $('detail-data').textContent = '';
    }
  }
}

// One load at a time; a change during a load asks for one more.
function refresh() {
  if (state.refreshing) { state.again = true; return; }
  state.refreshing = load().finally(() => {
    state.refreshing = null;
    if (state.again) { state.again = false; refresh(); }
  });
}

async function act(action, key, exact) {
  try {
    await api('/api/' + action + '?key=' + encodeURIComponent(key) + (exact ? '&exact=true' : ''), 'POST');
  } catch (e) {
    $('prefix-error').textContent = action + ' failed: ' + e.message;
  }
  refresh();
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (button) {
    event.stopPropagation();
    if (button.dataset.scope === 'prefix') act(button.dataset.action, keyText($('prefix').value) || '[]', false);
    else act(button.dataset.action, button.dataset.key, true);
    return;
  }
  const row = event.target.closest('#queries tbody tr');
  if (row) { state.selected = row.dataset.key; refresh(); }
});

$('detail-close').addEventListener('click', () => { state.selected = null; $('detail').hidden = true; refresh(); });

let typing = null;
$('prefix').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(refresh, 150); });

function connect() {
  const events = new EventSource('/api/events?token=' + encodeURIComponent(token));
  events.onopen = () => { $('connection').textContent = 'live'; $('connection').className = 'badge live'; refresh(); };
  events.onmessage = () => refresh();
  events.onerror = () => { $('connection').textContent = 'reconnecting…'; $('connection').className = 'badge'; };
}

// Data ages grow without any cache change: recompute them every second from the server's clock.
setInterval(() => {
  for (const cell of document.querySelectorAll('#queries td.age[data-updated-at]')) {
    cell.textContent = duration(serverNow() - Number(cell.dataset.updatedAt));
  }
}, 1000);

api('/api/info').then((info) => {
  state.info = info;
  document.body.classList.toggle('read-only', info.readOnly);
}).catch((e) => { $('prefix-error').textContent = e.message; });
connect();
refresh();
