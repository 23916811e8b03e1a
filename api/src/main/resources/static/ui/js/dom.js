// Building the page: elements made from data, never from HTML text, so nothing a task carries can run as script.

/** An element: h('a', {href: '#/'}, 'text', child, ...). Attributes starting with "on" are listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what an element holds. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const STATE_CLASS = {
  PENDING: 'waiting', RECEIVED: 'waiting', STARTED: 'running', RETRY: 'warning',
  SUCCESS: 'good', FAILURE: 'bad', REVOKED: 'muted',
};

/** A task state as a badge. */
export function state(name) {
  return h('span', {class: `badge ${STATE_CLASS[name] || ''}`}, name || 'UNKNOWN');
}

/** The states in the order a task goes through them. */
export const STATES = ['PENDING', 'RECEIVED', 'STARTED', 'RETRY', 'SUCCESS', 'FAILURE', 'REVOKED'];

/** Whether a task in this state has finished. */
export function finished(name) {
  return name === 'SUCCESS' || name === 'FAILURE' || name === 'REVOKED';
}

/** A time as local date and time, with the exact instant in its title and datetime. */
export function time(instant) {
  if (!instant) return h('span', {class: 'muted'}, '—');
  const at = new Date(instant);
  return h('time', {datetime: instant, title: instant}, at.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }));
}

/** How long ago, in words ("12 s ago"). */
export function ago(instant, now = Date.now()) {
  if (!instant) return '—';
  const seconds = Math.round((now - new Date(instant).getTime()) / 1000);
  if (seconds < 0) return `in ${duration(-seconds)}`;
  return `${duration(seconds)} ago`;
}

function duration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** A number with the reader's grouping. */
export function number(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString();
}

/** JSON as compact text for a table cell, cut at a length. */
export function preview(value, length = 80) {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > length ? text.slice(0, length - 1) + '…' : text;
}

/** JSON as indented text. */
export function pretty(value) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** A short form of a task id, with the whole id for screen readers and in the title. */
export function shortId(id) {
  return h('span', {class: 'id', title: id}, id.length > 13 ? id.slice(0, 8) + '…' : id);
}

/** A table: a caption, headings, and rows of cells; an empty list says so in one row. */
export function table(caption, headings, rows, empty = 'Nothing to show.') {
  return h('div', {class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption},
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headings.map(heading => h('th', {scope: 'col'}, heading)))),
      h('tbody', {}, rows.length
        ? rows
        : h('tr', {}, h('td', {colspan: headings.length, class: 'empty'}, empty)))));
}

/** A page heading and what it shows, with the time of the reading. */
export function heading(title, detail) {
  return h('div', {class: 'page-head'}, h('h1', {}, title), detail ? h('p', {class: 'muted'}, detail) : null);
}
