import * as api from '../api.js';
import {STATES, fill, h, heading, preview, shortId, state, table, time} from '../dom.js';
import {act, confirmAction, say} from '../ui.js';

const FIELDS = ['state', 'task', 'queue', 'search', 'since', 'until'];

/** Tasks, newest first, filtered (by argument too), a page at a time; bulk actions on what the filter matches. */
export async function render(main, {params, navigate}) {
  const filter = Object.fromEntries(FIELDS.map(f => [f, params.get(f) || '']));
  const results = h('div', {id: 'results'});
  const more = h('button', {type: 'button', class: 'quiet', hidden: true}, 'Show older tasks');
  let cursor = null;
  let pages = 1;

  const load = async (after) => {
    const page = await api.get('/api/v1/tasks' + api.query({...filter, limit: 50, cursor: after}));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    return page.tasks;
  };
  const rows = list => list.map(t => h('tr', {'data-task': t.id},
    h('td', {}, h('a', {href: `#/tasks/${t.id}`, 'aria-label': `Task ${t.id}`}, shortId(t.id))),
    h('td', {}, t.task),
    h('td', {}, state(t.state)),
    h('td', {}, t.queue || ''),
    h('td', {}, time(t.submittedAt)),
    h('td', {class: 'args'}, preview(t.args, 48), t.kwargs && Object.keys(t.kwargs).length ? [' ', preview(t.kwargs, 48)] : '')));
  const draw = async () => {
    const list = await load(null);
    pages = 1;
    fill(results, table('Tasks, newest first', ['Task id', 'Name', 'State', 'Queue', 'Submitted', 'Arguments'],
      rows(list), 'No task matches.'));
  };
  more.addEventListener('click', () => act(more, async () => {
    const list = await load(cursor);
    pages++;
    results.querySelector('tbody').append(...rows(list));
  }));

  const form = filterForm(filter, values => navigate('/tasks' + api.query(values)));
  await draw();
  fill(main,
    heading('Tasks', 'Newest first. Search finds text in a task\'s arguments and keyword arguments.'),
    form,
    api.may('admin') ? bulkBar(filter, draw) : null,
    results,
    more);
  // The first page follows new tasks; once older pages are shown, the list stays as it is.
  return {refresh: () => (pages === 1 ? draw() : Promise.resolve()), every: 3000};
}

function filterForm(filter, apply) {
  const input = (name, label, attributes = {}) => h('div', {class: 'field'},
    h('label', {for: `filter-${name}`}, label),
    h('input', {id: `filter-${name}`, name, value: filter[name], ...attributes}));
  const local = instant => (instant ? toLocalInput(instant) : '');
  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter tasks'},
    h('div', {class: 'field'},
      h('label', {for: 'filter-state'}, 'State'),
      h('select', {id: 'filter-state', name: 'state'},
        h('option', {value: ''}, 'Any'),
        STATES.map(s => h('option', {value: s, selected: filter.state === s}, s)))),
    input('task', 'Task name', {placeholder: 'demo.add', spellcheck: 'false'}),
    input('queue', 'Queue', {placeholder: 'default', spellcheck: 'false'}),
    input('search', 'Arguments contain', {type: 'search', placeholder: 'e.g. an order id', minlength: 3, maxlength: 200, spellcheck: 'false'}),
    h('div', {class: 'field'}, h('label', {for: 'filter-since'}, 'Submitted from'),
      h('input', {id: 'filter-since', name: 'since', type: 'datetime-local', step: 1, value: local(filter.since)})),
    h('div', {class: 'field'}, h('label', {for: 'filter-until'}, 'Submitted before'),
      h('input', {id: 'filter-until', name: 'until', type: 'datetime-local', step: 1, value: local(filter.until)})),
    h('div', {class: 'field buttons'},
      h('button', {type: 'submit', class: 'primary'}, 'Filter'),
      h('a', {href: '#/tasks', class: 'button quiet'}, 'Clear')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    const values = Object.fromEntries(FIELDS.map(f => [f, (data.get(f) || '').trim()]));
    for (const f of ['since', 'until']) if (values[f]) values[f] = new Date(values[f]).toISOString();
    apply(values);
  });
  return form;
}

function toLocalInput(instant) {
  const at = new Date(instant);
  const pad = n => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** Revoke or run again every task the filter matches: counted by a dry run and confirmed first. */
function bulkBar(filter, redraw) {
  const button = (action, label) => {
    const b = h('button', {type: 'button', class: 'quiet', id: `bulk-${action}`}, label);
    b.addEventListener('click', () => act(b, async () => {
      const count = await api.post('/api/v1/tasks/bulk', {...filter, action, dryRun: true});
      if (count.applicable === 0) {
        say(`None of the ${count.matched} matching tasks can be ${action === 'retry' ? 'run again' : 'revoked'}.`);
        return;
      }
      const verb = {revoke: 'Revoke', terminate: 'Terminate', retry: 'Run again'}[action];
      const scope = count.more ? `the newest ${count.matched} matching tasks (more match)` : `the ${count.matched} matching tasks`;
      const sure = await confirmAction(`${verb} ${count.applicable} tasks?`,
        `Of ${scope}, ${count.applicable} can be ${action === 'retry' ? 'run again, each as a new task' : 'revoked'}.`,
        `${verb} ${count.applicable} tasks`);
      if (!sure) return;
      const done = await api.post('/api/v1/tasks/bulk', {...filter, action, limit: count.matched});
      say(`${verb}: ${done.done.length} done` + (done.refused.length ? `, ${done.refused.length} refused (${done.refused[0].detail})` : '') + '.',
        done.refused.length ? 'bad' : 'good');
      await redraw();
    }));
    return b;
  };
  return h('div', {class: 'bulk', role: 'group', 'aria-label': 'Act on every matching task'},
    h('span', {class: 'muted'}, 'Every matching task: '),
    button('retry', 'Run again…'), button('revoke', 'Revoke…'), button('terminate', 'Terminate…'));
}
