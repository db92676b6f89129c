import { VIETNAM_TIME_ZONE } from '../shared/civil-date';
import { formatNumber } from './views/view-formats';

/**
 * The consolidator's chart of progress over time, drawn on the server: reports received each day
 * (bars) and received so far (line) against the number expected (dashed), from each unit's sending
 * time, by civil day in Vietnam. Inline SVG (no chart library, no script), with the same figures as
 * a table for screen readers and keyboards.
 */
export interface ProgressDay {
  /** YYYY-MM-DD, a civil day in Vietnam. */
  day: string;
  count: number;
  total: number;
}

const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone: VIETNAM_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Civil days from the first sending to `until`, each with the reports received that day and so far. */
export function dailyProgress(sentInstants: readonly (string | Date | null | undefined)[], until: Date = new Date()): ProgressDay[] {
  const days = sentInstants.filter((s): s is string | Date => Boolean(s)).map((instant) => dayOf.format(new Date(instant))).sort();
  if (days.length === 0) return [];
  const last = [days[days.length - 1], dayOf.format(until)].sort()[1];
  const counts = new Map<string, number>();
  for (const day of days) counts.set(day, (counts.get(day) ?? 0) + 1);
  const out: ProgressDay[] = [];
  let total = 0;
  for (let day = days[0]; day <= last; day = nextDay(day)) {
    const count = counts.get(day) ?? 0;
    total += count;
    out.push({ day, count, total });
    if (out.length > 400) break; // a cycle is a year at most
  }
  return out;
}

function nextDay(isoDay: string): string {
  const date = new Date(`${isoDay}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

const shortDay = (isoDay: string) => `${isoDay.slice(8, 10)}/${isoDay.slice(5, 7)}`;
export const longDay = (isoDay: string) => `${isoDay.slice(8, 10)}/${isoDay.slice(5, 7)}/${isoDay.slice(0, 4)}`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
const round = (value: number) => Math.round(value * 100) / 100;

function tag(name: string, attributes: Record<string, string | number>, content = ''): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escape(typeof value === 'number' ? String(round(value)) : value)}"`)
    .join('');
  return `<${name}${attrs}>${content}</${name}>`;
}

/** What the view shows: the SVG markup (every text escaped here), its description, the figures' table rows. */
export interface ProgressChartModel {
  /** Safe markup for `{{{svg}}}`: built from numbers and escaped text only. */
  svg: string;
  description: string;
  rows: { day: string; label: string; count: string; total: string }[];
  /** Paper reports entered without a sending time: counted in a note, not drawn. */
  paperWithoutDate: number;
}

/** The chart of these units' sendings, or null before any report arrived. */
export function progressChart(units: readonly { sentAt: string | null; onPaper: boolean }[], expected: number, until: Date = new Date()): ProgressChartModel | null {
  const series = dailyProgress(units.map((u) => u.sentAt), until);
  const paperWithoutDate = units.filter((u) => u.onPaper && !u.sentAt).length;
  if (series.length === 0) return null;
  const width = 640;
  const height = 240;
  const margin = { left: 40, right: 12, top: 12, bottom: 36 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const last = series[series.length - 1];
  const top = Math.max(expected, last.total, 1);
  const step = plotW / series.length;
  const y = (value: number) => margin.top + plotH - (value / top) * plotH;
  const x = (index: number) => margin.left + index * step;
  const description = `Từ ${longDay(series[0].day)} đến ${longDay(last.day)}: đã nhận ${formatNumber(last.total)} trên ${formatNumber(expected)} báo cáo; nhiều nhất ${formatNumber(Math.max(...series.map((d) => d.count)))} báo cáo một ngày.`;
  const parts: string[] = [
    tag('desc', { id: 'chart-desc' }, escape(description)),
    tag('line', { class: 'axis', x1: margin.left, y1: margin.top + plotH, x2: width - margin.right, y2: margin.top + plotH }),
    tag('line', { class: 'axis', x1: margin.left, y1: margin.top, x2: margin.left, y2: margin.top + plotH }),
    tag('text', { x: margin.left - 6, y: y(top) + 4, 'text-anchor': 'end' }, escape(formatNumber(top))),
    tag('text', { x: margin.left - 6, y: y(0) + 4, 'text-anchor': 'end' }, '0'),
    // The number expected, dashed.
    tag('line', { class: 'axis', x1: margin.left, y1: y(expected), x2: width - margin.right, y2: y(expected), 'stroke-dasharray': '4 3' }),
  ];
  series.forEach((d, i) => {
    if (d.count > 0) {
      parts.push(tag('rect', { class: 'bar', x: x(i) + step * 0.15, y: y(d.count), width: Math.max(step * 0.7, 1), height: y(0) - y(d.count), 'data-day': d.day }, tag('title', {}, escape(`${longDay(d.day)}: ${formatNumber(d.count)} báo cáo`))));
    }
  });
  parts.push(tag('polyline', { class: 'line', points: series.map((d, i) => `${round(x(i) + step / 2)},${round(y(d.total))}`).join(' ') }));
  const labelEvery = Math.max(1, Math.ceil(series.length / 8));
  series.forEach((d, i) => {
    if (i % labelEvery === 0 || i === series.length - 1) parts.push(tag('text', { x: x(i) + step / 2, y: height - margin.bottom + 16, 'text-anchor': 'middle' }, escape(shortDay(d.day))));
  });
  const svg = tag('svg', { xmlns: 'http://www.w3.org/2000/svg', class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc' }, parts.join(''));
  return {
    svg,
    description,
    rows: series.filter((d) => d.count > 0).map((d) => ({ day: d.day, label: longDay(d.day), count: formatNumber(d.count), total: formatNumber(d.total) })),
    paperWithoutDate,
  };
}
