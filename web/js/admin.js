// Administrators of a data set: its cycles (open the year's cycle), the data sets shipped with the
// application (import or bring one up to date), people imported in bulk from CSV/XLSX (every row
// checked by the API, nothing imported if one is wrong), finding a person to set a new password,
// the roles they hold in a unit, and handing a departed person's open tasks to a colleague.
import { announce, api, ApiError, compareVietnamese, el, formatCivilDate, formatDate, param, parseCivilDate, ROLE_LABELS, runPage, signedIn } from './app.js';

const MIN_LENGTH = 12;
const ROLES = ['staff', 'division-head', 'head', 'deputy', 'clerk', 'consolidator', 'administrator'];
const CYCLE_STATUS = { open: 'Đang mở', closed: 'Đã kết thúc' };
const YEAR_NOW = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()));

runPage(async () => {
  const me = await signedIn();
  const administered = me.roles.filter((r) => r.role === 'administrator').sort((a, b) => compareVietnamese(a.dataSetId, b.dataSetId));
  const content = document.getElementById('content');
  if (administered.length === 0) {
    content.replaceChildren(el('p', {}, 'Trang này dành cho quản trị viên.'));
    return;
  }
  const chosen = administered.find((r) => String(r.unitId) === param('unitId')) ?? administered[0];
  const unitId = chosen.unitId;
  const overview = await api('GET', `/api/admin/overview?unitId=${unitId}`);
  const q = (param('q') || '').trim();

  content.replaceChildren(
    administered.length > 1 ? dataSetPicker() : '',
    cyclesSection(),
    dataSetsSection(),
    importSection(),
    await peopleSection(),
  );
  const pending = sessionStorage.getItem('admin-message');
  if (pending) {
    sessionStorage.removeItem('admin-message');
    announce(pending, 'ok');
  }

  function dataSetPicker() {
    return el(
      'form',
      { class: 'filters', method: 'get', action: '/admin' },
      el('div', { class: 'field' }, el('label', { for: 'pick-data-set' }, 'Bộ dữ liệu quản trị'), el('select', { id: 'pick-data-set', name: 'unitId' }, administered.map((r) => el('option', { value: r.unitId, selected: r === chosen }, `${r.dataSetId} (${r.unitName})`)))),
      el('button', { type: 'submit', class: 'secondary' }, 'Xem'),
    );
  }

  function cyclesSection() {
    const years = new Set(overview.cycles.map((c) => c.year));
    const suggested = years.has(YEAR_NOW) ? YEAR_NOW + 1 : YEAR_NOW;
    const year = el('input', { id: 'cycle-year', name: 'year', type: 'number', inputmode: 'numeric', min: 2015, max: 2100, value: suggested, required: true, 'aria-describedby': 'cycle-year-hint cycle-year-error' });
    const yearError = el('p', { class: 'field-error', id: 'cycle-year-error' });
    const deadline = el('input', { id: 'cycle-deadline', name: 'deadline', type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: 'dd/mm/yyyy', 'aria-describedby': 'cycle-deadline-hint cycle-deadline-error' });
    const deadlineError = el('p', { class: 'field-error', id: 'cycle-deadline-error' });
    const button = el('button', { type: 'submit', id: 'open-cycle' }, 'Mở kỳ báo cáo');
    return el(
      'section',
      { 'aria-labelledby': 'cycles-title' },
      el('h2', { id: 'cycles-title' }, `Kỳ báo cáo – ${overview.dataSet.title}`),
      overview.cycles.length === 0
        ? el('p', {}, 'Chưa mở kỳ báo cáo nào.')
        : el(
            'div',
            { class: 'table-wrap' },
            el(
              'table',
              { id: 'cycles' },
              el('caption', { class: 'sr-only' }, 'Các kỳ báo cáo của bộ dữ liệu'),
              el('thead', {}, el('tr', {}, ['Năm', 'Tình trạng', 'Hạn báo cáo', 'Kỳ số liệu'].map((h) => el('th', { scope: 'col' }, h)))),
              el('tbody', {}, overview.cycles.map((c) => el('tr', { 'data-year': c.year }, el('td', {}, String(c.year)), el('td', {}, CYCLE_STATUS[c.status] || c.status), el('td', {}, formatDate(c.deadlineAt)), el('td', {}, `${formatCivilDate(c.periodStart)} – ${formatCivilDate(c.periodEnd)}`)))),
            ),
          ),
      el(
        'form',
        {
          id: 'open-cycle-form',
          class: 'filters',
          novalidate: true,
          onsubmit: async (event) => {
            event.preventDefault();
            const value = Number(year.value);
            if (!Number.isInteger(value) || value < 2015 || value > 2100) return fieldError(year, yearError, 'Năm phải từ 2015 đến 2100.');
            if (years.has(value)) return fieldError(year, yearError, `Kỳ báo cáo năm ${value} đã mở.`);
            clearError(year, yearError);
            const day = deadline.value.trim() ? parseCivilDate(deadline.value) : '';
            if (day && !/^\d{4}-\d{2}-\d{2}$/.test(day)) return fieldError(deadline, deadlineError, 'Hạn báo cáo phải có dạng dd/mm/yyyy.');
            clearError(deadline, deadlineError);
            if (!confirm(`Mở kỳ báo cáo năm ${value}? Mọi đơn vị sẽ nhận nhiệm vụ báo cáo và công văn đề nghị báo cáo được phát hành.`)) return;
            button.disabled = true;
            announce(`Đang mở kỳ báo cáo năm ${value}: khởi tạo báo cáo của các đơn vị và phát hành công văn…`);
            try {
              await api('POST', '/api/admin/cycles', { unitId, year: value, ...(day ? { deadline: day } : {}) });
              done(`Đã mở kỳ báo cáo năm ${value}.`);
            } catch (error) {
              button.disabled = false;
              failed(error, { year: [year, yearError], deadline: [deadline, deadlineError], periodEnd: [deadline, deadlineError] });
            }
          },
        },
        el('div', { class: 'field' }, el('label', { for: 'cycle-year' }, 'Năm báo cáo'), year, el('p', { class: 'hint', id: 'cycle-year-hint' }, 'Kỳ số liệu từ 15/11 năm trước đến 14/11 của năm.'), yearError),
        el('div', { class: 'field' }, el('label', { for: 'cycle-deadline' }, 'Hạn báo cáo'), deadline, el('p', { class: 'hint', id: 'cycle-deadline-hint' }, 'dd/mm/yyyy; để trống: 14/11 của năm. Không trước ngày kết thúc kỳ số liệu.'), deadlineError),
        button,
      ),
    );
  }

  function dataSetsSection() {
    const select = el('select', { id: 'data-set-id', name: 'dataSetId' }, overview.available.map((d) => el('option', { value: d.id, selected: d.id === overview.dataSet.id }, `${d.id}${d.imported ? ' (đã nhập)' : ' (chưa nhập)'}`)));
    return el(
      'section',
      { 'aria-labelledby': 'data-sets-title' },
      el('h2', { id: 'data-sets-title' }, 'Bộ dữ liệu tổ chức'),
      el('p', {}, `Đang dùng: ${overview.dataSet.title}, nhập lúc ${formatDate(overview.dataSet.importedAt)}.`),
      el(
        'form',
        {
          id: 'import-data-set-form',
          class: 'filters',
          onsubmit: async (event) => {
            event.preventDefault();
            announce(`Đang nhập bộ dữ liệu ${select.value}…`);
            try {
              const summary = await api('POST', '/api/admin/data-sets/import', { dataSetId: select.value });
              done(`Đã nhập bộ dữ liệu ${summary.dataSetId}: ${summary.units.inserted} đơn vị mới, ${summary.units.updated} đơn vị cập nhật, ${summary.people.inserted} người dùng mới.`);
            } catch (error) {
              failed(error);
            }
          },
        },
        el('div', { class: 'field' }, el('label', { for: 'data-set-id' }, 'Bộ dữ liệu kèm theo ứng dụng'), select),
        el('button', { type: 'submit', class: 'secondary' }, 'Nhập / cập nhật'),
      ),
    );
  }

  function importSection() {
    const file = el('input', { id: 'people-file', name: 'file', type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', required: true, 'aria-describedby': 'people-file-hint people-file-error' });
    const fileError = el('p', { class: 'field-error', id: 'people-file-error' });
    const errors = el('div', { id: 'import-errors', 'aria-live': 'polite' });
    return el(
      'section',
      { 'aria-labelledby': 'import-title' },
      el('h2', { id: 'import-title' }, 'Nhập người dùng từ tệp'),
      el(
        'form',
        {
          id: 'import-people-form',
          novalidate: true,
          onsubmit: async (event) => {
            event.preventDefault();
            errors.replaceChildren();
            if (!file.files || file.files.length === 0) return fieldError(file, fileError, 'Hãy chọn tệp CSV hoặc XLSX.');
            clearError(file, fileError);
            const body = new FormData();
            body.append('file', file.files[0]);
            try {
              const result = await api('POST', `/api/admin/people/import?unitId=${unitId}`, body);
              file.value = '';
              announce(`Đã nhập ${result.rows} dòng: ${result.peopleInserted} người dùng mới, ${result.rolesInserted} vai trò mới. Người dùng mới đăng nhập được sau khi quản trị viên đặt mật khẩu.`, 'ok');
            } catch (error) {
              if (error instanceof ApiError && error.fields.length > 0) {
                file.setAttribute('aria-invalid', 'true');
                errors.replaceChildren(el('p', { class: 'field-error' }, error.message), el('ul', { id: 'import-error-list' }, error.fields.map((f) => el('li', { 'data-path': f.path }, f.message))));
                announce(error.message, 'error');
              } else failed(error);
            }
          },
        },
        el(
          'div',
          { class: 'field' },
          el('label', { for: 'people-file' }, 'Tệp danh sách người dùng (.csv hoặc .xlsx)'),
          file,
          el('p', { class: 'hint', id: 'people-file-hint' }, 'Dòng đầu là tiêu đề: Họ tên, Tên đăng nhập, Mã đơn vị, Vai trò (nhiều vai trò cách nhau bởi dấu chấm phẩy: Chuyên viên; Văn thư), Thư điện tử (không bắt buộc). Nếu có dòng sai, không ai được nhập.'),
          fileError,
        ),
        el('button', { type: 'submit', id: 'import-people' }, 'Nhập danh sách'),
        errors,
      ),
    );
  }

  async function peopleSection() {
    const search = el(
      'form',
      { class: 'filters', method: 'get', action: '/admin', role: 'search' },
      administered.length > 1 ? el('input', { type: 'hidden', name: 'unitId', value: unitId }) : '',
      el('div', { class: 'field' }, el('label', { for: 'q' }, 'Tìm theo tên đăng nhập hoặc họ tên'), el('input', { id: 'q', name: 'q', type: 'search', value: q, minlength: 2, maxlength: 120, required: true })),
      el('button', { type: 'submit' }, 'Tìm'),
    );
    const section = el('section', { 'aria-labelledby': 'people-title' }, el('h2', { id: 'people-title' }, 'Người dùng'), search);
    if (q.length < 2) {
      section.append(el('p', { class: 'hint' }, 'Nhập ít nhất 2 ký tự.'));
      return section;
    }
    const people = await api('GET', `/api/admin/people?unitId=${unitId}&q=${encodeURIComponent(q)}`);
    const selectedId = Number(param('person'));
    const rows = people.map((p) =>
      el(
        'tr',
        { 'data-login': p.login },
        el('td', {}, p.fullName, p.active ? '' : ' (đã khóa)'),
        el('td', {}, p.login),
        el('td', {}, el('ul', {}, p.roles.map((r) => el('li', {}, `${ROLE_LABELS[r.role] || r.role} – ${r.unitName}`)))),
        el('td', {}, resetForm(p)),
        el('td', {}, el('a', { href: `/admin?${new URLSearchParams({ ...(administered.length > 1 ? { unitId } : {}), q, person: p.id })}#person-title`, class: 'manage-link' }, `Vai trò, giao việc`, el('span', { class: 'sr-only' }, ` của ${p.fullName}`))),
      ),
    );
    section.append(
      people.length === 0
        ? el('p', {}, 'Không tìm thấy ai.')
        : el(
            'div',
            { class: 'table-wrap' },
            el(
              'table',
              { id: 'people' },
              el('caption', { class: 'sr-only' }, `Kết quả tìm “${q}”`),
              el('thead', {}, el('tr', {}, ['Họ tên', 'Tên đăng nhập', 'Vai trò', 'Đặt lại mật khẩu', 'Quản lý'].map((h) => el('th', { scope: 'col' }, h)))),
              el('tbody', {}, rows),
            ),
          ),
      people.length >= 50 ? el('p', { class: 'hint' }, 'Chỉ hiện 50 người đầu tiên: hãy tìm cụ thể hơn.') : '',
    );
    const person = people.find((p) => p.id === selectedId);
    if (person) section.append(await personPanel(person));
    return section;
  }

  async function personPanel(person) {
    const tasks = await api('GET', `/api/admin/people/${person.id}/tasks`);
    const units = [...new Map(person.roles.map((r) => [r.unitId, r.unitName])).entries()].sort((a, b) => compareVietnamese(a[1], b[1]));
    const otherUnits = overview.units.filter((u) => !units.some(([id]) => id === u.id)).sort((a, b) => compareVietnamese(a.name, b.name));
    const panel = el('section', { class: 'panel', id: 'person-panel', 'aria-labelledby': 'person-title' }, el('h3', { id: 'person-title', tabindex: '-1' }, `${person.fullName} (${person.login})`));

    // Roles: one unit at a time, every role as a checkbox.
    {
      const unitSelect = el(
        'select',
        { id: 'roles-unit', name: 'unitId' },
        units.length > 0 ? el('optgroup', { label: 'Đơn vị đang có vai trò' }, units.map(([id, name]) => el('option', { value: id }, name))) : '',
        el('optgroup', { label: 'Đơn vị khác' }, otherUnits.map((u) => el('option', { value: u.id }, `${u.name} (${u.code})`))),
      );
      const boxes = el('fieldset', { id: 'roles-boxes', 'aria-describedby': 'roles-error' }, el('legend', {}, 'Vai trò tại đơn vị'));
      const drawBoxes = () => {
        const held = new Set(person.roles.filter((r) => r.unitId === Number(unitSelect.value)).map((r) => r.role));
        boxes.replaceChildren(boxes.firstChild, ...ROLES.map((role) => el('div', { class: 'check' }, el('input', { type: 'checkbox', id: `role-${role}`, name: 'roles', value: role, checked: held.has(role) }), el('label', { for: `role-${role}` }, ROLE_LABELS[role]))));
      };
      unitSelect.addEventListener('change', drawBoxes);
      drawBoxes();
      const rolesError = el('p', { class: 'field-error', id: 'roles-error' });
      panel.append(
        el(
          'form',
          {
            id: 'roles-form',
            onsubmit: async (event) => {
              event.preventDefault();
              const roles = [...boxes.querySelectorAll('input[name="roles"]:checked')].map((b) => b.value);
              try {
                await api('PUT', `/api/admin/people/${person.id}/roles`, { unitId: Number(unitSelect.value), roles });
                done(`Đã cập nhật vai trò của ${person.fullName}.`);
              } catch (error) {
                if (error instanceof ApiError && error.fields.length > 0) {
                  rolesError.textContent = error.fields.map((f) => f.message).join(' ');
                  announce(rolesError.textContent, 'error');
                } else failed(error);
              }
            },
          },
          el('div', { class: 'field' }, el('label', { for: 'roles-unit' }, 'Đơn vị'), unitSelect),
          boxes,
          rolesError,
          el('button', { type: 'submit', id: 'save-roles' }, 'Lưu vai trò'),
        ),
      );
      if (units.length === 0) panel.append(el('p', {}, 'Người này chưa có vai trò nào trong bộ dữ liệu.'));
    }

    // Tasks held, and handing them over when the person has left.
    panel.append(
      el('h4', {}, 'Nhiệm vụ đang giữ'),
      tasks.length === 0
        ? el('p', { id: 'held-tasks' }, 'Không giữ nhiệm vụ nào đang mở.')
        : el('ul', { id: 'held-tasks' }, tasks.map((t) => el('li', { 'data-task': t.taskKey }, `${t.name} – ${t.unitName ?? ''}${t.dueAt ? `, hạn ${formatDate(t.dueAt)}` : ''}`))),
    );
    const toLogin = el('input', { id: 'to-login', name: 'toLogin', type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'to-login-hint to-login-error' });
    const toLoginError = el('p', { class: 'field-error', id: 'to-login-error' });
    const deactivate = el('input', { id: 'deactivate', name: 'deactivate', type: 'checkbox', checked: person.active });
    panel.append(
      el(
        'form',
        {
          id: 'reassign-form',
          novalidate: true,
          onsubmit: async (event) => {
            event.preventDefault();
            if (!toLogin.value.trim()) return fieldError(toLogin, toLoginError, 'Nhập tên đăng nhập của người nhận việc.');
            try {
              const result = await api('POST', `/api/admin/people/${person.id}/reassign-tasks`, { toLogin: toLogin.value.trim(), deactivate: deactivate.checked });
              done(`Đã giao ${result.reassigned.length} nhiệm vụ của ${person.fullName} cho ${toLogin.value.trim()}${result.deactivated ? '; tài khoản người nghỉ việc đã bị khóa' : ''}.`);
            } catch (error) {
              failed(error, { toLogin: [toLogin, toLoginError] });
            }
          },
        },
        el('div', { class: 'field' }, el('label', { for: 'to-login' }, 'Giao lại cho (tên đăng nhập của người cùng đơn vị)'), toLogin, el('p', { class: 'hint', id: 'to-login-hint' }, 'Ví dụ: staff.21211@quang-ngai-2025'), toLoginError),
        el('div', { class: 'field check' }, deactivate, el('label', { for: 'deactivate' }, 'Người này đã nghỉ việc: khóa tài khoản')),
        el('button', { type: 'submit', id: 'reassign' }, 'Giao lại nhiệm vụ'),
      ),
    );
    setTimeout(() => panel.querySelector('#person-title')?.focus(), 0);
    return panel;
  }

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

/** The page again, with a message for after the reload. */
function done(message) {
  sessionStorage.setItem('admin-message', message);
  location.reload();
}

function fieldError(input, node, message) {
  input.setAttribute('aria-invalid', 'true');
  node.textContent = message;
  input.focus();
  announce(message, 'error');
}

function clearError(input, node) {
  input.removeAttribute('aria-invalid');
  node.textContent = '';
}

/** A refused call: each field error the API named at its input when the page has it, the message otherwise. */
function failed(error, fields = {}) {
  if (error instanceof ApiError) {
    let shown = false;
    for (const f of error.fields) {
      const target = fields[f.path];
      if (target) {
        fieldError(target[0], target[1], f.message);
        shown = true;
      }
    }
    if (!shown) announce(error.fields.length > 0 ? error.fields.map((f) => f.message).join(' ') : error.message, 'error');
  } else announce('Không thực hiện được.', 'error');
}
