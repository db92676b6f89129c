// The consolidator's dashboard: where every unit below stands in a cycle, the counts, and the
// consolidator's acts (urge the late units, extend one unit's deadline, close the period, the XLSX tables).
import { announce, api, ApiError, compareVietnamese, el, formatDate, formatDateTime, formatNumber, hasRole, param, runPage, signedIn, unitsOf } from './app.js';
import { progressChart } from './progress-chart.js';

const FOLLOWERS = ['consolidator', 'head', 'deputy', 'clerk'];
const ORDER = ['not-started', 'drafting', 'in-review', 'returned', 'submitted', 'late', 'missing'];
const LABELS = { 'not-started': 'Chưa bắt đầu', drafting: 'Đang soạn', 'in-review': 'Đang trình duyệt', returned: 'Bị trả lại', submitted: 'Đã gửi', late: 'Trễ hạn', missing: 'Không báo cáo' };

runPage(async () => {
  const me = await signedIn();
  const units = unitsOf(me).filter((u) => hasRole(me, FOLLOWERS, u.id));
  const content = document.getElementById('content');
  const chosenUnit = Number(param('unitId')) || undefined;
  const lists = await Promise.all(units.map((u) => api('GET', `/api/consolidations?unitId=${u.id}`).then((list) => ({ unit: u, list }), () => ({ unit: u, list: [] }))));
  const withConsolidations = lists.filter((l) => l.list.length > 0);
  if (withConsolidations.length === 0) {
    content.replaceChildren(el('p', {}, 'Bạn không theo dõi đơn vị nào có đơn vị cấp dưới báo cáo về.'));
    return;
  }
  const current = withConsolidations.find((l) => l.unit.id === chosenUnit) ?? withConsolidations[0];
  const chosenId = Number(param('id'));
  const consolidation = current.list.find((c) => c.id === chosenId) ?? current.list[0];
  const progress = await api('GET', `/api/consolidations/${consolidation.id}/progress`);
  const isConsolidator = hasRole(me, ['consolidator'], current.unit.id);
  const receives = hasRole(me, ['consolidator', 'clerk'], current.unit.id);
  const open = progress.consolidation.status !== 'closed';

  const picker = el(
    'form',
    { class: 'filters', method: 'get', action: '/progress' },
    el('div', { class: 'field' }, el('label', { for: 'pick-unit' }, 'Đơn vị tổng hợp'), el('select', { id: 'pick-unit', name: 'unitId' }, withConsolidations.map((l) => el('option', { value: l.unit.id, selected: l === current }, l.unit.name)))),
    el('button', { type: 'submit', class: 'secondary' }, 'Xem'),
  );

  const counts = progress.counts;
  const done = (counts.submitted ?? 0) + (counts.late ?? 0);
  const summary = el(
    'section',
    { 'aria-labelledby': 'summary-title', class: 'panel' },
    el('h2', { id: 'summary-title' }, `${progress.consolidation.unitName} – kỳ số ${progress.consolidation.cycleId}`),
    el('p', {}, `Đã nhận ${done}/${counts.expected} báo cáo`, progress.consolidation.unitsDeadlineAt ? ` · Hạn các đơn vị: ${formatDate(progress.consolidation.unitsDeadlineAt)}` : '', open ? ' · Đang mở' : ` · Đã chốt số liệu lúc ${formatDateTime(progress.consolidation.closedAt)}`),
    el('progress', { max: counts.expected || 1, value: done, 'aria-label': `Đã nhận ${done} trên ${counts.expected} báo cáo` }),
    el('ul', { id: 'counts', class: 'legend' }, ORDER.map((s) => el('li', {}, `${LABELS[s]}: ${counts[s] ?? 0}`))),
  );

  // Totals so far: what closing now would count (or what the closed period counted), figure by figure.
  const totals = el(
    'section',
    { 'aria-labelledby': 'totals-title', class: 'panel' },
    el('h2', { id: 'totals-title' }, progress.totals.closed ? 'Số liệu tổng hợp đã chốt' : 'Số liệu tổng hợp đến nay'),
    el('p', { class: 'hint' }, `Từ ${formatNumber(progress.totals.counted)} báo cáo đã được tính${progress.totals.closed ? '' : ' (báo cáo gửi về một đơn vị tổng hợp cấp dưới được tính khi đơn vị đó chốt số liệu)'}.`),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { id: 'totals' },
        el('caption', { class: 'sr-only' }, 'Số liệu tổng hợp theo chỉ tiêu'),
        el('thead', {}, el('tr', {}, ['Chỉ tiêu', 'Đơn vị tính', 'Tổng'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, progress.totals.rows.map((r) => el('tr', {}, el('td', {}, `${r.section}: ${r.label}`), el('td', {}, r.unit), el('td', { class: 'number' }, formatNumber(r.value))))),
      ),
    ),
  );

  const rows = [...progress.units]
    .sort((a, b) => ORDER.indexOf(b.status) - ORDER.indexOf(a.status) || compareVietnamese(a.name, b.name))
    .map((u) =>
      el(
        'tr',
        { 'data-unit': u.code },
        el('td', {}, u.reportId ? el('a', { href: `/report?id=${u.reportId}` }, u.name) : u.name),
        el('td', {}, el('span', { class: u.status === 'late' || u.status === 'missing' ? 'overdue' : '' }, u.statusLabel || LABELS[u.status]), u.onPaper ? ' (nhập hộ)' : ''),
        el('td', {}, formatDate(u.deadline)),
        el('td', {}, u.sentAt ? formatDateTime(u.sentAt) : '—'),
        el('td', {}, u.reference || '—'),
        el(
          'td',
          {},
          isConsolidator && open && u.reportId && !u.sentAt ? extendForm(u) : '',
          receives && u.reportId && !u.sentAt && u.reportsToId === current.unit.id ? el('a', { href: `/report?id=${u.reportId}&paper=1`, class: 'paper-link' }, 'Nhập hộ báo cáo giấy') : '',
        ),
      ),
    );

  const acts = el('div', { class: 'actions' }, el('a', { class: 'button secondary', href: `/api/consolidations/${consolidation.id}/tables.xlsx` }, 'Tải bảng tổng hợp (XLSX)'));
  if (isConsolidator && open) {
    const urgeDate = el('input', { id: 'urge-date', type: 'text', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', 'aria-describedby': 'urge-hint' });
    acts.append(
      el(
        'form',
        { class: 'inline-form', id: 'urge-form', onsubmit: (event) => { event.preventDefault(); const date = toIsoDate(urgeDate.value); act('POST', `/api/consolidations/${consolidation.id}/urge`, date ? { newDeadline: date } : {}, 'Đã phát hành công văn đôn đốc các đơn vị chậm.'); } },
        el('label', { for: 'urge-date' }, 'Hạn mới trong công văn đôn đốc'),
        urgeDate,
        el('span', { class: 'hint', id: 'urge-hint' }, 'Để trống: 3 ngày làm việc kể từ hôm nay.'),
        el('button', { type: 'submit' }, 'Gửi công văn đôn đốc'),
      ),
      el('button', { type: 'button', class: 'danger', id: 'close-period', onclick: () => confirm('Chốt số liệu? Sau khi chốt, báo cáo đến muộn không được cộng vào tổng hợp.') && act('POST', `/api/consolidations/${consolidation.id}/close`, undefined, 'Đã chốt số liệu.') }, 'Chốt số liệu'),
    );
  }

  content.replaceChildren(
    picker,
    summary,
    progressChart(progress.units, counts.expected),
    totals,
    acts,
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { id: 'progress' },
        el('caption', { class: 'sr-only' }, 'Tiến độ báo cáo của các đơn vị'),
        el('thead', {}, el('tr', {}, ['Đơn vị', 'Tình trạng', 'Hạn', 'Gửi lúc', 'Văn bản', 'Gia hạn, nhập hộ'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows),
      ),
    ),
  );
  const pending = sessionStorage.getItem('progress-message');
  if (pending) {
    sessionStorage.removeItem('progress-message');
    announce(pending, 'ok');
  }

  function extendForm(u) {
    const id = `extend-${u.unitId}`;
    const input = el('input', { id, type: 'text', inputmode: 'numeric', placeholder: 'dd/mm/yyyy' });
    return el(
      'form',
      {
        class: 'inline-form',
        onsubmit: (event) => {
          event.preventDefault();
          const date = toIsoDate(input.value);
          if (!date) return announce('Hãy nhập hạn mới dạng dd/mm/yyyy.', 'error');
          // The end of that day in Vietnam.
          act('PUT', `/api/reports/${u.reportId}/deadline`, { deadline: `${date}T23:59:59+07:00` }, `Đã gia hạn cho ${u.name} đến ${input.value}.`);
        },
      },
      el('label', { for: id, class: 'sr-only' }, `Hạn mới cho ${u.name}`),
      input,
      el('button', { type: 'submit', class: 'secondary' }, 'Gia hạn'),
    );
  }

  async function act(method, path, body, message) {
    try {
      await api(method, path, body);
      sessionStorage.setItem('progress-message', message);
      location.reload();
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Không thực hiện được.', 'error');
    }
  }
});

function toIsoDate(text) {
  const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  return match ? `${match[3]}-${match[2].padStart(2, '0')}-${match[1].padStart(2, '0')}` : '';
}
