import * as api from '../api.js';
import {fill, h} from '../dom.js';

/** The sign-in form: an API key, checked against the API before it is kept. */
export function render(main, signedIn) {
  const error = h('p', {class: 'problem', id: 'sign-in-error', role: 'alert'});
  const key = h('input', {
    id: 'key', name: 'key', type: 'password', autocomplete: 'current-password', required: true,
    'aria-describedby': 'key-help sign-in-error', spellcheck: 'false',
  });
  const button = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
  const form = h('form', {class: 'sign-in', 'aria-labelledby': 'sign-in-title'},
    h('h1', {id: 'sign-in-title'}, 'Sign in to Celeriac'),
    h('label', {for: 'key'}, 'API key'),
    key,
    h('p', {id: 'key-help', class: 'muted'},
      'A key from celeriac.api.keys (or the admin key the API logged at its first start). ',
      'It is kept in this tab only, until you sign out or close it.'),
    button,
    error);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      await api.signIn(key.value.trim());
      signedIn();
    } catch (e) {
      error.textContent = e.status === 401 ? 'The API does not know this key.' : e.message;
      key.focus();
    } finally {
      button.disabled = false;
    }
  });
  fill(main, form);
  key.focus();
}
