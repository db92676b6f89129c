import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditHasher } from '../../src/audit/audit-chain';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { AppConfig } from '../../src/config/app-config';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { EvidenceFiles } from '../../src/reports/evidence-files';
import { DataSetImporter } from '../../src/organization/import/data-set-importer.service';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportForbiddenError, ReportStateError, ReportValidationError } from '../../src/reports/report-errors';
import { Actor, ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { projectRoot } from '../../src/shared/project-root';
import { EmbeddedWorkflowEngine } from '../../src/workflow/embedded/embedded-workflow-engine';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { Notifier } from '../../src/notifications/notifier';

const DATA_SET = 'quang-ngai-2025';
const period = { start: '2025-11-15', end: '2026-11-14' };

describe.each(TEST_DATABASE_KINDS)('a unit report through its process [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let engine: EmbeddedWorkflowEngine;
  let reports: ReportsService;
  let cycle: CycleEntity;
  const clock = new ControlledClock('2026-10-01T02:00:00Z');

  const unit = (code: string) => dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code });
  const actor = async (role: string, code: string): Promise<Actor> => {
    const person = await dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `${role}.${code}@${DATA_SET}` });
    return { personId: person.id, login: person.login };
  };
  const complete = (seed: number) => generateReportValues(formForYear(2026), seededRandom(seed), period, 'đơn vị');

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    await new DataSetImporter(dataSource, clock).importDataSet(DATA_SET);
    await dataSource.getRepository(CycleEntity).insert({ year: 2026, dataSetId: DATA_SET, deadlineAt: new Date('2026-11-14T16:59:59.999Z'), periodStart: period.start, periodEnd: period.end, status: 'open', openedAt: clock.now(), openedBy: null });
    cycle = await dataSource.getRepository(CycleEntity).findOneByOrFail({ year: 2026, dataSetId: DATA_SET });
    engine = new EmbeddedWorkflowEngine(dataSource, clock, { schedulerIntervalMs: 0, log: () => undefined });
    await engine.start();
    await engine.deploy([{ name: 'unit-report.bpmn', xml: readFileSync(join(projectRoot(), 'processes', 'unit-report.bpmn'), 'utf8') }]);
    const evidenceFiles = new EvidenceFiles({ runtimeDir: mkdtempSync(join(tmpdir(), 'iso-evidence-')) } as AppConfig);
    reports = new ReportsService(dataSource, engine, clock, new AuditTrail(dataSource, clock, new AuditHasher()), evidenceFiles, new Notifier(dataSource, clock));
  });
  afterAll(async () => {
    await engine.stop();
    await close();
  });

  const openTasks = async (instanceKey: string) => (await engine.listUserTasks({ instanceKey, state: 'created' })).map((t) => t.elementId);

  it('goes draft → head approval on the first round, the approval a completed head-review task', async () => {
    const commune = await unit('21211');
    const report = await reports.startReport(cycle, commune);
    const draftTask = (await engine.listUserTasks({ instanceKey: report.processInstanceKey!, state: 'created' }))[0];
    expect(draftTask.elementId).toBe('draft-report');
    expect(draftTask.candidateGroups).toEqual([`unit:${commune.id}:staff`]);
    expect(draftTask.dueDate).toBe('2026-11-14T16:59:59.999Z');

    const staff = await actor('staff', '21211');
    await reports.saveDraft(report.id, complete(1), staff);
    expect((await reports.submit(report.id, staff)).status).toBe('in-review');
    const headTask = (await engine.listUserTasks({ instanceKey: report.processInstanceKey!, state: 'created' }))[0];
    expect(headTask.elementId).toBe('head-review');
    expect(headTask.candidateGroups.sort()).toEqual([`unit:${commune.id}:deputy`, `unit:${commune.id}:head`]);

    const approved = await reports.review(report.id, 'approved', '', await actor('head', '21211'));
    expect(approved).toMatchObject({ status: 'approved', approvedVersion: 1 });
    const history = await engine.getHistory(report.processInstanceKey!);
    expect(history.filter((h) => h.elementId === 'head-review' && h.event === 'completed').map((h) => h.actor)).toEqual(['head.21211@quang-ngai-2025']);
  });

  it('keeps every version when returned twice, with the comments on their versions and a diff between them', async () => {
    const report = await reports.startReport(cycle, await unit('21034'));
    const staff = await actor('staff', '21034');
    const deputy = await actor('deputy', '21034');
    const values = complete(2);
    await reports.saveDraft(report.id, values, staff);
    await reports.submit(report.id, staff);
    await reports.review(report.id, 'returned', 'Bổ sung số liệu đào tạo', deputy);
    expect((await reports.getReport(report.id)).status).toBe('returned');
    expect(await openTasks(report.processInstanceKey!)).toEqual(['draft-report']);

    values.figures.training.courses = 7;
    await reports.saveDraft(report.id, values, staff);
    await reports.submit(report.id, staff);
    await reports.review(report.id, 'returned', 'Sửa phần kiến nghị', deputy);
    values.narratives.proposals = 'Đề nghị tổ chức thêm lớp đánh giá viên nội bộ.';
    await reports.saveDraft(report.id, values, staff);
    await reports.submit(report.id, staff);
    await reports.review(report.id, 'approved', 'Đồng ý', deputy);

    expect((await reports.versions(report.id)).map((v) => v.versionNo)).toEqual([1, 2, 3]);
    expect((await reports.reviews(report.id)).map((r) => [r.versionNo, r.decision, r.comment])).toEqual([
      [1, 'returned', 'Bổ sung số liệu đào tạo'],
      [2, 'returned', 'Sửa phần kiến nghị'],
      [3, 'approved', 'Đồng ý'],
    ]);
    expect((await reports.diff(report.id, 1, 2)).map((c) => [c.path, c.after])).toEqual([['figures.training.courses', 7]]);
    expect((await reports.diff(report.id, 2, 3)).map((c) => c.path)).toEqual(['narratives.proposals']);
    expect((await reports.getReport(report.id)).approvedVersion).toBe(3);
    const audit = await dataSource.query(`SELECT action, actor_login FROM audit_events WHERE subject_type = 'report' AND subject_id = '${report.id}' ORDER BY seq`);
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      'report.draft-saved', 'report.submitted', 'report.returned',
      'report.draft-saved', 'report.submitted', 'report.returned',
      'report.draft-saved', 'report.submitted', 'report.approved',
    ]);
    expect(audit[8].actor_login).toBe('deputy.21034@quang-ngai-2025');
  });

  it('adds the division head review where the unit wants one, and skips it where not', async () => {
    await dataSource.getRepository(UnitEntity).update({ dataSetId: DATA_SET, code: 'sct' }, { divisionReview: true });
    const withDivision = await reports.startReport(cycle, await unit('sct'));
    const staff = await actor('staff', 'sct');
    await reports.saveDraft(withDivision.id, complete(3), staff);
    await reports.submit(withDivision.id, staff);
    expect(await openTasks(withDivision.processInstanceKey!)).toEqual(['division-review']);
    await expect(reports.review(withDivision.id, 'approved', '', await actor('head', 'sct'))).rejects.toBeInstanceOf(ReportForbiddenError);
    await reports.review(withDivision.id, 'approved', 'Trình lãnh đạo', await actor('division-head', 'sct'));
    expect(await openTasks(withDivision.processInstanceKey!)).toEqual(['head-review']);
    expect((await reports.review(withDivision.id, 'approved', '', await actor('head', 'sct'))).status).toBe('approved');
  });

  it('lets no one of another unit draft, submit or approve', async () => {
    const report = await reports.startReport(cycle, await unit('21457'));
    await expect(reports.saveDraft(report.id, complete(4), await actor('staff', '21472'))).rejects.toBeInstanceOf(ReportForbiddenError);
    await reports.saveDraft(report.id, complete(4), await actor('staff', '21457'));
    await expect(reports.submit(report.id, await actor('staff', '21472'))).rejects.toBeInstanceOf(ReportForbiddenError);
    await reports.submit(report.id, await actor('staff', '21457'));
    await expect(reports.review(report.id, 'approved', '', await actor('head', '21472'))).rejects.toBeInstanceOf(ReportForbiddenError);
    expect(await openTasks(report.processInstanceKey!)).toEqual(['head-review']);
  });

  it('refuses an incomplete submission with the missing fields named, and editing while in review', async () => {
    const report = await reports.startReport(cycle, await unit('21085'));
    const staff = await actor('staff', '21085');
    await reports.saveDraft(report.id, { figures: { procedures: { underAuthority: 10 } } }, staff);
    const error = await reports.submit(report.id, staff).catch((e) => e);
    expect(error).toBeInstanceOf(ReportValidationError);
    expect((error as ReportValidationError).fields.map((f) => f.path)).toContain('figures.procedures.coveredByQms');
    expect(await openTasks(report.processInstanceKey!)).toEqual(['draft-report']);

    await reports.saveDraft(report.id, complete(5), staff);
    await reports.submit(report.id, staff);
    await expect(reports.saveDraft(report.id, complete(6), staff)).rejects.toBeInstanceOf(ReportStateError);
  });

  it('requires a comment to return a report', async () => {
    const report = await reports.startReport(cycle, await unit('21100'));
    const staff = await actor('staff', '21100');
    await reports.saveDraft(report.id, complete(7), staff);
    await reports.submit(report.id, staff);
    await expect(reports.review(report.id, 'returned', '  ', await actor('head', '21100'))).rejects.toBeInstanceOf(ReportValidationError);
    expect(await openTasks(report.processInstanceKey!)).toEqual(['head-review']);
  });
});
