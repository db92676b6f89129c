import { documentSymbol } from '../documents/numbering/document-symbol';
import { headerLines } from '../documents/issuing/header-lines';
import { Signer } from '../documents/templates/signer';
import { TextBlock } from '../documents/templates/template-helpers';
import { formatCount } from '../documents/templates/vietnamese-format';
import { UnitEntity } from '../organization/unit.entity';
import { Totals } from '../reports/form/aggregation';
import { FormDefinition, figuresOf } from '../reports/form/form-definition';
import { civilDateFromIso, officialShortDate } from '../shared/civil-date';

/**
 * The province's December report to the Ministry of Science and Technology (Decision 19/2014/QĐ-TTg,
 * Appendix II content): drafted by the system from the standing agency's consolidated figures, for
 * the provincial People's Committee to sign. It is only ever rendered as a draft ("DỰ THẢO", no
 * number, the signer's name left blank): the People's Committee numbers and signs it itself.
 * The official appendix form was not available; the content follows the BRIEF (situation by level,
 * aggregated results, shortcomings, proposals).
 */
export const MINISTRY_REPORT = {
  /** Key of the document-type table (Báo cáo → BC). */
  documentType: 'bao-cao',
  /** Template folder under templates/. */
  templateKind: 'ministry-report',
  addressee: 'Bộ Khoa học và Công nghệ',
  subject: (year: number, provinceNameWithType: string) =>
    `Tình hình áp dụng, duy trì và cải tiến Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001 tại các cơ quan hành chính nhà nước trên địa bàn ${lowerFirst(provinceNameWithType)} năm ${year}`,
};

/**
 * Row labels of the situation table, by `UnitEntity.level` as the data sets write it. A label is
 * text only: which units count at which level is the caller's (the reporting relation decides).
 */
export const MINISTRY_LEVEL_LABELS: Readonly<Record<string, string>> = {
  'provincial-agency': 'Cơ quan chuyên môn thuộc UBND tỉnh (sở, ban, ngành)',
  district: 'UBND cấp huyện (huyện, thị xã, thành phố)',
  commune: 'UBND cấp xã (xã, phường, thị trấn, đặc khu)',
};

/** The label of a level for the situation table; an unknown level is shown by its key. */
export function ministryLevelLabel(level: string): string {
  return MINISTRY_LEVEL_LABELS[level] ?? level;
}

/** One level of the province's administration in the situation table. */
export interface MinistryReportLevel {
  /** `UnitEntity.level` (provincial-agency, district, commune). */
  level: string;
  label: string;
  /** Reporting units of this level (obliged to apply the QMS). */
  expected: number;
  /** Of these, units whose approved report is in the consolidation. */
  submitted: number;
  /** Of these, units that reported their QMS announced (announcement.announced = yes). */
  announced: number;
}

export interface MinistryReportInput {
  year: number;
  /** The cycle's data period (YYYY-MM-DD). */
  period: { start: string; end: string };
  /** The province (level "province"): the issuing People's Committee. */
  province: UnitEntity;
  standingAgency: UnitEntity;
  form: FormDefinition;
  /** The province's totals: every figure path of the form that aggregates (sum, count-yes). */
  totals: Totals;
  levels: MinistryReportLevel[];
  counts: { expected: number; submitted: number; onTime: number; late: number; missing: number };
  lateOrMissing: Array<{ name: string; status: string; note: string }>;
  /** The standing agency's consolidated report to the People's Committee: "318/BC-SKHCN", YYYY-MM-DD. */
  consolidatedReport: { symbol: string; date: string };
  /** Assessment paragraphs to use instead of the ones written from the figures (e.g. the consolidated report's). */
  assessment?: { results?: TextBlock[]; shortcomings?: TextBlock[]; proposals?: TextBlock[] };
  /** The People's Committee office division that keeps the file copy ("- Lưu: VT, KGVX."); default KGVX. */
  archiveDivision?: string;
}

/** The input cannot make a truthful report: the message names the field. */
export class MinistryReportInputError extends Error {
  readonly code = 'MINISTRY_REPORT_INPUT';
  constructor(detail: string) {
    super(`Ministry report: ${detail}`);
    this.name = 'MinistryReportInputError';
  }
}

const COUNT_YES_UNIT = 'đơn vị';
const DEFAULT_ARCHIVE_DIVISION = 'KGVX';

/** The `ministry-report` template's data (docs/documents.md), to be rendered with `{ draft: true }`. */
export function ministryReportContent(input: MinistryReportInput): Record<string, unknown> {
  const { year, province, standingAgency, counts } = input;
  if (!Number.isInteger(year) || year < 2000) fail(`year ${year} is not a year`);
  const from = civilDay('period.start', input.period.start);
  const to = civilDay('period.end', input.period.end);
  if (from > to) fail(`period.start ${from} is after period.end ${to}`);
  const reportDate = civilDay('consolidatedReport.date', input.consolidatedReport.date);
  if (!/^\d+\/\S+$/.test(input.consolidatedReport.symbol)) fail(`consolidatedReport.symbol "${input.consolidatedReport.symbol}" is not a number and symbol such as "318/BC-SKHCN"`);
  for (const key of ['expected', 'submitted', 'onTime', 'late', 'missing'] as const) wholeCount(`counts.${key}`, counts[key]);

  if (input.levels.length === 0) fail('levels is empty: the situation table needs at least one level');
  const levels = input.levels.map((level, i) => {
    const where = `levels[${i}] (${level.level})`;
    for (const key of ['expected', 'submitted', 'announced'] as const) wholeCount(`${where}.${key}`, level[key]);
    if (level.submitted > level.expected) fail(`${where}: submitted ${level.submitted} is more than expected ${level.expected}`);
    if (level.announced > level.submitted) fail(`${where}: announced ${level.announced} is more than submitted ${level.submitted}`);
    if (typeof level.label !== 'string' || level.label.trim() === '') fail(`${where}.label is empty`);
    return { label: level.label, expected: level.expected, submitted: level.submitted, announced: level.announced };
  });
  const levelTotal = {
    expected: sum(levels.map((l) => l.expected)),
    submitted: sum(levels.map((l) => l.submitted)),
    announced: sum(levels.map((l) => l.announced)),
  };

  const totals = totalsTable(input.form, input.totals);
  const generated = assessmentFromFigures(input, levels, levelTotal);
  const assessment = {
    results: nonEmpty(input.assessment?.results) ?? generated.results,
    shortcomings: nonEmpty(input.assessment?.shortcomings) ?? generated.shortcomings,
    proposals: nonEmpty(input.assessment?.proposals) ?? generated.proposals,
  };

  return {
    issuer: { name: headerLines(province.officialName) },
    document: {
      symbol: documentSymbol({ documentType: MINISTRY_REPORT.documentType, unitSymbol: province.symbol }),
      place: province.placeName,
      // Only the year is printed on a draft; the People's Committee dates it when it signs.
      date: `${year}-12-01`,
    },
    typeName: 'Báo cáo',
    subject: MINISTRY_REPORT.subject(year, province.nameWithType),
    addressees: [MINISTRY_REPORT.addressee],
    year,
    period: { from, to },
    introduction: [
      `Thực hiện Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ về việc áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001 vào hoạt động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước và Thông tư số 26/2014/TT-BKHCN ngày 10/10/2014 của Bộ Khoa học và Công nghệ quy định chi tiết thi hành Quyết định số 19/2014/QĐ-TTg; trên cơ sở Báo cáo số ${input.consolidatedReport.symbol} ngày ${shortDate(reportDate)} của ${standingAgency.officialName}, ${province.officialName} báo cáo tình hình áp dụng, duy trì và cải tiến Hệ thống quản lý chất lượng (HTQLCL) tại các cơ quan hành chính nhà nước trên địa bàn tỉnh năm ${year} như sau:`,
    ],
    direction: [
      `${province.officialName} giao ${standingAgency.officialName} là cơ quan thường trực, giúp Ủy ban nhân dân tỉnh hướng dẫn, đôn đốc, kiểm tra và tổng hợp tình hình áp dụng, duy trì và cải tiến HTQLCL của các cơ quan hành chính nhà nước trên địa bàn tỉnh. Các cơ quan, đơn vị báo cáo kết quả năm ${year} (số liệu từ ngày ${shortDate(from)} đến ngày ${shortDate(to)}) về cơ quan thường trực để tổng hợp.`,
    ],
    levels,
    levelTotal,
    reporting: { expected: counts.expected, submitted: counts.submitted, onTime: counts.onTime, late: counts.late, missing: counts.missing },
    lateOrMissing: input.lateOrMissing.map((u) => ({ name: u.name, status: u.status, note: u.note })),
    totals,
    assessment,
    signer: signerOf(province),
    recipients: {
      list: ['Chủ tịch, các PCT UBND tỉnh', standingAgency.officialName, 'VPUB: CVP, PCVP'],
      archiveDivision: input.archiveDivision ?? DEFAULT_ARCHIVE_DIVISION,
    },
  };
}

/** "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", the name left for the signer. */
function signerOf(province: UnitEntity): Signer {
  return { onBehalfOf: province.collectiveBody ?? 'Ủy ban nhân dân', prefix: 'KT.', headTitle: province.headTitle, title: province.deputyTitle, name: '' };
}

/** One group per form section, one row per figure that aggregates; sections with none are left out. */
function totalsTable(form: FormDefinition, totals: Totals): Array<{ title: string; rows: Array<{ label: string; unit: string; value: number }> }> {
  const groups = new Map<string, { title: string; rows: Array<{ label: string; unit: string; value: number }> }>();
  for (const { path, section, field } of figuresOf(form)) {
    if (field.aggregate === 'none') continue;
    const value = totals[path];
    if (value === undefined) fail(`totals has no figure ${path} (${field.label}) of form ${form.id}`);
    if (!Number.isFinite(value) || value < 0) fail(`totals.${path} is ${value}, not a total`);
    const group = groups.get(section.key) ?? { title: section.title, rows: [] };
    groups.set(section.key, group);
    group.rows.push({ label: field.label, unit: field.aggregate === 'count-yes' ? COUNT_YES_UNIT : field.unit ?? '', value });
  }
  const known = new Set(figuresOf(form).map((f) => f.path));
  const stray = Object.keys(totals).filter((path) => !known.has(path));
  if (stray.length > 0) fail(`totals has figures that form ${form.id} does not define: ${stray.join(', ')}`);
  return [...groups.values()];
}

/** Paragraphs written from the figures alone, for the People's Committee's office to refine. */
function assessmentFromFigures(
  input: MinistryReportInput,
  levels: Array<{ label: string; expected: number; submitted: number; announced: number }>,
  total: { expected: number; submitted: number; announced: number },
): { results: TextBlock[]; shortcomings: TextBlock[]; proposals: TextBlock[] } {
  const { counts, form, totals, province } = input;
  const c = formatCount;
  const results: TextBlock[] = [
    `Năm ${input.year}, ${c(counts.submitted)}/${c(counts.expected)} cơ quan, đơn vị đã báo cáo kết quả duy trì, cải tiến HTQLCL; ${c(total.announced)}/${c(total.expected)} cơ quan, đơn vị đã công bố HTQLCL phù hợp Tiêu chuẩn quốc gia TCVN ISO 9001.`,
  ];
  const yes = figuresOf(form).filter((f) => f.field.aggregate === 'count-yes' && f.path !== 'announcement.announced');
  if (yes.length > 0 && counts.submitted > 0) {
    const parts = yes.map((f) => `${lowerFirst(f.field.label)}: ${c(totals[f.path])} cơ quan, đơn vị`);
    results.push(`Trong số ${c(counts.submitted)} cơ quan, đơn vị đã báo cáo: ${parts.join('; ')}. Số liệu tổng hợp chi tiết tại mục II.1.`);
  }

  const shortcomings: TextBlock[] = [];
  if (counts.missing > 0 || counts.late > 0) {
    const missing = counts.missing > 0 ? `${c(counts.missing)} cơ quan, đơn vị chưa báo cáo` : '';
    const late = counts.late > 0 ? `${c(counts.late)} cơ quan, đơn vị báo cáo trễ hạn` : '';
    shortcomings.push(`Còn ${[missing, late].filter(Boolean).join(' và ')} (danh sách tại mục I.3).`);
  }
  const notAnnounced = levels.filter((l) => l.announced < l.expected).map((l) => `${l.label}: ${c(l.expected - l.announced)}`);
  if (notAnnounced.length > 0) {
    shortcomings.push(`Số cơ quan, đơn vị chưa công bố HTQLCL hoặc chưa báo cáo việc công bố: ${notAnnounced.join('; ')}.`);
  }
  if (shortcomings.length === 0) shortcomings.push('Các cơ quan, đơn vị đã báo cáo đầy đủ, đúng hạn và đã công bố HTQLCL theo quy định.');

  const proposals: TextBlock[] = [
    `Đề nghị Bộ Khoa học và Công nghệ tiếp tục tổ chức đào tạo, tập huấn, hướng dẫn nghiệp vụ về áp dụng, duy trì và cải tiến HTQLCL theo Tiêu chuẩn quốc gia TCVN ISO 9001 cho công chức các cơ quan hành chính nhà nước ở địa phương, nhất là cấp xã.`,
    `${province.officialName} kính báo cáo Bộ Khoa học và Công nghệ.`,
  ];
  return { results, shortcomings, proposals };
}

function civilDay(field: string, value: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(`${field} "${value}" is not a date (YYYY-MM-DD)`);
  try {
    civilDateFromIso(value);
  } catch (error) {
    fail(`${field} "${value}": ${(error as Error).message}`);
  }
  return value;
}

/** "25/11/2026", as the documents print dates in running text. */
function shortDate(isoDay: string): string {
  return officialShortDate(civilDateFromIso(isoDay));
}

function wholeCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) fail(`${field} is ${value}, not a count (a whole number from 0)`);
}

function nonEmpty(blocks: TextBlock[] | undefined): TextBlock[] | undefined {
  return blocks && blocks.length > 0 ? blocks : undefined;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** "Đã thực hiện …" → "đã thực hiện …" inside a sentence; an abbreviation ("TTHC …") stays as it is. */
function lowerFirst(text: string): string {
  const second = text.charAt(1);
  if (second !== '' && second === second.toLocaleUpperCase('vi') && second !== second.toLocaleLowerCase('vi')) return text;
  return text.charAt(0).toLocaleLowerCase('vi') + text.slice(1);
}

function fail(detail: string): never {
  throw new MinistryReportInputError(detail);
}
