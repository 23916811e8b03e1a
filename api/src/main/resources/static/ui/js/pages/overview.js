import * as api from '../api.js';
import {STATES, fill, h, heading, number, table, time} from '../dom.js';
import {act, confirmAction} from '../ui.js';

/** The last hour: tasks by state and by minute, the failure rate, queues and workers. */
export async function render(main) {
  const body = h('div');
  const draw = async () => fill(body, view(await api.get('/api/v1/overview'), draw));
  await draw();
  fill(main, heading('Overview', 'The last hour, from the ledger and the broker. Updates by itself.'), body);
  return {refresh: draw, every: 5000};
}

function view(o, redraw) {
  const total = STATES.reduce((sum, s) => sum + (o.states[s] || 0), 0);
  const cards = h('ul', {class: 'cards', 'aria-label': 'Tasks submitted in the last hour, by state'},
    h('li', {class: 'card'}, h('span', {class: 'label'}, 'Submitted'), h('span', {class: 'figure', id: 'count-ALL'}, number(total))),
    STATES.map(s => h('li', {class: `card state-${s.toLowerCase()}`},
      h('a', {href: `#/tasks?state=${s}&since=${encodeURIComponent(o.since)}`},
        h('span', {class: 'label'}, s.charAt(0) + s.slice(1).toLowerCase()),
        h('span', {class: 'figure', id: `count-${s}`}, number(o.states[s] || 0))))));
  const failure = (o.failureRate * 100).toFixed(o.failureRate > 0 && o.failureRate < 0.01 ? 2 : 1);
  return [
    cards,
    h('section', {class: 'panel', 'aria-labelledby': 'throughput-title'},
      h('h2', {id: 'throughput-title'}, 'Tasks per minute'),
      h('p', {class: 'muted'}, `${number(total)} submitted since `, time(o.since), `; ${failure} % of those finished failed.`),
      chart(o)),
    h('div', {class: 'columns wide-first'},
      h('section', {class: 'panel', 'aria-labelledby': 'queues-title'},
        h('h2', {id: 'queues-title'}, 'Queues'),
        table('Work queues', ['Queue', 'Ready', 'Consumers', 'Workers', 'Dead letters', ...(api.may('admin') ? ['Actions'] : [])],
          o.queues.map(q => h('tr', {},
            h('th', {scope: 'row'}, h('a', {href: `#/tasks?queue=${encodeURIComponent(q.name)}`}, q.name)),
            h('td', {class: 'num'}, number(q.ready)),
            h('td', {class: 'num'}, number(q.consumers)),
            h('td', {class: 'num'}, number(q.workers)),
            h('td', {class: 'num'}, q.deadLetters
              ? h('a', {href: `#/dead-letters?queue=${encodeURIComponent(q.name)}`}, number(q.deadLetters))
              : '0'),
            api.may('admin') ? h('td', {class: 'row-actions'}, purgeButton(q, redraw)) : null)), 'No work queue is configured.')),
      h('section', {class: 'panel', 'aria-labelledby': 'fleet-title'},
        h('h2', {id: 'fleet-title'}, 'Fleet'),
        h('dl', {class: 'facts'},
          h('dt', {}, 'Workers alive'), h('dd', {id: 'workers-alive'}, h('a', {href: '#/workers'}, `${o.workersAlive} of ${o.workersKnown} known`)),
          h('dt', {}, 'Events waiting for the ledger'), h('dd', {}, number(o.eventBacklog)),
          h('dt', {}, 'Read at'), h('dd', {}, time(o.at))))),
  ];
}

/** Empties a queue of its ready messages, after asking: their tasks end REVOKED ("purged") in the ledger. */
function purgeButton(q, redraw) {
  const b = h('button', {type: 'button', class: 'quiet danger-text', id: `purge-${q.name}`, 'aria-label': `Purge ${q.name}`}, 'Purge…');
  b.addEventListener('click', async () => {
    const sure = await confirmAction(`Purge ${q.name}?`,
      `Its ${number(q.ready)} ready messages are removed and their tasks recorded as revoked. Tasks that workers hold, or that wait for an ETA or a retry, stay.`,
      'Purge');
    if (!sure) return;
    await act(b, async () => {
      const done = await api.del(`/api/v1/queues/${encodeURIComponent(q.name)}/messages`);
      await redraw();
      return done;
    }, done => `Purged ${number(done.purged)} messages from ${q.name}.`);
  });
  return b;
}

/** Bars of the tasks submitted each minute, the failed part of each in red; the table beside it says the same. */
function chart(o) {
  const width = 1000, height = 170, pad = 4;
  const since = new Date(o.since).getTime();
  const byMinute = new Map(o.minutes.map(m => [Math.round((new Date(m.minute).getTime() - since) / 60000), m]));
  const top = Math.max(1, ...o.minutes.map(m => m.submitted));
  const slot = (width - pad) / 61;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const total = o.minutes.reduce((s, m) => s + m.submitted, 0);
  const peak = o.minutes.reduce((best, m) => (m.submitted > (best?.submitted || 0) ? m : best), null);
  svg.setAttribute('aria-label', peak
    ? `Tasks per minute over the last hour: ${total} in all, at most ${peak.submitted} in the minute of ${new Date(peak.minute).toLocaleTimeString()}.`
    : 'No tasks in the last hour.');
  const rect = (x, y, w, hgt, cls) => {
    const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    Object.entries({x, y, width: w, height: hgt, class: cls}).forEach(([k, v]) => r.setAttribute(k, v));
    svg.append(r);
  };
  const text = (x, y, content, anchor = 'start') => {
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    Object.entries({x, y, 'text-anchor': anchor, class: 'axis'}).forEach(([k, v]) => t.setAttribute(k, v));
    t.textContent = content;
    svg.append(t);
  };
  rect(pad, height - 20, width - pad, 1, 'baseline');
  for (const [index, m] of byMinute) {
    const barHeight = (m.submitted / top) * (height - 40);
    const failedHeight = (m.failed / top) * (height - 40);
    const x = pad + index * slot;
    rect(x, height - 20 - barHeight, Math.max(1, slot - 2), barHeight, 'bar');
    if (m.failed) rect(x, height - 20 - failedHeight, Math.max(1, slot - 2), failedHeight, 'bar failed');
  }
  text(pad, 12, `${top} a minute at most`);
  text(pad, height - 4, new Date(since).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'}));
  text(width, height - 4, 'now', 'end');
  return svg;
}
