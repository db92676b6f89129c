import { announce, api, ApiError, compareVietnamese, el, formatDate, formatDateTime, hasRole, runPage, signedIn, unitsOf } from './app.js';

const STATE_LABELS = { open: 'Đang mở', completed: 'Đã xong', cancelled: 'Đã hủy' };

runPage(async () => {
  const me = await signedIn();
  const unitNames = new Map(unitsOf(me).map((u) => [u.id, u.name]));
  const content = document.getElementById('content');
  const params = new URLSearchParams(location.search);
  const state = STATE_LABELS[params.get('state')] ? params.get('state') : 'open';
  const cycleId = /^\d+$/.test(params.get('cycleId') || '') ? params.get('cycleId') : '';

  const query = new URLSearchParams({ state });
  if (cycleId) query.set('cycleId', cycleId);
  const [tasks, yearOfCycle] = await Promise.all([api('GET', `/api/inbox?${query}`), cycleYears(me)]);
  const now = Date.now();
  tasks.sort((a, b) => (a.dueAt || '9999').localeCompare(b.dueAt || '9999') || compareVietnamese(a.name, b.name));

  // Filters: a plain GET form, so the filtered list has its own address.
  const cycles = [...new Set(tasks.map((t) => t.cycleId).filter(Boolean))];
  if (cycleId && !cycles.includes(Number(cycleId))) cycles.push(Number(cycleId));
  const filters = el(
    'form',
    { class: 'filters', method: 'get', action: '/inbox', 'aria-label': 'Lọc công việc' },
    el('div', { class: 'field' }, el('label', { for: 'filter-state' }, 'Trạng thái'), el('select', { id: 'filter-state', name: 'state' }, Object.entries(STATE_LABELS).map(([value, label]) => el('option', { value, selected: value === state }, label)))),
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'filter-cycle' }, 'Kỳ báo cáo'),
      el('select', { id: 'filter-cycle', name: 'cycleId' }, el('option', { value: '' }, 'Tất cả'), cycles.map((id) => el('option', { value: id, selected: String(id) === cycleId }, yearOfCycle.get(id) ? `Năm ${yearOfCycle.get(id)}` : `Kỳ số ${id}`))),
    ),
    el('button', { type: 'submit', class: 'secondary' }, 'Lọc'),
  );

  const rows = tasks.map((task) => {
    const overdue = task.state === 'open' && task.dueAt && Date.parse(task.dueAt) < now;
    const reportId = /^report:(\d+)$/.exec(task.subject || '')?.[1];
    const actions = el('div', { class: 'inline-form' });
    if (reportId) actions.append(el('a', { class: 'button', href: `/report?id=${reportId}` }, task.state === 'open' ? 'Mở báo cáo' : 'Xem báo cáo'));
    // The "Ký số" task is done on the signer's page: the signature route completes it.
    if (task.state === 'open' && task.elementId === 'sign-report') actions.append(el('a', { class: 'button', href: '/signatures' }, 'Ký số'));
    if (task.state === 'open') {
      if (!task.assignee) actions.append(el('button', { type: 'button', class: 'secondary', onclick: () => act(`/api/tasks/${encodeURIComponent(task.taskKey)}/claim`, 'Đã nhận việc.') }, 'Nhận việc'));
      else if (task.assignee === me.login) actions.append(el('button', { type: 'button', class: 'secondary', onclick: () => act(`/api/tasks/${encodeURIComponent(task.taskKey)}/unclaim`, 'Đã trả việc về nhóm.') }, 'Trả về nhóm'));
      if (hasRole(me, ['head', 'administrator'])) actions.append(assignForm(task));
    }
    return el(
      'tr',
      {},
      el('td', {}, task.name),
      el('td', {}, task.unitId ? unitNames.get(task.unitId) || `Đơn vị số ${task.unitId}` : ''),
      el('td', {}, task.dueAt ? formatDate(task.dueAt) : '—', overdue ? el('span', { class: 'overdue' }, ' (quá hạn)') : ''),
      el('td', {}, task.assignee ? (task.assignee === me.login ? 'Tôi' : task.assignee) : 'Chưa có người nhận'),
      el('td', {}, task.state === 'open' ? formatDateTime(task.createdAt) : `${STATE_LABELS[task.state]} ${formatDateTime(task.completedAt)}`),
      el('td', {}, actions),
    );
  });

  content.replaceChildren(
    filters,
    tasks.length === 0
      ? el('p', {}, state === 'open' ? 'Không có việc nào đang chờ bạn.' : 'Không có công việc nào.')
      : el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            { id: 'tasks' },
            el('caption', { class: 'sr-only' }, `Công việc (${STATE_LABELS[state].toLowerCase()})`),
            el('thead', {}, el('tr', {}, ['Công việc', 'Đơn vị', 'Hạn', 'Người xử lý', state === 'open' ? 'Giao lúc' : 'Kết thúc', 'Thao tác'].map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, rows),
          ),
        ),
  );

  function assignForm(task) {
    const id = `assign-${task.taskKey}`;
    const input = el('input', { id, name: 'login', type: 'text', autocomplete: 'off', placeholder: 'ten.dang.nhap@bo-du-lieu' });
    return el(
      'form',
      { class: 'inline-form', onsubmit: (event) => { event.preventDefault(); if (input.value.trim()) act(`/api/tasks/${encodeURIComponent(task.taskKey)}/assign`, `Đã giao việc cho ${input.value.trim()}.`, { login: input.value.trim() }); } },
      el('label', { for: id, class: 'sr-only' }, `Giao “${task.name}” cho (tên đăng nhập)`),
      input,
      el('button', { type: 'submit', class: 'secondary' }, 'Giao việc'),
    );
  }

  async function act(path, done, body) {
    try {
      await api('POST', path, body);
      sessionStorage.setItem('inbox-message', done);
      location.reload();
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Không thực hiện được.', 'error');
    }
  }

  const message = sessionStorage.getItem('inbox-message');
  if (message) {
    sessionStorage.removeItem('inbox-message');
    announce(message, 'ok');
  }
});

/** The year of each cycle my units report in (cycle ids mean nothing to people). */
async function cycleYears(me) {
  const lists = await Promise.all(unitsOf(me).map((u) => api('GET', `/api/reports?unitId=${u.id}`).catch(() => [])));
  return new Map(lists.flat().map((r) => [r.cycleId, r.year]));
}
