// The report page's one enhancement: validation as one types. The page is rendered on the server
// and works without this script (save and submit show the same errors at their fields). A moment
// after the last keystroke, or at once on a change, the form's values go to
// POST /api/reports/:id/validation (the very rules the save and the submission run; nothing saved),
// and each error is shown at its field. "Required" waits for the submission; only the fields the
// person changed, and the errors this script showed, are updated: nothing moves the focus.
import { api, ApiError, parseCivilDate, parseWholeNumber, useCsrfToken } from './app.js';

const form = document.getElementById('report-form');
const url = form?.dataset.validation;
if (form && url) {
  useCsrfToken(form.querySelector('input[name="_csrf"]')?.value ?? '');
  const inputs = [...form.querySelectorAll('[name^="figures."], [name^="narratives."]')];
  const edited = new Set();
  const shown = new Set();
  let timer;
  let sequence = 0;

  const changed = (event) => {
    if (!inputs.includes(event.target)) return;
    edited.add(event.target.name);
    clearTimeout(timer);
    timer = setTimeout(check, event.type === 'input' ? 400 : 0);
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  // The save answers with every rule: a pending check would only blur that.
  form.addEventListener('submit', () => {
    clearTimeout(timer);
    sequence++;
  });

  async function check() {
    const mine = ++sequence;
    const touched = new Set(edited);
    edited.clear();
    let problems = [];
    try {
      await api('POST', url, collect());
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) return;
      problems = error.fields.filter((f) => f.code !== 'required');
    }
    if (mine !== sequence) return; // a later check is on its way
    const byPath = new Map();
    for (const p of problems) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p.message]);
    for (const input of inputs) {
      const error = document.getElementById(`${input.id}-error`);
      const messages = byPath.get(input.name);
      if (messages) {
        error.textContent = messages.join(' ');
        input.setAttribute('aria-invalid', 'true');
        shown.add(input.name);
      } else if (shown.has(input.name) || touched.has(input.name)) {
        error.textContent = '';
        input.removeAttribute('aria-invalid');
        shown.delete(input.name);
      }
    }
  }

  /** The values as the server reads the form: 1.234 and dd/mm/yyyy as the page writes them. */
  function collect() {
    const values = { figures: {}, narratives: {} };
    for (const input of inputs) {
      const text = input.value;
      if (text.trim() === '') continue;
      const [kind, first, second] = input.name.split('.');
      const type = input.dataset.type;
      let value;
      if (type === 'boolean') value = text === 'true';
      else if (type === 'integer' || type === 'money') value = parseWholeNumber(text);
      else if (type === 'date') value = parseCivilDate(text);
      else value = text;
      if (kind === 'figures') (values.figures[first] ??= {})[second] = value;
      else values.narratives[first] = value;
    }
    return values;
  }
}
