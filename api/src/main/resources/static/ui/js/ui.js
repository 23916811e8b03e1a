// What every page does with a person: say how an action went, ask before what cannot be undone.
import {fill, h} from './dom.js';

/** A short message for everyone, screen readers included. */
export function say(message, kind = 'info') {
  const toast = document.getElementById('toast');
  fill(toast, h('span', {class: `message ${kind}`}, message));
  clearTimeout(say.timer);
  say.timer = setTimeout(() => fill(toast), 6000);
}

/** Asks before doing something that cannot be undone; resolves true if the person confirmed. */
export function confirmAction(title, text, action) {
  return new Promise(resolve => {
    const dialog = h('dialog', {class: 'confirm', 'aria-labelledby': 'confirm-title'},
      h('h2', {id: 'confirm-title'}, title),
      h('p', {}, text),
      h('form', {method: 'dialog', class: 'actions'},
        h('button', {value: 'cancel', class: 'quiet'}, 'Cancel'),
        h('button', {value: 'ok', class: 'danger', id: 'confirm-ok'}, action)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Runs an action of a button: disabled while it runs, its outcome said, a problem shown with its detail. */
export async function act(button, work, done) {
  button.disabled = true;
  try {
    const result = await work();
    if (done) say(typeof done === 'function' ? done(result) : done, 'good');
    return result;
  } catch (e) {
    say(e.message, 'bad');
    return undefined;
  } finally {
    button.disabled = false;
  }
}
