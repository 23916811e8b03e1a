// The dashboard: a sign-in, then pages chosen by the address's fragment (#/tasks, #/tasks/<id>, ...), each showing
// what the REST API answers and refreshing it while it is on screen.
import * as api from './api.js';
import {fill, h} from './dom.js';
import {say} from './ui.js';
import * as signin from './pages/signin.js';
import * as overview from './pages/overview.js';
import * as tasks from './pages/tasks.js';
import * as task from './pages/task.js';
import * as deadLetters from './pages/deadletters.js';
import * as workers from './pages/workers.js';
import * as schedules from './pages/schedules.js';
import * as workflow from './pages/workflow.js';

const ROUTES = [
  {pattern: /^\/?$/, page: overview, section: 'overview', title: 'Overview'},
  {pattern: /^\/tasks\/?$/, page: tasks, section: 'tasks', title: 'Tasks'},
  {pattern: /^\/tasks\/([^/]+)$/, page: task, section: 'tasks', title: 'Task'},
  {pattern: /^\/workflows\/([^/]+)$/, page: workflow, section: 'tasks', title: 'Workflow'},
  {pattern: /^\/dead-letters\/?$/, page: deadLetters, section: 'dead-letters', title: 'Dead letters'},
  {pattern: /^\/workers\/?$/, page: workers, section: 'workers', title: 'Workers'},
  {pattern: /^\/schedules\/?$/, page: schedules, section: 'schedules', title: 'Schedules'},
];

const main = document.getElementById('main');
let current = null;
let generation = 0;

function parse() {
  const fragment = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const [path, search] = fragment.split('?');
  return {path, params: new URLSearchParams(search || '')};
}

async function route() {
  const mine = ++generation;
  current?.stop?.();
  current = null;
  if (!api.signedIn()) {
    document.getElementById('top').hidden = true;
    document.title = 'Sign in · Celeriac';
    signin.render(main, () => route());
    return;
  }
  document.getElementById('top').hidden = false;
  document.getElementById('role').textContent = `${api.role()} key`;
  const {path, params} = parse();
  const match = ROUTES.map(r => ({r, m: path.match(r.pattern)})).find(x => x.m);
  for (const link of document.querySelectorAll('nav a')) {
    if (match && link.dataset.section === match.r.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!match) {
    fill(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', {href: '#/'}, 'Back to the overview.')));
    return;
  }
  document.title = `${match.r.title} · Celeriac`;
  fill(main, h('p', {class: 'muted loading'}, 'Loading…'));
  // The page draws into an element of its own, shown only if it is still the page asked for once it has drawn: a
  // slow page left for another (an overview still loading when a link is followed) must not draw over it.
  const page = h('div', {class: 'page'});
  let view;
  try {
    view = await match.r.page.render(page, {id: match.m[1], params, navigate});
  } catch (e) {
    if (mine !== generation) return discard(match.r);
    fill(main, h('h1', {}, match.r.title), h('p', {class: 'problem'}, e.message));
    return;
  }
  if (mine !== generation) {
    view?.stop?.();
    return discard(match.r);
  }
  fill(main, page);
  current = live(view);
  main.focus({preventScroll: true});
}

/** Notes on the main element (data-discarded) each page that finished loading after it was left, never shown. */
function discard(r) {
  main.dataset.discarded = main.dataset.discarded ? `${main.dataset.discarded},${r.title}` : r.title;
}

/** Refreshes a page's data while it is on screen and the tab is visible. */
function live(view) {
  if (!view?.refresh) return view;
  let timer = null;
  let running = false;
  const tick = async () => {
    if (document.hidden || running) return;
    running = true;
    try { await view.refresh(); } catch (e) { /* shown on the next success or by the page */ } finally { running = false; }
  };
  timer = setInterval(tick, view.every || 3000);
  return {stop() { clearInterval(timer); view.stop?.(); }};
}

/** Goes to a page of the dashboard. */
export function navigate(fragment) {
  if (location.hash === `#${fragment}`) route();
  else location.hash = fragment;
}

api.whenUnauthorized(() => {
  api.signOut();
  say('The API refused the key. Sign in again.', 'bad');
  route();
});

document.getElementById('sign-out').addEventListener('click', () => {
  api.signOut();
  route();
});
window.addEventListener('hashchange', route);
route();
