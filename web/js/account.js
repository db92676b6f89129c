// The signed-in person's roles, and changing their own password (POST /api/auth/password).
import { announce, api, ApiError, el, ROLE_LABELS, runPage, signedIn } from './app.js';

const MIN_LENGTH = 12;
/** The API's field codes for a password change, said in Vietnamese. */
const PASSWORD_PROBLEMS = {
  incorrect: 'Mật khẩu hiện tại không đúng.',
  unchanged: 'Mật khẩu mới phải khác mật khẩu hiện tại.',
  'min-length': `Mật khẩu mới phải có ít nhất ${MIN_LENGTH} ký tự.`,
};

runPage(async () => {
  const me = await signedIn();
  const input = (id, label, autocomplete, hint) =>
    el(
      'div',
      { class: 'field' },
      el('label', { for: id }, label),
      el('input', { id, name: id, type: 'password', autocomplete, required: true, 'aria-describedby': [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ') }),
      hint ? el('p', { class: 'hint', id: `${id}-hint` }, hint) : '',
      el('p', { class: 'field-error', id: `${id}-error` }),
    );
  const form = el(
    'form',
    { id: 'password-form', novalidate: true },
    input('currentPassword', 'Mật khẩu hiện tại', 'current-password'),
    input('newPassword', 'Mật khẩu mới', 'new-password', `Ít nhất ${MIN_LENGTH} ký tự. Đổi mật khẩu sẽ đăng xuất các phiên khác của bạn.`),
    input('repeatPassword', 'Nhập lại mật khẩu mới', 'new-password'),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Đổi mật khẩu')),
  );
  const showAt = (name, message) => {
    const field = form.elements[name];
    document.getElementById(`${name}-error`).textContent = message;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    announce(message, 'error');
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const name of ['currentPassword', 'newPassword', 'repeatPassword']) {
      document.getElementById(`${name}-error`).textContent = '';
      form.elements[name].removeAttribute('aria-invalid');
    }
    const currentPassword = form.elements.currentPassword.value;
    const newPassword = form.elements.newPassword.value;
    if (newPassword !== form.elements.repeatPassword.value) return showAt('repeatPassword', 'Hai lần nhập mật khẩu mới không khớp nhau.');
    try {
      await api('POST', '/api/auth/password', { currentPassword, newPassword });
      form.reset();
      announce('Đã đổi mật khẩu.', 'ok');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const problem = error.fields.find((f) => f.path === 'currentPassword' || f.path === 'newPassword');
      if (problem) showAt(problem.path, PASSWORD_PROBLEMS[problem.code] || (problem.path === 'newPassword' ? PASSWORD_PROBLEMS['min-length'] : error.message));
      else announce(error.message, 'error');
    }
  });
  document.getElementById('content').replaceChildren(
    el('section', { 'aria-labelledby': 'roles-title' }, el('h2', { id: 'roles-title' }, 'Vai trò'), el('ul', {}, me.roles.map((r) => el('li', {}, `${ROLE_LABELS[r.role] || r.role} – ${r.unitName}`)))),
    el('section', { 'aria-labelledby': 'password-title' }, el('h2', { id: 'password-title' }, 'Đổi mật khẩu'), form),
  );
});
