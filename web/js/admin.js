// Administrators: find a person of the data set by login or name, and set a new password for them
// (POST /api/admin/people/:id/password-reset closes their sessions).
import { announce, api, ApiError, el, param, ROLE_LABELS, runPage, signedIn } from './app.js';

const MIN_LENGTH = 12;

runPage(async () => {
  const me = await signedIn();
  const unit = me.roles.find((r) => r.role === 'administrator');
  const content = document.getElementById('content');
  if (!unit) {
    content.replaceChildren(el('p', {}, 'Trang này dành cho quản trị viên.'));
    return;
  }
  const q = (param('q') || '').trim();
  const search = el(
    'form',
    { class: 'filters', method: 'get', action: '/admin', role: 'search' },
    el('div', { class: 'field' }, el('label', { for: 'q' }, 'Tìm theo tên đăng nhập hoặc họ tên'), el('input', { id: 'q', name: 'q', type: 'search', value: q, minlength: 2, maxlength: 120, required: true })),
    el('button', { type: 'submit' }, 'Tìm'),
  );
  if (q.length < 2) {
    content.replaceChildren(search, el('p', { class: 'hint' }, 'Nhập ít nhất 2 ký tự.'));
    return;
  }
  const people = await api('GET', `/api/admin/people?unitId=${unit.unitId}&q=${encodeURIComponent(q)}`);
  const rows = people.map((p) =>
    el(
      'tr',
      { 'data-login': p.login },
      el('td', {}, p.fullName, p.active ? '' : ' (đã khóa)'),
      el('td', {}, p.login),
      el('td', {}, el('ul', {}, p.roles.map((r) => el('li', {}, `${ROLE_LABELS[r.role] || r.role} – ${r.unitName}`)))),
      el('td', {}, resetForm(p)),
    ),
  );
  content.replaceChildren(
    search,
    people.length === 0
      ? el('p', {}, 'Không tìm thấy ai.')
      : el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            { id: 'people' },
            el('caption', { class: 'sr-only' }, `Kết quả tìm “${q}”`),
            el('thead', {}, el('tr', {}, ['Họ tên', 'Tên đăng nhập', 'Vai trò', 'Đặt lại mật khẩu'].map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, rows),
          ),
        ),
    people.length >= 50 ? el('p', { class: 'hint' }, 'Chỉ hiện 50 người đầu tiên: hãy tìm cụ thể hơn.') : '',
  );

  function resetForm(person) {
    const id = `reset-${person.id}`;
    const input = el('input', { id, type: 'password', autocomplete: 'new-password', minlength: MIN_LENGTH, 'aria-describedby': `${id}-hint` });
    return el(
      'form',
      {
        class: 'inline-form',
        onsubmit: async (event) => {
          event.preventDefault();
          if (input.value.length < MIN_LENGTH) {
            input.setAttribute('aria-invalid', 'true');
            input.focus();
            return announce(`Mật khẩu mới phải có ít nhất ${MIN_LENGTH} ký tự.`, 'error');
          }
          try {
            await api('POST', `/api/admin/people/${person.id}/password-reset`, { newPassword: input.value });
            input.value = '';
            input.removeAttribute('aria-invalid');
            announce(`Đã đặt lại mật khẩu cho ${person.fullName}; các phiên đăng nhập của người này đã bị đóng.`, 'ok');
          } catch (error) {
            announce(error instanceof ApiError ? error.message : 'Không thực hiện được.', 'error');
          }
        },
      },
      el('label', { for: id, class: 'sr-only' }, `Mật khẩu mới cho ${person.fullName}`),
      input,
      el('span', { class: 'sr-only', id: `${id}-hint` }, `Ít nhất ${MIN_LENGTH} ký tự`),
      el('button', { type: 'submit', class: 'secondary' }, 'Đặt lại'),
    );
  }
});
