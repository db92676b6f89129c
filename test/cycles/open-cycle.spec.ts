import { execFileSync } from 'node:child_process';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { ConsolidationEntity } from '../../src/consolidation/consolidation.entity';
import { requestLetterId } from '../../src/cycles/request-letter';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { IncomingRegisterEntryEntity } from '../../src/documents/registers/incoming-register-entry.entity';
import { DocumentStore } from '../../src/documents/store/document-store';
import { CyclesService } from '../../src/cycles/cycles.service';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { ReportEntity } from '../../src/reports/report.entity';
import { ConflictError, ValidationFailedError } from '../../src/shared/errors';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { databaseDigest } from '../support/database-digest';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

// Opening starts hundreds of process instances: minutes on a busy machine.
jest.setTimeout(300_000);

describe.each(TEST_DATABASE_KINDS)('opening a cycle [%s]', (kind) => {
  let t: TestApp;
  let cycles: CyclesService;

  beforeAll(async () => {
    // 27/11/2026 08:00 in Vietnam, the server clock in UTC.
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025', 'quang-ngai-2021'], runtime: true, clock: new ControlledClock('2026-11-27T01:00:00Z') });
    cycles = t.app.get(CyclesService);
  });
  afterAll(() => t.close());

  const openDraftTasks = async (cycleId: number) => {
    await t.app.get(InboxProjection).settled();
    return t.dataSource.getRepository(InboxTaskEntity).countBy({ cycleId, state: 'open', elementId: 'draft-report' });
  };

  it('opens the current year on the 2025 data set: a report for each of the 110 reporting units, a consolidation at the standing agency', async () => {
    const cycle = await cycles.openCurrentCycle('quang-ngai-2025');
    expect(cycle).toMatchObject({ year: 2026, periodStart: '2025-11-15', periodEnd: '2026-11-14', status: 'open' });
    // Opened on 27/11, past the usual 14/11: the demo gives every unit a month.
    expect(cycle.deadlineAt.toISOString()).toBe('2026-12-27T16:59:59.999Z');
    expect(await t.dataSource.getRepository(ReportEntity).countBy({ cycleId: cycle.id })).toBe(110);
    // The standing agency drafts its own (consolidated) report once it has closed its consolidation.
    expect(await openDraftTasks(cycle.id)).toBe(109);
    const consolidations = await t.dataSource.getRepository(ConsolidationEntity).findBy({ cycleId: cycle.id });
    expect(consolidations.map((c) => c.status)).toEqual(['open']);

    const staff = new ApiClient(t.baseUrl);
    await staff.login('staff.21211@quang-ngai-2025', DEMO_PASSWORD);
    expect((await staff.request('GET', '/api/inbox')).body.map((task: { elementId: string }) => task.elementId)).toEqual(['draft-report']);

    // The request letter: a công văn of the standing agency, numbered in its register, received by every other reporting unit.
    const letter = await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: requestLetterId(cycle) });
    expect(letter).toMatchObject({ state: 'issued', number: 1, year: 2026, documentType: 'cong-van', templateKind: 'request-to-report-letter' });
    expect(await t.dataSource.getRepository(IncomingRegisterEntryEntity).countBy({ documentId: letter.id })).toBe(109);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: (await t.app.get(DocumentStore).get(letter.id))!.pdf }).toString('utf8');
    expect(text).toMatch(/Số: 01\/SKHCN-TĐC/);
    expect(text).toContain('V/v báo cáo kết quả duy trì');
    expect(text).toMatch(/Kính gửi:[\s\S]*Các sở, ban, ngành thuộc UBND tỉnh[\s\S]*UBND các xã, phường, thị trấn, đặc khu/);
    expect(text).toContain('27/12/2026');
  });

  it('runs the same process files on the three-level 2021 data set: 205 reports, 13 consolidations', async () => {
    const cycle = await cycles.openCycle({ dataSetId: 'quang-ngai-2021', year: 2026, deadline: new Date('2026-12-15T16:59:59.999Z') });
    expect(await t.dataSource.getRepository(ReportEntity).countBy({ cycleId: cycle.id })).toBe(205);
    // 12 districts with communes (Lý Sơn has none) and the standing agency consolidate; the other 192 draft now.
    expect(await t.dataSource.getRepository(ConsolidationEntity).countBy({ cycleId: cycle.id })).toBe(13);
    expect(await openDraftTasks(cycle.id)).toBe(192);
  });

  it('refuses a second opening of the same year, and a data period ending after the deadline, changing nothing', async () => {
    const tables = ['cycles', 'reports', 'audit_events'];
    const before = await databaseDigest(t.dataSource, tables);
    await expect(cycles.openCycle({ dataSetId: 'quang-ngai-2025', year: 2026 })).rejects.toBeInstanceOf(ConflictError);
    const late = await cycles.openCycle({ dataSetId: 'quang-ngai-2025', year: 2027, periodEnd: '2027-11-20' }).catch((e) => e);
    expect(late).toBeInstanceOf(ValidationFailedError);
    expect(late.fields.map((f: { path: string }) => f.path)).toEqual(['periodEnd']);
    expect(await databaseDigest(t.dataSource, tables)).toBe(before);
  });

  it('finishes an opening cut short: only the missing reports are started', async () => {
    const cycle = await t.dataSource.getRepository(CycleEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', year: 2026 });
    const one = await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ cycleId: cycle.id });
    expect(await cycles.completeOpening(cycle)).toBe(110);
    expect(await t.dataSource.getRepository(ReportEntity).countBy({ cycleId: cycle.id })).toBe(110);
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: one.id })).processInstanceKey).toBe(one.processInstanceKey);
    expect(await openDraftTasks(cycle.id)).toBe(109);
    expect(await t.dataSource.getRepository(IssuedDocumentEntity).countBy({ templateKind: 'request-to-report-letter', unitId: (await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: requestLetterId(cycle) })).unitId, year: 2026 })).toBe(1);
  });

  it('opens next year before its holidays are known: each watch is left to plan in its job, which names the missing calendar', async () => {
    const cycle = await cycles.openCycle({ dataSetId: 'quang-ngai-2025', year: 2027 });
    const reports = await t.dataSource.getRepository(ReportEntity).findBy({ cycleId: cycle.id });
    expect(reports).toHaveLength(110);
    await t.app.get(WorkflowEngine).whenIdle();
    const watch = await t.app.get(WorkflowEngine).getInstance(reports[0].deadlineWatchKey!);
    expect(watch.variables).toMatchObject({ planned: false, reportSent: false });
    expect(watch.activeElements.map((element) => element.elementId)).toEqual(['plan-deadline-alarm']);
    const failed = await t.dataSource.query(`SELECT error_message FROM wf_jobs WHERE instance_id = ? AND type = 'plan-deadline-alarm'`, [reports[0].deadlineWatchKey]);
    expect(failed.map((row: { error_message: string | null }) => row.error_message)).toEqual([expect.stringMatching(/no holiday calendar for 2027/)]);
  });
});
