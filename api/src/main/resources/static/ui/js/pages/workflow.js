import * as api from '../api.js';
import {STATES, fill, h, heading, number, shortId, state, time} from '../dom.js';

/** A workflow: how many of its tasks are in each state, its chords, and its tasks as a tree from parent to child. */
export async function render(main, {id}) {
  const body = h('div');
  const draw = async () => fill(body, view(await api.get(`/api/v1/workflows/${encodeURIComponent(id)}?limit=1000`)));
  await draw();
  fill(main, heading('Workflow', null), body);
  return {refresh: draw, every: 3000};
}

function view(w) {
  const byParent = new Map();
  const ids = new Set(w.tasks.map(t => t.id));
  for (const t of w.tasks) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(t);
  }
  for (const list of byParent.values()) list.sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : 1));
  const node = t => h('li', {},
    h('a', {href: `#/tasks/${t.id}`}, t.task), ' ', state(t.state), ' ', shortId(t.id),
    byParent.has(t.id) ? h('ul', {}, byParent.get(t.id).map(node)) : null);
  return [
    h('p', {class: 'muted'}, 'Started by task ', h('a', {href: `#/tasks/${w.id}`}, h('code', {}, w.id)), '. ',
      w.finished ? 'Finished.' : 'Not finished — updates by itself.'),
    h('ul', {class: 'cards', 'aria-label': 'Its tasks by state'},
      STATES.filter(s => w.states[s]).map(s => h('li', {class: `card state-${s.toLowerCase()}`},
        h('span', {class: 'label'}, s), h('span', {class: 'figure'}, number(w.states[s]))))),
    w.chords.length ? h('section', {class: 'panel', 'aria-labelledby': 'chords-title'},
      h('h2', {id: 'chords-title'}, 'Chords'),
      h('ul', {}, w.chords.map(c => h('li', {},
        `${c.parts} parts, ${c.policy}: `, c.firedAt ? ['body ', c.outcome === 'STARTED' ? 'started ' : 'not started (a part failed) ', time(c.firedAt)] : 'waiting for its parts')))) : null,
    h('section', {class: 'panel', 'aria-labelledby': 'graph-title'},
      h('h2', {id: 'graph-title'}, 'Tasks, parent to child'),
      h('ul', {class: 'tree'}, (byParent.get(null) || []).map(node)),
      w.nextCursor ? h('p', {class: 'muted'}, 'Only its newest 1,000 tasks are shown.') : null),
  ];
}
