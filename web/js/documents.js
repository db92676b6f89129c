// Each unit where the person holds a role: its reports, where they stand, their issued documents;
// the consolidated tables (XLSX) of the units they follow; a unit's outgoing or incoming register for
// a year (sổ đăng ký văn bản đi / đến) with its XLSX export.
import { api, ApiError, el, formatCivilDate, formatDateTime, hasRole, param, runPage, signedIn, STATUS_LABELS, unitsOf } from './app.js';

const REGISTER_READERS = ['staff', 'division-head', 'head', 'deputy', 'clerk', 'consolidator'];
const FOLLOWERS = ['consolidator', 'head', 'deputy', 'clerk'];
const KINDS = { outgoing: 'Sổ đăng ký văn bản đi', incoming: 'Sổ đăng ký văn bản đến' };
const YEAR_NOW = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()));

runPage(async () => {
  const me = await signedIn();
  const units = unitsOf(me);
  const lists = await Promise.all(units.map((unit) => api('GET', `/api/reports?unitId=${unit.id}`).catch(() => null)));
  const sections = units.map((unit, index) => {
    const reports = lists[index];
    if (reports === null) return '';
    return el(
      'section',
      { 'aria-labelledby': `unit-${unit.id}` },
      el('h2', { id: `unit-${unit.id}` }, unit.name),
      reports.length === 0
        ? el('p', {}, 'Chưa có báo cáo nào.')
        : el(
            'div',
            { class: 'table-wrap' },
            el(
              'table',
              { class: 'reports' },
              el('thead', {}, el('tr', {}, ['Năm', 'Trạng thái', 'Văn bản', 'Cập nhật', 'Thao tác'].map((h) => el('th', { scope: 'col' }, h)))),
              el(
                'tbody',
                {},
                reports.map((r) =>
                  el(
                    'tr',
                    {},
                    el('td', {}, String(r.year)),
                    el('td', {}, STATUS_LABELS[r.status] || r.status),
                    el('td', {}, r.document ? `Số ${r.document.symbol} ngày ${formatCivilDate(r.document.issueDate)}` : '—'),
                    el('td', {}, formatDateTime(r.updatedAt)),
                    el(
                      'td',
                      { class: 'inline-form' },
                      el('a', { href: `/report?id=${r.id}` }, 'Mở báo cáo'),
                      r.document ? el('a', { href: `/api/reports/${r.id}/document`, target: '_blank', rel: 'noopener', class: 'issued-pdf' }, 'Văn bản (PDF)') : '',
                      el('a', { href: `/process?report=${r.id}` }, 'Quy trình'),
                    ),
                  ),
                ),
              ),
            ),
          ),
    );
  });
  const tables = await consolidationTables(me, units, lists);
  document.getElementById('content').replaceChildren(...(sections.some(Boolean) ? sections : [el('p', {}, 'Bạn chưa có vai trò ở đơn vị nào có báo cáo.')]), tables, await registerSection(me, units));
});

/** The consolidated tables of each unit the person follows (one per cycle), as XLSX downloads. */
async function consolidationTables(me, units, reportLists) {
  const followed = units.filter((u) => hasRole(me, FOLLOWERS, u.id));
  const yearOfCycle = new Map(reportLists.flatMap((list) => (list || []).map((r) => [r.cycleId, r.year])));
  const lists = await Promise.all(followed.map((u) => api('GET', `/api/consolidations?unitId=${u.id}`).catch(() => [])));
  const items = followed.flatMap((u, i) => lists[i].map((c) => el('li', {}, el('a', { href: `/api/consolidations/${c.id}/tables.xlsx`, class: 'tables-xlsx' }, `${u.name} – bảng tổng hợp ${yearOfCycle.has(c.cycleId) ? `năm ${yearOfCycle.get(c.cycleId)}` : `kỳ số ${c.cycleId}`} (XLSX)`))));
  if (items.length === 0) return '';
  return el('section', { 'aria-labelledby': 'tables-title' }, el('h2', { id: 'tables-title' }, 'Bảng tổng hợp'), el('ul', { id: 'consolidation-tables' }, items));
}

/** A unit's register for a year, chosen by a GET form (the choice stays in the address), and its XLSX. */
async function registerSection(me, units) {
  const readable = units.filter((u) => hasRole(me, REGISTER_READERS, u.id));
  if (readable.length === 0) return '';
  const unitId = Number(param('registerUnit')) || readable[0].id;
  const unit = readable.find((u) => u.id === unitId) ?? readable[0];
  const kind = param('kind') === 'incoming' ? 'incoming' : 'outgoing';
  const yearParam = Number(param('year'));
  const year = Number.isInteger(yearParam) && yearParam >= 2000 && yearParam <= 2100 ? yearParam : YEAR_NOW;
  const form = el(
    'form',
    { class: 'filters', method: 'get', action: '/documents#registers-title', id: 'register-form' },
    el('div', { class: 'field' }, el('label', { for: 'register-unit' }, 'Đơn vị'), el('select', { id: 'register-unit', name: 'registerUnit' }, readable.map((u) => el('option', { value: u.id, selected: u === unit }, u.name)))),
    el('div', { class: 'field' }, el('label', { for: 'register-kind' }, 'Sổ'), el('select', { id: 'register-kind', name: 'kind' }, Object.entries(KINDS).map(([k, label]) => el('option', { value: k, selected: k === kind }, label)))),
    el('div', { class: 'field' }, el('label', { for: 'register-year' }, 'Năm'), el('input', { id: 'register-year', name: 'year', type: 'number', inputmode: 'numeric', min: 2000, max: 2100, value: year })),
    el('button', { type: 'submit', class: 'secondary' }, 'Xem sổ'),
  );
  const section = el('section', { 'aria-labelledby': 'registers-title' }, el('h2', { id: 'registers-title' }, 'Sổ đăng ký văn bản'), form);
  let register;
  try {
    register = await api('GET', `/api/units/${unit.id}/registers?kind=${kind}&year=${year}`);
  } catch (error) {
    section.append(el('p', { class: 'message message-error' }, error instanceof ApiError ? error.message : 'Không tải được sổ.'));
    return section;
  }
  const cover = register.cover;
  section.append(
    el('p', { id: 'register-cover' }, `${KINDS[kind]} năm ${year} – ${register.unit.officialName}: ${cover.entries} văn bản`, cover.fromNumber !== null ? `, từ số ${cover.fromNumber} đến số ${cover.toNumber}` : '', register.closing ? ' · đã khóa sổ' : ''),
    el('p', {}, el('a', { class: 'button secondary', id: 'register-xlsx', href: `/api/units/${unit.id}/registers.xlsx?kind=${kind}&year=${year}` }, 'Tải sổ (XLSX)')),
    register.rows.length === 0
      ? el('p', { id: 'register-empty' }, 'Sổ chưa có văn bản nào trong năm này.')
      : el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            { id: 'register' },
            el('caption', { class: 'sr-only' }, `${KINDS[kind]} năm ${year}`),
            el('thead', {}, el('tr', {}, register.columns.map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, register.rows.map((row) => el('tr', {}, row.map((cell) => el('td', {}, cell))))),
          ),
        ),
  );
  return section;
}
