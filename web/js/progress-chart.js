// The consolidator's chart of progress over time: reports received each day (bars) and received so
// far (line), against the number expected, from each unit's sending time (`sentAt`), by civil day in
// Vietnam. An inline SVG drawn here (no chart library), with the same figures as a table for screen
// readers and keyboards.
import { el, formatNumber } from './app.js';

const SVG = 'http://www.w3.org/2000/svg';
const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Civil days (YYYY-MM-DD, Vietnam) from the first sending to `until`, each with the reports received that day and so far. */
export function dailyProgress(sentInstants, until = new Date()) {
  const days = sentInstants.filter(Boolean).map((instant) => dayOf.format(new Date(instant))).sort();
  if (days.length === 0) return [];
  const last = [days[days.length - 1], dayOf.format(until)].sort()[1];
  const counts = new Map();
  for (const day of days) counts.set(day, (counts.get(day) ?? 0) + 1);
  const out = [];
  let total = 0;
  for (let day = days[0]; day <= last; day = nextDay(day)) {
    const count = counts.get(day) ?? 0;
    total += count;
    out.push({ day, count, total });
    if (out.length > 400) break; // a cycle is a year at most
  }
  return out;
}

function nextDay(isoDay) {
  const date = new Date(`${isoDay}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

const shortDay = (isoDay) => `${isoDay.slice(8, 10)}/${isoDay.slice(5, 7)}`;
const longDay = (isoDay) => `${isoDay.slice(8, 10)}/${isoDay.slice(5, 7)}/${isoDay.slice(0, 4)}`;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** The chart section: SVG, then the figures as a table (in a disclosure). */
export function progressChart(units, expected, until = new Date()) {
  const series = dailyProgress(units.map((u) => u.sentAt), until);
  const paperWithoutDate = units.filter((u) => u.onPaper && !u.sentAt).length;
  const section = el('section', { 'aria-labelledby': 'chart-title', id: 'progress-chart' }, el('h2', { id: 'chart-title' }, 'Tiến độ nhận báo cáo theo ngày'));
  if (series.length === 0) {
    section.append(el('p', { id: 'chart-empty' }, 'Chưa nhận báo cáo nào.'));
    return section;
  }
  const width = 640;
  const height = 240;
  const margin = { left: 40, right: 12, top: 12, bottom: 36 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const top = Math.max(expected, series[series.length - 1].total, 1);
  const step = plotW / series.length;
  const y = (value) => margin.top + plotH - (value / top) * plotH;
  const x = (index) => margin.left + index * step;
  const last = series[series.length - 1];
  const description = `Từ ${longDay(series[0].day)} đến ${longDay(last.day)}: đã nhận ${formatNumber(last.total)} trên ${formatNumber(expected)} báo cáo; nhiều nhất ${formatNumber(Math.max(...series.map((d) => d.count)))} báo cáo một ngày.`;
  const chart = svg(
    'svg',
    { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc' },
    svg('desc', { id: 'chart-desc' }, description),
    svg('line', { class: 'axis', x1: margin.left, y1: margin.top + plotH, x2: width - margin.right, y2: margin.top + plotH }),
    svg('line', { class: 'axis', x1: margin.left, y1: margin.top, x2: margin.left, y2: margin.top + plotH }),
    svg('text', { x: margin.left - 6, y: y(top) + 4, 'text-anchor': 'end' }, formatNumber(top)),
    svg('text', { x: margin.left - 6, y: y(0) + 4, 'text-anchor': 'end' }, '0'),
    // The number expected, dashed.
    svg('line', { class: 'axis', x1: margin.left, y1: y(expected), x2: width - margin.right, y2: y(expected), 'stroke-dasharray': '4 3' }),
  );
  series.forEach((d, i) => {
    if (d.count > 0) chart.append(svg('rect', { class: 'bar', x: x(i) + step * 0.15, y: y(d.count), width: Math.max(step * 0.7, 1), height: y(0) - y(d.count), 'data-day': d.day }, svg('title', {}, `${longDay(d.day)}: ${formatNumber(d.count)} báo cáo`)));
  });
  chart.append(svg('polyline', { class: 'line', points: series.map((d, i) => `${x(i) + step / 2},${y(d.total)}`).join(' ') }));
  const labelEvery = Math.max(1, Math.ceil(series.length / 8));
  series.forEach((d, i) => {
    if (i % labelEvery === 0 || i === series.length - 1) chart.append(svg('text', { x: x(i) + step / 2, y: height - margin.bottom + 16, 'text-anchor': 'middle' }, shortDay(d.day)));
  });
  section.append(
    chart,
    el('p', { class: 'hint' }, 'Cột: báo cáo nhận trong ngày; đường: tổng đã nhận; nét đứt: số báo cáo phải nhận.', paperWithoutDate > 0 ? ` ${formatNumber(paperWithoutDate)} báo cáo giấy nhập hộ không có ngày gửi, không vẽ.` : ''),
    el(
      'details',
      {},
      el('summary', {}, 'Số liệu theo ngày'),
      el(
        'div',
        { class: 'table-wrap' },
        el(
          'table',
          { id: 'chart-table' },
          el('thead', {}, el('tr', {}, ['Ngày', 'Nhận trong ngày', 'Tổng đã nhận'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, series.filter((d) => d.count > 0).map((d) => el('tr', { 'data-day': d.day }, el('td', {}, longDay(d.day)), el('td', { class: 'number' }, formatNumber(d.count)), el('td', { class: 'number' }, formatNumber(d.total))))),
        ),
      ),
    ),
  );
  return section;
}
