import * as api from '../api.js';
import {fill, finished, h, pretty, state, time} from '../dom.js';
import {act, confirmAction} from '../ui.js';

/** One task: arguments, result or error, progress, its timeline, and what may be done with it. */
export async function render(main, {id, navigate}) {
  const body = h('div');
  let last = null;
  const draw = async () => {
    // Its children are the tasks that name it their parent, oldest first.
    const [t, history, family] = await Promise.all([
      api.get(`/api/v1/tasks/${encodeURIComponent(id)}`),
      api.get(`/api/v1/tasks/${encodeURIComponent(id)}/history`),
      api.get(`/api/v1/tasks?parent=${encodeURIComponent(id)}&limit=500`),
    ]);
    const children = family.tasks.reverse();
    // Redrawn only when something changed, so that a person reading or selecting text is not disturbed.
    const key = JSON.stringify([t, history, children]);
    if (key === last) return;
    last = key;
    fill(body, view(t, history.history, children, navigate, draw));
  };
  await draw();
  fill(main, body);
  return {refresh: draw, every: 2000};
}

function view(t, history, children, navigate, redraw) {
  return [
    h('div', {class: 'page-head'},
      h('h1', {}, t.task, ' ', h('span', {id: 'task-state'}, state(t.state))),
      h('p', {class: 'muted'}, 'Task ', h('code', {id: 'task-id'}, t.id),
        finished(t.state) ? '' : ' — updates by itself until it finishes.')),
    t.revokedAt ? h('p', {class: 'notice', id: 'task-revoked'}, 'Revoked ', time(t.revokedAt),
      '. It has not reached a worker yet', t.eta ? ['(it waits for its ETA, ', time(t.eta), ')'] : '',
      '; the first worker it reaches drops it, and it ends REVOKED.') : null,
    actions(t, navigate, redraw),
    t.progress !== null && t.progress !== undefined && !finished(t.state) ? progress(t.progress) : null,
    h('div', {class: 'columns'},
      h('section', {class: 'panel', 'aria-labelledby': 'arguments-title'},
        h('h2', {id: 'arguments-title'}, 'Arguments'),
        h('h3', {}, 'Positional'), h('pre', {id: 'task-args'}, pretty(t.args)),
        h('h3', {}, 'Keyword'), h('pre', {id: 'task-kwargs'}, pretty(t.kwargs))),
      h('section', {class: 'panel', 'aria-labelledby': 'outcome-title'},
        h('h2', {id: 'outcome-title'}, t.error ? 'Error' : 'Result'),
        t.error
          ? [h('p', {class: 'problem', id: 'task-error'}, `${t.error.type}: ${t.error.message ?? ''}`),
             t.error.traceback ? h('details', {open: true}, h('summary', {}, 'Traceback'), h('pre', {class: 'traceback'}, t.error.traceback)) : null]
          : h('pre', {id: 'task-result'}, t.state === 'SUCCESS' ? pretty(t.result) : 'Not finished yet.'),
        t.resultTruncated ? h('p', {class: 'muted'}, 'The result was cut at the ledger\'s size limit.') : null)),
    h('div', {class: 'columns'},
      h('section', {class: 'panel', 'aria-labelledby': 'facts-title'},
        h('h2', {id: 'facts-title'}, 'Details'),
        h('dl', {class: 'facts'},
          fact('Queue', t.queue ? h('a', {href: `#/tasks?queue=${encodeURIComponent(t.queue)}`}, t.queue) : '—'),
          fact('Worker', t.worker || '—'),
          fact('Retries', String(t.retries)),
          fact('Submitted', time(t.submittedAt)),
          fact('Started', time(t.startedAt)),
          fact('Finished', time(t.finishedAt)),
          t.eta ? fact('Not before (ETA)', time(t.eta)) : null,
          t.expires ? fact('Expires', time(t.expires)) : null,
          t.parentId ? fact('Parent', h('a', {href: `#/tasks/${t.parentId}`}, t.parentId)) : null,
          children.length ? fact('Children', h('ul', {class: 'children', id: 'task-children'}, children.map(c =>
            h('li', {}, h('a', {href: `#/tasks/${c.id}`}, c.task), ' ', state(c.state))))) : null,
          t.rootId && t.rootId !== t.id ? fact('Workflow', h('a', {href: `#/workflows/${t.rootId}`}, t.rootId)) : null)),
      h('section', {class: 'panel', 'aria-labelledby': 'timeline-title'},
        h('h2', {id: 'timeline-title'}, 'Timeline'),
        h('ol', {class: 'timeline', id: 'timeline'}, history.map(e => h('li', {},
          time(e.at), ' ', state(e.state),
          e.attempt ? h('span', {class: 'muted'}, ` attempt ${e.attempt + 1}`) : '',
          e.replay ? h('span', {class: 'muted'}, ` replay ${e.replay}`) : '',
          e.worker ? h('span', {class: 'muted'}, ` on ${e.worker}`) : '',
          e.detail ? h('div', {class: 'detail'}, e.detail) : ''))))),
  ];
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** What TaskContext.reportProgress sent last: a bar when it says how far (current and total, or percent). */
function progress(value) {
  let bar = null;
  if (value && typeof value === 'object') {
    const done = value.current ?? value.done;
    const total = value.total;
    const percent = value.percent ?? (typeof done === 'number' && typeof total === 'number' && total > 0 ? (100 * done) / total : null);
    if (typeof percent === 'number') {
      const said = typeof done === 'number' && typeof total === 'number' ? `${done} of ${total}, ` : '';
      bar = [h('progress', {id: 'task-progress', max: 100, value: Math.max(0, Math.min(100, percent)), 'aria-labelledby': 'progress-title', 'aria-describedby': 'progress-said'},
        `${Math.round(percent)} %`), h('p', {id: 'progress-said', class: 'muted'}, `${said}${Math.round(percent)} %`)];
    }
  }
  return h('section', {class: 'panel', 'aria-labelledby': 'progress-title'},
    h('h2', {id: 'progress-title'}, 'Progress'), bar, h('details', {}, h('summary', {}, 'As reported'), h('pre', {}, pretty(value))));
}

function actions(t, navigate, redraw) {
  const buttons = [];
  if (finished(t.state) && api.may('submit')) {
    const retry = h('button', {type: 'button', class: 'primary', id: 'retry'}, 'Run again with the same arguments');
    retry.addEventListener('click', () => act(retry, async () => {
      const again = await api.post(`/api/v1/tasks/${encodeURIComponent(t.id)}/retry`);
      navigate(`/tasks/${again.id}`);
      return again;
    }, again => `Running again as task ${again.id}.`));
    buttons.push(retry);
  }
  if (!finished(t.state) && !t.revokedAt && api.may('admin')) {
    for (const terminate of [false, true]) {
      const label = terminate ? 'Terminate' : 'Revoke';
      const button = h('button', {type: 'button', class: 'danger', id: terminate ? 'terminate' : 'revoke'}, label);
      button.addEventListener('click', async () => {
        const sure = await confirmAction(`${label} this task?`, terminate
          ? 'It will not run, and if it runs now the worker interrupts it.'
          : 'It will not run; if it runs now it finishes first.', label);
        if (sure) await act(button, () => api.del(`/api/v1/tasks/${encodeURIComponent(t.id)}?terminate=${terminate}`), `${label}d.`);
        await redraw();
      });
      buttons.push(button);
    }
  }
  return buttons.length ? h('div', {class: 'actions', role: 'group', 'aria-label': 'Actions'}, buttons) : null;
}
