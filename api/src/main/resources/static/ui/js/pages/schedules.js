import * as api from '../api.js';
import {fill, h, heading, shortId, table, time} from '../dom.js';
import {act} from '../ui.js';

/** Periodic tasks: when each fires next and last, and (for admins) pause, resume and fire now. */
export async function render(main) {
  const results = h('div');
  const draw = async () => {
    const list = (await api.get('/api/v1/schedules')).schedules;
    fill(results, table('Schedules', ['Schedule', 'Task', 'When', 'Next fire', 'Last fire', 'Status', ...(api.may('admin') ? ['Actions'] : [])],
      list.map(s => h('tr', {'data-schedule': s.id},
        h('th', {scope: 'row'}, s.id, h('div', {class: 'muted'}, `from ${s.origin.toLowerCase()}`)),
        h('td', {}, s.task),
        h('td', {}, when(s)),
        h('td', {}, s.paused ? h('span', {class: 'muted'}, 'paused') : time(s.nextFireAt)),
        h('td', {}, time(s.lastFireAt), s.lastTaskId ? h('div', {}, h('a', {href: `#/tasks/${s.lastTaskId}`}, shortId(s.lastTaskId))) : null),
        h('td', {}, h('span', {class: `badge ${s.paused ? 'muted' : 'good'}`}, s.paused ? 'paused' : 'active')),
        api.may('admin') ? h('td', {class: 'row-actions'}, controls(s, draw)) : null)),
      'No schedules. Define one with POST /api/v1/schedules, celeriac.schedules.* or @CeleriacSchedule.'));
  };
  await draw();
  fill(main, heading('Schedules', 'Each slot fires once, whichever API instance gets to it first.'), results);
  return {refresh: draw, every: 3000};
}

function when(s) {
  if (s.cron) return [h('code', {}, s.cron), s.zone ? h('span', {class: 'muted'}, ` ${s.zone}`) : null];
  if (s.every) return `every ${s.every}`;
  if (s.at) return ['once at ', time(s.at)];
  return '—';
}

function controls(s, redraw) {
  const button = (label, path, done) => {
    const b = h('button', {type: 'button', class: 'quiet', 'aria-label': `${label} ${s.id}`}, label);
    b.addEventListener('click', () => act(b, async () => {
      const r = await api.post(`/api/v1/schedules/${encodeURIComponent(s.id)}/${path}`);
      await redraw();
      return r;
    }, done));
    return b;
  };
  return [
    s.paused ? button('Resume', 'resume', 'Resumed.') : button('Pause', 'pause', 'Paused.'),
    button('Fire now', 'trigger', t => `Fired task ${t.id}.`),
  ];
}
