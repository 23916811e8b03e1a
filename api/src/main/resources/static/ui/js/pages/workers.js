import * as api from '../api.js';
import {ago, fill, h, heading, number, table} from '../dom.js';
import {act, confirmAction} from '../ui.js';

/** Every worker the ledger heard of, and (for admins) Celery's remote control of them. */
export async function render(main) {
  const results = h('div');
  let known = [];
  const draw = async () => {
    known = (await api.get('/api/v1/workers')).workers;
    const now = Date.now();
    fill(results, table('Workers', ['Worker', 'Status', 'Pool', 'Active', 'Processed', 'Queues', 'Last heartbeat', ...(api.may('admin') ? ['Actions'] : [])],
      known.map(({worker: w, alive}) => h('tr', {'data-worker': w.hostname},
        h('th', {scope: 'row'}, w.hostname, h('div', {class: 'muted'}, [w.software, w.version].filter(Boolean).join(' '))),
        h('td', {}, h('span', {class: `badge ${alive ? 'good' : 'muted'}`}, alive ? 'alive' : 'offline')),
        h('td', {class: 'nowrap pool'}, w.pool ? `${w.pool} × ${w.poolSize ?? '?'}` : '—'),
        h('td', {class: 'num'}, number(w.active)),
        h('td', {class: 'num'}, number(w.processed)),
        h('td', {}, (w.queues || []).join(', ')),
        h('td', {}, ago(w.lastHeartbeat, now)),
        api.may('admin') ? h('td', {class: 'row-actions'}, alive ? controls(w.hostname, draw) : null) : null)),
      'No worker has been heard of yet.'));
  };
  await draw();
  fill(main, heading('Workers', 'Alive while they send heartbeats (every 2 s). Updates by itself.'),
    api.may('admin') ? [pingAll(), rateLimitForm(() => known)] : null, results);
  return {refresh: draw, every: 3000};
}

function controls(name, redraw) {
  const button = (label, work, done) => {
    const b = h('button', {type: 'button', class: 'quiet', 'aria-label': `${label} ${name}`}, label);
    b.addEventListener('click', () => act(b, work, done));
    return b;
  };
  const reply = replies => Object.entries(replies.replies).map(([who, r]) => `${who}: ${r.ok ?? r.error ?? JSON.stringify(r)}`).join('; ');
  const stop = button('Shut down', async () => {
    if (!await confirmAction(`Shut ${name} down?`, 'It stops taking tasks, finishes or hands back what it runs, and exits. Whatever runs it must start it again.', 'Shut down')) return undefined;
    const r = await api.post(`/api/v1/workers/${encodeURIComponent(name)}/shutdown`);
    await redraw();
    return r;
  }, r => (r ? reply(r) : 'Left running.'));
  return [
    button('Ping', () => api.post('/api/v1/workers/ping', {workers: [name]}), reply),
    button('+1 slot', () => api.post(`/api/v1/workers/${encodeURIComponent(name)}/pool`, {change: 1}).then(r => redraw().then(() => r)), reply),
    button('−1 slot', () => api.post(`/api/v1/workers/${encodeURIComponent(name)}/pool`, {change: -1}).then(r => redraw().then(() => r)), reply),
    stop,
  ];
}

function pingAll() {
  const b = h('button', {type: 'button', class: 'quiet', id: 'ping-all'}, 'Ping every worker');
  b.addEventListener('click', () => act(b, () => api.post('/api/v1/workers/ping', {}),
    r => `${Object.keys(r.replies).length} answered: ${Object.keys(r.replies).join(', ')}`));
  return h('div', {class: 'bulk'}, b);
}

function rateLimitForm(known) {
  const task = h('input', {id: 'rl-task', name: 'task', list: 'rl-tasks', required: true, placeholder: 'demo.add', spellcheck: 'false'});
  const limit = h('input', {id: 'rl-limit', name: 'limit', required: true, placeholder: '10/s', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(/\\s*[smh])?\\s*$', size: 8});
  const names = h('datalist', {id: 'rl-tasks'});
  task.addEventListener('focus', () => fill(names,
    [...new Set(known().flatMap(w => w.worker.registered || []))].sort().map(n => h('option', {value: n}))));
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Set');
  const form = h('form', {class: 'filters', 'aria-labelledby': 'rl-title'},
    h('h2', {id: 'rl-title', class: 'inline'}, 'Rate limit per worker'),
    h('div', {class: 'field'}, h('label', {for: 'rl-task'}, 'Task'), task, names),
    h('div', {class: 'field'}, h('label', {for: 'rl-limit'}, 'Limit (0 lifts it)'), limit),
    h('div', {class: 'field buttons'}, submit));
  form.addEventListener('submit', e => {
    e.preventDefault();
    act(submit, () => api.put(`/api/v1/workers/rate-limits/${encodeURIComponent(task.value.trim())}`, {rateLimit: limit.value.trim()}),
      r => Object.entries(r.replies).map(([who, x]) => `${who}: ${x.ok ?? x.error}`).join('; '));
  });
  return form;
}
