import * as api from '../api.js';
import {fill, h, heading, shortId, table, time} from '../dom.js';
import {act, confirmAction, say} from '../ui.js';

/** Dead letters: why each task failed for good; replay one or all that match, or discard. */
export async function render(main, {params, navigate}) {
  const queue = params.get('queue') || '';
  const results = h('div');
  let letters = [];
  const draw = async () => {
    letters = (await api.get('/api/v1/dead-letters' + api.query({queue, limit: 500}))).deadLetters;
    fill(results, table('Dead letters, oldest first',
      ['Task', 'Name', 'Queue', 'Why', 'Failed', 'Attempts', ...(api.may('admin') ? ['Actions'] : [])],
      letters.map(row), 'No dead letters. Tasks that fail for good land here.'));
  };
  const row = d => h('tr', {'data-dead-letter': d.id},
    h('td', {}, h('a', {href: `#/tasks/${d.taskId}`, 'aria-label': `Task ${d.taskId}`}, shortId(d.taskId))),
    h('td', {}, d.task),
    h('td', {}, d.queue),
    h('td', {}, h('strong', {}, d.exception || d.reason), d.message ? h('div', {}, d.message) : null, d.exception && d.reason ? h('div', {class: 'muted'}, d.reason) : null),
    h('td', {}, time(d.failedAt)),
    h('td', {class: 'num'}, d.attempts ?? '—', d.replay ? h('div', {class: 'muted'}, `replayed ${d.replay}×`) : null),
    api.may('admin') ? h('td', {class: 'row-actions'}, replayButton(d, draw), discardButton(d, draw)) : null);

  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter dead letters'},
    h('div', {class: 'field'}, h('label', {for: 'dl-queue'}, 'Queue'), h('input', {id: 'dl-queue', name: 'queue', value: queue, placeholder: 'all queues'})),
    h('div', {class: 'field buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Filter')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    navigate('/dead-letters' + api.query({queue: new FormData(form).get('queue').trim()}));
  });
  const all = api.may('admin') ? h('button', {type: 'button', class: 'quiet', id: 'replay-all'}, 'Replay all shown…') : null;
  all?.addEventListener('click', () => act(all, async () => {
    if (!letters.length) return say('There is nothing to replay.');
    if (!await confirmAction(`Replay ${letters.length} dead letters?`, 'Each task is put back on its queue as a new run, with its retries reset.', `Replay ${letters.length}`)) return;
    let done = 0, failed = 0;
    for (const d of letters) {
      try { await api.post(`/api/v1/dead-letters/${d.id}/replay`); done++; } catch (e) { failed++; }
    }
    say(`Replayed ${done}` + (failed ? `; ${failed} could not be (see each)` : '') + '.', failed ? 'bad' : 'good');
    await draw();
  }));
  await draw();
  fill(main, heading('Dead letters', 'Tasks that failed for good, with why. A replay runs the task again as a new run.'),
    form, all ? h('div', {class: 'bulk'}, all) : null, results);
  return {refresh: draw, every: 5000};
}

function replayButton(d, redraw) {
  const b = h('button', {type: 'button', class: 'quiet', 'aria-label': `Replay task ${d.taskId}`}, 'Replay');
  b.addEventListener('click', () => act(b, async () => {
    await api.post(`/api/v1/dead-letters/${d.id}/replay`);
    await redraw();
  }, `Task ${d.taskId} replayed.`));
  return b;
}

function discardButton(d, redraw) {
  const b = h('button', {type: 'button', class: 'quiet danger-text', 'aria-label': `Discard the dead letter of task ${d.taskId}`}, 'Discard');
  b.addEventListener('click', async () => {
    if (!await confirmAction('Discard this dead letter?', `Task ${d.taskId} stays failed in the ledger; the letter cannot be replayed afterwards.`, 'Discard')) return;
    await act(b, async () => {
      await api.del(`/api/v1/dead-letters/${d.id}`);
      await redraw();
    }, 'Discarded.');
  });
  return b;
}
