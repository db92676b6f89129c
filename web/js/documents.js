// Each unit where the person holds a role: its reports, where they stand, their issued documents.
import { api, el, formatCivilDate, formatDateTime, runPage, signedIn, STATUS_LABELS, unitsOf } from './app.js';

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
  document.getElementById('content').replaceChildren(...(sections.some(Boolean) ? sections : [el('p', {}, 'Bạn chưa có vai trò ở đơn vị nào có báo cáo.')]));
});
