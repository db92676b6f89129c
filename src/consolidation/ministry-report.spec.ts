import { defaultTemplatesDir } from '../documents/documents.module';
import { DocumentFont } from '../documents/fonts/document-font';
import { TemplateCatalogue } from '../documents/templates/template-catalogue';
import { formatCount } from '../documents/templates/vietnamese-format';
import { UnitEntity } from '../organization/unit.entity';
import { Totals } from '../reports/form/aggregation';
import { FormDefinition, figuresOf, formById } from '../reports/form/form-definition';
import { MINISTRY_LEVEL_LABELS, MinistryReportInput, MinistryReportInputError, ministryLevelLabel, ministryReportContent } from './ministry-report';

/** The province and its standing agency as the importer derives them (docs/organization.md). */
const province = Object.assign(new UnitEntity(), {
  id: 1,
  dataSetId: 'quang-ngai-2021',
  code: '51',
  level: 'province',
  type: 'tỉnh',
  name: 'Quảng Ngãi',
  nameWithType: 'Tỉnh Quảng Ngãi',
  officialName: 'Ủy ban nhân dân tỉnh Quảng Ngãi',
  parentBody: null,
  symbol: 'UBND',
  placeName: 'Quảng Ngãi',
  headTitle: 'CHỦ TỊCH',
  deputyTitle: 'PHÓ CHỦ TỊCH',
  collectiveBody: 'ỦY BAN NHÂN DÂN',
  isStandingAgency: false,
  reportsToId: null,
});
const standingAgency = Object.assign(new UnitEntity(), {
  id: 8,
  level: 'provincial-agency',
  officialName: 'Sở Khoa học và Công nghệ',
  parentBody: 'Ủy ban nhân dân tỉnh Quảng Ngãi',
  symbol: 'SKHCN',
  isStandingAgency: true,
});

const form: FormDefinition = formById('annual-report-2026');
/** A distinct small total per figure (11, 12, …), so that each one is found beside its own label. */
function smallTotals(): Totals {
  const totals: Totals = {};
  figuresOf(form)
    .filter((f) => f.field.aggregate !== 'none')
    .forEach((f, i) => (totals[f.path] = 11 + i));
  totals['resources.budgetVnd'] = 1234567890;
  return totals;
}

/** The 2021 three-level data set: 19 agencies, 13 districts, 173 communes = 205 reporting units. */
function input(overrides: Partial<MinistryReportInput> = {}): MinistryReportInput {
  return {
    year: 2021,
    period: { start: '2020-11-15', end: '2021-11-14' },
    province,
    standingAgency,
    form,
    totals: smallTotals(),
    levels: [
      { level: 'provincial-agency', label: ministryLevelLabel('provincial-agency'), expected: 19, submitted: 19, announced: 19 },
      { level: 'district', label: ministryLevelLabel('district'), expected: 13, submitted: 12, announced: 12 },
      { level: 'commune', label: ministryLevelLabel('commune'), expected: 173, submitted: 170, announced: 161 },
    ],
    counts: { expected: 205, submitted: 201, onTime: 196, late: 5, missing: 4 },
    lateOrMissing: [{ name: 'UBND huyện Lý Sơn', status: 'Chưa báo cáo', note: 'Đã đôn đốc' }],
    consolidatedReport: { symbol: '318/BC-SKHCN', date: '2021-11-25' },
    ...overrides,
  };
}

const font: DocumentFont = { family: 'Tinos', fontFaceCss: '/* fonts */' };
const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: 'Asia/Ho_Chi_Minh', font });
/** The rendered HTML as text: tags dropped, entities of the escaped text restored. */
const htmlText = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x3D;/g, '=').replace(/\s+/g, ' ');

describe('ministryReportContent', () => {
  test('the head: the provincial People\'s Committee (no parent body), BÁO CÁO to the Ministry, a draft without a number', () => {
    const data = ministryReportContent(input());
    expect(data.issuer).toEqual({ name: ['Ủy ban nhân dân', 'tỉnh Quảng Ngãi'] });
    expect(data.document).toEqual({ symbol: 'BC-UBND', place: 'Quảng Ngãi', date: '2021-12-01' });
    expect(data.typeName).toBe('Báo cáo');
    expect(data.subject).toBe(
      'Tình hình áp dụng, duy trì và cải tiến Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001 tại các cơ quan hành chính nhà nước trên địa bàn tỉnh Quảng Ngãi năm 2021',
    );
    expect(data.addressees).toEqual(['Bộ Khoa học và Công nghệ']);
    expect((data.introduction as string[])[0]).toContain('trên cơ sở Báo cáo số 318/BC-SKHCN ngày 25/11/2021 của Sở Khoa học và Công nghệ, Ủy ban nhân dân tỉnh Quảng Ngãi báo cáo');
  });

  test('every aggregated figure of the form appears once, with its label, unit and total', () => {
    const totals = smallTotals();
    const data = ministryReportContent(input({ totals }));
    const rows = (data.totals as Array<{ title: string; rows: Array<{ label: string; unit: string; value: number }> }>).flatMap((g) => g.rows);
    const aggregated = figuresOf(form).filter((f) => f.field.aggregate !== 'none');
    expect(rows).toEqual(
      aggregated.map((f) => ({ label: f.field.label, unit: f.field.aggregate === 'count-yes' ? 'đơn vị' : f.field.unit ?? '', value: totals[f.path] })),
    );
    // A section with no aggregated figure (the inspection's text) has no group.
    expect((data.totals as Array<{ title: string }>).map((g) => g.title)).not.toContain('Kết quả kiểm tra gần nhất');

    const text = htmlText(catalogue.renderHtml('ministry-report', data, { draft: true }));
    for (const f of aggregated) {
      const printed = f.path === 'resources.budgetVnd' ? '1.234.567.890' : formatCount(totals[f.path]);
      expect(text).toContain(` ${f.field.label} ${f.field.aggregate === 'count-yes' ? 'đơn vị' : f.field.unit} ${printed} `);
    }
  });

  test('the situation table: one row per level with its label, and their totals', () => {
    const data = ministryReportContent(input());
    expect(data.levels).toEqual([
      { label: 'Cơ quan chuyên môn thuộc UBND tỉnh (sở, ban, ngành)', expected: 19, submitted: 19, announced: 19 },
      { label: 'UBND cấp huyện (huyện, thị xã, thành phố)', expected: 13, submitted: 12, announced: 12 },
      { label: 'UBND cấp xã (xã, phường, thị trấn, đặc khu)', expected: 173, submitted: 170, announced: 161 },
    ]);
    expect(data.levelTotal).toEqual({ expected: 205, submitted: 201, announced: 192 });
    const text = htmlText(catalogue.renderHtml('ministry-report', data, { draft: true }));
    expect(text).toContain(' 2 UBND cấp huyện (huyện, thị xã, thành phố) 13 12 12 ');
    expect(text).toContain(' Tổng cộng 205 201 192 ');
    expect(text).toContain('Tổng số cơ quan, đơn vị phải báo cáo: 205; đã báo cáo: 201 (đúng hạn: 196, trễ hạn: 05); chưa báo cáo: 04.');
    // The shortcomings name what is still missing, level by level.
    expect(data.assessment).toMatchObject({
      shortcomings: [
        'Còn 04 cơ quan, đơn vị chưa báo cáo và 05 cơ quan, đơn vị báo cáo trễ hạn (danh sách tại mục I.3).',
        'Số cơ quan, đơn vị chưa công bố HTQLCL hoặc chưa báo cáo việc công bố: UBND cấp huyện (huyện, thị xã, thành phố): 01; UBND cấp xã (xã, phường, thị trấn, đặc khu): 12.',
      ],
    });
  });

  test('level labels for the data sets\' level keys', () => {
    expect(Object.keys(MINISTRY_LEVEL_LABELS)).toEqual(['provincial-agency', 'district', 'commune']);
    expect(ministryLevelLabel('special-zone')).toBe('special-zone');
  });

  test('the signer block: TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH, the name left for the signer', () => {
    const data = ministryReportContent(input());
    expect(data.signer).toEqual({ onBehalfOf: 'ỦY BAN NHÂN DÂN', prefix: 'KT.', headTitle: 'CHỦ TỊCH', title: 'PHÓ CHỦ TỊCH', name: '' });
    expect(data.recipients).toEqual({ list: ['Chủ tịch, các PCT UBND tỉnh', 'Sở Khoa học và Công nghệ', 'VPUB: CVP, PCVP'], archiveDivision: 'KGVX' });
    const html = catalogue.renderHtml('ministry-report', data, { draft: true });
    expect(html).toContain('<div class="authority">TM. ỦY BAN NHÂN DÂN</div><div class="authority">KT. CHỦ TỊCH</div><div class="authority">PHÓ CHỦ TỊCH</div>');
    expect(html).toContain('<div class="name"></div>');
    expect(html).toContain('<div>- Như trên;</div>');
    expect(html).toContain('- Lưu: VT, KGVX.');
    expect(html).toContain('content: "DỰ THẢO"');
    // The last proposal closes the body.
    expect(html).toContain('Ủy ban nhân dân tỉnh Quảng Ngãi kính báo cáo Bộ Khoa học và Công nghệ./.');
  });

  test('an assessment given by the caller replaces the one written from the figures', () => {
    const data = ministryReportContent(input({ assessment: { results: ['Kết quả.'], shortcomings: [], proposals: ['Kiến nghị.'] } }));
    const assessment = data.assessment as { results: string[]; shortcomings: string[]; proposals: string[] };
    expect(assessment.results).toEqual(['Kết quả.']);
    expect(assessment.shortcomings[0]).toMatch(/^Còn 04 cơ quan/);
    expect(assessment.proposals).toEqual(['Kiến nghị.']);
  });

  test('input that cannot make a truthful report is refused, naming the field', () => {
    const missing = smallTotals();
    delete missing['procedures.coveredByQms'];
    expect(() => ministryReportContent(input({ totals: missing }))).toThrow(
      new MinistryReportInputError('totals has no figure procedures.coveredByQms (Số TTHC được áp dụng HTQLCL) of form annual-report-2026'),
    );
    expect(() => ministryReportContent(input({ totals: { ...smallTotals(), 'training.hours': 3 } }))).toThrow(/does not define: training\.hours/);
    const levels = input().levels.map((l) => (l.level === 'district' ? { ...l, announced: 13 } : l));
    expect(() => ministryReportContent(input({ levels }))).toThrow('Ministry report: levels[1] (district): announced 13 is more than submitted 12');
    expect(() => ministryReportContent(input({ levels: [] }))).toThrow(/levels is empty/);
    expect(() => ministryReportContent(input({ counts: { ...input().counts, late: -1 } }))).toThrow(/counts\.late is -1/);
    expect(() => ministryReportContent(input({ consolidatedReport: { symbol: 'BC-SKHCN', date: '2021-11-25' } }))).toThrow(/not a number and symbol/);
    expect(() => ministryReportContent(input({ period: { start: '2021-11-15', end: '2021-02-30' } }))).toThrow(/period\.end "2021-02-30"/);
  });
});
