import { aggregate, addTotals } from './aggregation';
import { FormDefinition, checkFormDefinition, formForYear } from './form-definition';
import { generateReportValues, seededRandom } from './generate-report-values';
import { DataPeriod, validateReport } from './report-validation';
import { ReportValues } from './report-values';
import { diffVersions } from './version-diff';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../shared/project-root';

const period: DataPeriod = { start: '2025-11-15', end: '2026-11-14' };
const form = formForYear(2026);
const complete = (seed = 1): ReportValues => generateReportValues(form, seededRandom(seed), period, 'Xã Tịnh Khê');

describe('the yearly report form', () => {
  it('is data, versioned by year', () => {
    expect(form.id).toBe('annual-report-2026');
    expect(formForYear(2030).id).toBe('annual-report-2026');
    expect(() => formForYear(2020)).toThrow(/no report form is valid for 2020/);
  });

  it('rejects a definition whose rules name unknown fields or sum text', () => {
    const broken = (change: (f: FormDefinition) => void) => {
      const copy = structuredClone(form);
      change(copy);
      return () => checkFormDefinition(copy);
    };
    expect(broken((f) => f.rules.push({ kind: 'not-greater', field: 'x.y', limit: 'procedures.underAuthority' }))).toThrow(/unknown field x\.y/);
    expect(broken((f) => (f.sections[0].fields[1].aggregate = 'sum'))).toThrow(/announcement\.decisionNumber: only numbers can be summed/);
  });
});

describe('validating a report', () => {
  it('accepts a generated complete report on submit', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(validateReport(form, complete(seed), 'submit', period)).toEqual([]);
  });

  it('lets a draft be incomplete but not malformed', () => {
    expect(validateReport(form, { figures: { procedures: { underAuthority: 12 } } }, 'draft', period)).toEqual([]);
    expect(validateReport(form, { figures: { procedures: { underAuthority: -1, coveredByQms: 'nhiều' } } }, 'draft', period)).toEqual([
      { path: 'figures.procedures.underAuthority', code: 'min', message: 'Không được nhỏ hơn 0' },
      { path: 'figures.procedures.coveredByQms', code: 'type', message: 'Phải là số nguyên' },
    ]);
  });

  it('names every missing required field on submit', () => {
    const errors = validateReport(form, { figures: {}, narratives: {} }, 'submit', period);
    expect(errors.every((e) => e.code === 'required')).toBe(true);
    expect(errors.map((e) => e.path)).toContain('figures.internalAudit.nonconformitiesFound');
    expect(errors.map((e) => e.path)).toContain('narratives.results');
    expect(errors.map((e) => e.path)).not.toContain('narratives.proposals');
  });

  it('checks consistency: nonconformities closed ≤ found', () => {
    const report = complete();
    report.figures.internalAudit.nonconformitiesFound = 3;
    report.figures.internalAudit.nonconformitiesClosed = 5;
    expect(validateReport(form, report, 'submit', period)).toEqual([
      { path: 'figures.internalAudit.nonconformitiesClosed', code: 'not-greater', message: 'Số điểm không phù hợp đã khắc phục (5) không được lớn hơn Số điểm không phù hợp phát hiện (3)' },
    ]);
  });

  it('keeps dates inside the data period, ends included', () => {
    const report = complete();
    report.figures.internalAudit.held = true;
    report.figures.internalAudit.date = '2026-11-14';
    expect(validateReport(form, report, 'submit', period)).toEqual([]);
    report.figures.internalAudit.date = '2026-11-15';
    expect(validateReport(form, report, 'submit', period)).toEqual([
      { path: 'figures.internalAudit.date', code: 'outside-period', message: 'Ngày phải trong kỳ báo cáo (15/11/2025 – 14/11/2026)' },
    ]);
  });

  it('asks for the announcement decision only where the QMS was announced', () => {
    const report = complete();
    report.figures.announcement = { announced: false };
    expect(validateReport(form, report, 'submit', period)).toEqual([]);
    report.figures.announcement.announced = true;
    expect(validateReport(form, report, 'submit', period).map((e) => e.path)).toEqual([
      'figures.announcement.decisionNumber',
      'figures.announcement.decisionDate',
      'figures.announcement.standardVersion',
      'figures.announcement.scope',
    ]);
  });

  it('rejects fields the form does not define', () => {
    expect(validateReport(form, { figures: { procedures: { secret: 1 } }, extra: 1 }, 'draft', period).map((e) => [e.path, e.code])).toEqual([
      ['extra', 'unknown-field'],
      ['figures.procedures.secret', 'unknown-field'],
    ]);
  });
});

describe('aggregating approved reports', () => {
  it('sums numbers, counts yes answers and leaves the rest out', () => {
    const a = complete(1);
    const b = complete(2);
    a.figures.resources.steeringCommittee = true;
    b.figures.resources.steeringCommittee = false;
    const totals = aggregate(form, [a, b]);
    expect(totals['procedures.underAuthority']).toBe((a.figures.procedures.underAuthority as number) + (b.figures.procedures.underAuthority as number));
    expect(totals['resources.steeringCommittee']).toBe(1);
    expect(totals).not.toHaveProperty('announcement.decisionNumber');
    expect(addTotals({ ...totals }, totals)['procedures.underAuthority']).toBe(2 * totals['procedures.underAuthority']);
  });
});

describe('diffing two versions', () => {
  it('lists the changed fields in form order, treating blank and missing alike', () => {
    const before = complete();
    before.figures.objectives.met = 4;
    before.figures.inspection.correctiveStatus = '';
    const after = structuredClone(before);
    after.figures.objectives.met = 0;
    after.narratives.results = 'Đã sửa theo ý kiến lãnh đạo.';
    delete after.figures.inspection.correctiveStatus;
    expect(diffVersions(form, before, after).map((c) => [c.path, c.before, c.after])).toEqual([
      ['figures.objectives.met', 4, 0],
      ['narratives.results', before.narratives.results, 'Đã sửa theo ý kiến lãnh đạo.'],
    ]);
  });

  it('generates complete, valid reports for every unit of both data sets, long names included', () => {
    for (const file of ['quang-ngai-2025', 'quang-ngai-2021']) {
      const data = JSON.parse(readFileSync(join(projectRoot(), 'data', 'organizations', `${file}.json`), 'utf8'));
      const names: string[] = [...data.provincialAgencies, ...(data.districts ?? []).flatMap((d: { nameWithType: string; communes: Array<{ nameWithType: string }> }) => [d.nameWithType, ...d.communes.map((c) => c.nameWithType)]), ...(data.communes ?? []).map((c: { nameWithType: string }) => c.nameWithType)];
      for (const [i, name] of names.entries()) expect([name, validateReport(form, generateReportValues(form, seededRandom(i), period, name), 'submit', period)]).toEqual([name, []]);
    }
  });
});
