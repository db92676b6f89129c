import { execFileSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { In } from 'typeorm';
import { Actor } from '../../src/access/actor';
import { ConsolidationEntity, DraftDocumentEntity, UrgeLetterEntity } from '../../src/consolidation/consolidation.entity';
import { topReportDraftId } from '../../src/consolidation/consolidation-workers';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { consolidatedTotals } from '../../src/consolidation/consolidated-document';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { CyclesService } from '../../src/cycles/cycles.service';
import { DeadlineAlarmEntity } from '../../src/deadlines/deadline-alarm.entity';
import { DeadlinesService } from '../../src/deadlines/deadlines.service';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { DocumentStore } from '../../src/documents/store/document-store';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { NotificationEntity } from '../../src/notifications/notification.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportVersionEntity } from '../../src/reports/report-version.entity';
import { ReportEntity } from '../../src/reports/report.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { moveClockAndFireTimers } from '../support/controlled-time';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/**
 * The cycle end to end on a small three-level slice of Quảng Ngãi 2021 (3 agencies, 2 districts, 3
 * communes), under a controlled clock: the engine's deadline timers remind, mark late and escalate;
 * a district sets an earlier deadline; an extension re-arms a unit's timers; a paper report is entered
 * on a unit's behalf; an urge letter goes out; periods close with late and missing units; a report
 * arriving after closing is flagged and changes nothing; the consolidated reports go up to the top,
 * whose draft report to the Ministry is prepared.
 */
jest.setTimeout(300_000);

const DATA_SET = 'tiny-2021';
const FIXTURE = join(__dirname, '..', 'fixtures', 'organizations', 'tiny-2021.json');
const period = { start: '2025-11-15', end: '2026-11-14' };

describe.each(TEST_DATABASE_KINDS)('the cycle under a controlled clock [%s]', (kind) => {
  let t: TestApp;
  let clock: ControlledClock;
  let engine: WorkflowEngine;
  let reports: ReportsService;
  let consolidations: ConsolidationService;
  let deadlines: DeadlinesService;
  let cycle: CycleEntity;
  const units = new Map<string, UnitEntity>();

  const unit = (name: string) => {
    const found = [...units.values()].find((u) => u.officialName.includes(name));
    if (!found) throw new Error(`no unit named like ${name}`);
    return found;
  };
  const actor = async (role: string, u: UnitEntity): Promise<Actor> => {
    const person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `${role}.${u.code}@${DATA_SET}` });
    return { personId: person.id, login: person.login } as Actor;
  };
  const reportOf = (u: UnitEntity) => t.dataSource.getRepository(ReportEntity).findOneByOrFail({ cycleId: cycle.id, unitId: u.id });
  const consolidationOf = (u: UnitEntity) => t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ cycleId: cycle.id, unitId: u.id });
  const alarmsOf = async (u: UnitEntity) =>
    (await t.dataSource.getRepository(DeadlineAlarmEntity).find({ where: { reportId: (await reportOf(u)).id }, order: { dueAt: 'ASC' } })).map((a) => `${a.kind}@${a.dueAt.toISOString()}`);

  const moveTo = (instant: Date) => moveClockAndFireTimers(clock, engine, instant);
  /** Lives through the days up to `instant`, each at 09:00 Vietnam time, as a running server would. */
  const advanceTo = async (instant: string) => {
    const until = new Date(instant);
    for (let day = new Date(clock.now().getTime() + 24 * 3600 * 1000); day < until; day = new Date(day.getTime() + 24 * 3600 * 1000)) {
      await moveTo(new Date(`${day.toISOString().slice(0, 10)}T02:00:00Z`));
    }
    await moveTo(until);
  };
  /** Staff draft and submit, the head approves: the report is issued and sent. */
  const fileReport = async (u: UnitEntity, seed: number) => {
    const report = await reportOf(u);
    await reports.saveDraft(report.id, generateReportValues(formForYear(2026), seededRandom(seed), period, u.officialName), await actor('staff', u));
    await reports.submit(report.id, await actor('staff', u));
    await engine.whenIdle();
    await reports.review(report.id, 'approved', '', await actor('head', u));
    await engine.whenIdle();
    return reportOf(u);
  };

  beforeAll(async () => {
    clock = new ControlledClock('2026-10-01T02:00:00Z');
    t = await startTestApp(kind, { dataSets: [FIXTURE], runtime: true, clock });
    engine = t.app.get(WorkflowEngine);
    reports = t.app.get(ReportsService);
    consolidations = t.app.get(ConsolidationService);
    deadlines = t.app.get(DeadlinesService);
    for (const u of await t.dataSource.getRepository(UnitEntity).findBy({ dataSetId: DATA_SET })) units.set(u.code, u);
    cycle = await t.app.get(CyclesService).openCycle({ dataSetId: DATA_SET, year: 2026 });
    await engine.whenIdle();
  });
  afterAll(() => t?.close());

  it('opens a consolidation at each unit with units below it, and holds their own reports until they close', async () => {
    const open = await t.dataSource.getRepository(ConsolidationEntity).findBy({ cycleId: cycle.id });
    expect(open.map((c) => [...units.values()].find((u) => u.id === c.unitId)!.officialName).sort()).toEqual(
      [unit('Khoa học').officialName, unit('thành phố Quảng Ngãi').officialName, unit('Bình Sơn').officialName].sort(),
    );
    await t.app.get(InboxProjection).settled();
    const district = await reportOf(unit('Bình Sơn'));
    expect((await engine.listUserTasks({ instanceKey: district.processInstanceKey!, state: 'created' })).map((task) => task.elementId)).toEqual([]);
    const commune = await reportOf(unit('Châu Ổ'));
    expect((await engine.listUserTasks({ instanceKey: commune.processInstanceKey!, state: 'created' })).map((task) => task.elementId)).toEqual(['draft-report']);
  });

  it('a district sets an earlier deadline for its communes; the engine reminds them on working days and marks them late at it', async () => {
    const district = unit('thành phố Quảng Ngãi');
    // Saturday 7/11/2026, end of day in Vietnam.
    await deadlines.setUnitsDeadline((await consolidationOf(district)).id, new Date('2026-11-07T23:59:59.999+07:00'), await actor('consolidator', district));
    const refused = await deadlines.setUnitsDeadline((await consolidationOf(district)).id, new Date('2026-11-20T23:59:59.999+07:00'), await actor('consolidator', district)).catch((e) => e);
    expect(refused.fields?.[0]?.code).toBe('after-own-deadline');
    const commune = unit('Lê Hồng Phong');
    // The district's change told each commune's watch its next alarm: none of them ran a plan job for it.
    await engine.whenIdle();
    const watchHistory = await engine.getHistory((await reportOf(commune)).deadlineWatchKey!);
    expect(watchHistory.filter((entry) => entry.elementId === 'sent-check' && entry.event === 'completed')).toHaveLength(1);
    expect(watchHistory.filter((entry) => entry.elementId === 'plan-deadline-alarm')).toEqual([]);

    await advanceTo('2026-11-09T02:00:00Z'); // Monday 9/11, 09:00
    // Reminders 5 and 1 working days before Friday 6/11 (the last working day on or before the deadline), at 08:00.
    expect(await alarmsOf(commune)).toEqual(['reminder@2026-10-30T01:00:00.000Z', 'reminder@2026-11-05T01:00:00.000Z', 'deadline@2026-11-07T17:00:00.000Z']);
    expect((await reportOf(commune)).lateSince?.toISOString()).toBe('2026-11-07T17:00:00.000Z');
    // The agencies keep the cycle's deadline (14/11): one reminder so far, nobody late.
    expect(await alarmsOf(unit('Nội vụ'))).toEqual(['reminder@2026-11-06T01:00:00.000Z']);
    expect((await reportOf(unit('Nội vụ'))).lateSince).toBeNull();

    const told = await t.dataSource.getRepository(NotificationEntity).findBy({ unitId: commune.id });
    expect(told.map((n) => n.kind).sort()).toEqual(expect.arrayContaining(['deadline.reminder', 'deadline.late']));
    const head = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.${commune.code}@${DATA_SET}` });
    expect(told.filter((n) => n.personId === head.id).map((n) => n.title)).toEqual([`Báo cáo ISO năm 2026 của ${commune.officialName} đã trễ hạn`]);
  });

  it('progress shows the late commune; an extension for one unit lifts its lateness and re-arms its timers', async () => {
    const district = unit('thành phố Quảng Ngãi');
    const progress = await consolidations.progress((await consolidationOf(district)).id);
    expect(progress.units.map((u) => [u.name, u.status])).toEqual([
      [unit('Lê Hồng Phong').officialName, 'late'],
      [unit('Trần Phú').officialName, 'late'],
    ]);

    const extended = unit('Trần Phú');
    const answered = await deadlines.setUnitDeadline((await reportOf(extended)).id, new Date('2026-11-20T23:59:59.999+07:00'), await actor('consolidator', district));
    expect(answered.lateSince).toBeNull(); // what the extension's request answers, not only what is stored
    await engine.whenIdle();
    expect((await reportOf(extended)).lateSince).toBeNull();
    await advanceTo('2026-11-13T02:00:00Z'); // Friday 13/11 09:00: 5 working days before Friday 20/11
    expect((await alarmsOf(extended)).slice(-1)).toEqual(['reminder@2026-11-13T01:00:00.000Z']);
    // The late commune, not extended, was escalated to its district two working days after its deadline.
    expect(await alarmsOf(unit('Lê Hồng Phong'))).toContain('escalation@2026-11-10T01:00:00.000Z');
    const consolidator = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `consolidator.${district.code}@${DATA_SET}` });
    expect(await t.dataSource.getRepository(NotificationEntity).countBy({ personId: consolidator.id, kind: 'deadline.escalation' })).toBe(1);
  });

  it('the late commune reports; a paper report is entered on a unit’s behalf with its scan', async () => {
    const late = await fileReport(unit('Lê Hồng Phong'), 1);
    expect(late.status).toBe('issued');
    expect(late.sentAt?.toISOString()).toBe('2026-11-13T02:00:00.000Z');

    const paperUnit = unit('Châu Ổ');
    const scan = { originalname: 'bao-cao-chau-o.pdf', mimetype: 'application/pdf', size: 20, buffer: Buffer.from('%PDF-1.4\n%scan of it\n') };
    const values = generateReportValues(formForYear(2026), seededRandom(2), period, paperUnit.officialName);
    const refused = await consolidations.enterPaperReport((await reportOf(paperUnit)).id, { values, reference: '12/BC-UBND ngày 12/11/2026' }, scan, await actor('staff', paperUnit)).catch((e) => e);
    expect(refused.code).toBe('forbidden');
    const entered = await consolidations.enterPaperReport((await reportOf(paperUnit)).id, { values, reference: '12/BC-UBND ngày 12/11/2026' }, scan, await actor('consolidator', unit('Bình Sơn')));
    expect(entered).toMatchObject({ onPaper: true, status: 'issued', paperReference: '12/BC-UBND ngày 12/11/2026', approvedVersion: 1 });
    expect((await engine.getInstance(entered.processInstanceKey!))?.status).toBe('cancelled');
  });

  it('the districts close their periods and issue their own consolidated reports; an agency is urged, then missing at the province', async () => {
    await fileReport(unit('Trần Phú'), 3); // within its extension
    await fileReport(unit('Nội vụ'), 4); // on time (13/11)

    for (const name of ['thành phố Quảng Ngãi', 'Bình Sơn']) {
      const district = unit(name);
      const closed = await consolidations.close((await consolidationOf(district)).id, await actor('consolidator', district));
      expect(closed.status).toBe('closed');
      await engine.whenIdle();
      await fileReport(district, name.length);
    }
    const qn = (await consolidationOf(unit('thành phố Quảng Ngãi'))).snapshot!;
    expect(qn.counts).toEqual({ expected: 2, submitted: 2, onTime: 1, late: 1, missing: 0 });
    const qnReport = await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: (await reportOf(unit('thành phố Quảng Ngãi'))).issuedDocumentId! });
    expect(qnReport.templateKind).toBe('consolidated-report');

    // Sở Tài chính never reports by 14/11: late at the deadline, escalated to the standing agency on Tuesday 17/11.
    await advanceTo('2026-11-17T02:00:00Z');
    const agency = unit('Tài chính');
    expect(await alarmsOf(agency)).toEqual(expect.arrayContaining(['deadline@2026-11-14T17:00:00.000Z', 'escalation@2026-11-17T01:00:00.000Z']));
    const standing = unit('Khoa học');
    const letter = await consolidations.urgeLateUnits((await consolidationOf(standing)).id, await actor('consolidator', standing), '2026-11-19');
    expect(letter).toMatchObject({ state: 'issued', templateKind: 'urge-letter', documentType: 'cong-van' });
    expect(letter.recipients.map((r) => r.unitId)).toEqual([agency.id]);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: (await t.app.get(DocumentStore).get(letter.id))!.pdf }).toString('utf8');
    expect(text).toContain('Sở Tài chính');
    expect(text).toContain('19/11/2026');

    await advanceTo('2026-11-20T02:00:00Z');
    const closed = await consolidations.close((await consolidationOf(standing)).id, await actor('consolidator', standing));
    const snapshot = closed.snapshot!;
    // 7 units below the standing agency: 2 agencies, 2 districts, 3 communes (counted through their districts).
    expect(snapshot.counts).toEqual({ expected: 7, submitted: 6, onTime: 5, late: 1, missing: 1 });
    expect(snapshot.lateOrMissing.find((l) => l.unitId === agency.id)).toEqual({ unitId: agency.id, status: 'missing', note: `Đã đôn đốc tại Công văn số ${letter.symbol} ngày 17/11/2026` });
  });

  it('a report arriving after closing is registered and flagged, and changes no issued document', async () => {
    const standing = unit('Khoa học');
    const before = JSON.stringify((await consolidationOf(standing)).snapshot);
    const late = await fileReport(unit('Tài chính'), 9);
    expect(late).toMatchObject({ status: 'issued', receivedAfterClose: true });
    expect(JSON.stringify((await consolidationOf(standing)).snapshot)).toBe(before);
    const progress = await consolidations.progress((await consolidationOf(standing)).id);
    expect(progress.units.find((u) => u.unitId === unit('Tài chính').id)).toMatchObject({ status: 'submitted', receivedAfterClose: true, late: true });
  });

  it('the standing agency’s consolidated report goes to the province: totals equal an SQL sum and the PDF; the Ministry draft is prepared', async () => {
    const standing = unit('Khoa học');
    const own = await fileReport(standing, 11);
    await engine.whenIdle();
    const document = await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: own.issuedDocumentId! });
    expect(document).toMatchObject({ templateKind: 'consolidated-report', state: 'issued' });

    // An independent sum: approved versions of every unit whose report reached its consolidation before it closed.
    const counted = (await consolidationOf(standing)).snapshot!.included.map((r) => r.reportId);
    expect(counted.length).toBe(6);
    const versions = await t.dataSource.getRepository(ReportVersionEntity).findBy({ reportId: In([...counted, own.id]) });
    const approvedOf = new Map((await t.dataSource.getRepository(ReportEntity).findBy({ id: In([...counted, own.id]) })).map((r) => [r.id, r.approvedVersion]));
    const approved = versions.filter((v) => approvedOf.get(v.reportId) === v.versionNo);
    const sum = approved.reduce((total, v) => total + Number(v.values.figures.procedures?.underAuthority ?? 0), 0);
    const ownValues = approved.find((v) => v.reportId === own.id)!.values;
    const totals = consolidatedTotals(formForYear(2026), ownValues, (await consolidationOf(standing)).snapshot!);
    expect(totals['procedures.underAuthority']).toBe(sum);
    const [sqlSum] = await t.dataSource.query(
      kind === 'sqlite'
        ? `SELECT SUM(CAST(json_extract(v."values", '$.figures.procedures.underAuthority') AS INTEGER)) AS total FROM report_versions v JOIN reports r ON r.id = v.report_id AND r.approved_version = v.version_no WHERE r.id IN (${[...counted, own.id].join(',')})`
        : `SELECT SUM(CAST(JSON_EXTRACT(v.\`values\`, '$.figures.procedures.underAuthority') AS SIGNED)) AS total FROM report_versions v JOIN reports r ON r.id = v.report_id AND r.approved_version = v.version_no WHERE r.id IN (${[...counted, own.id].join(',')})`,
    );
    expect(Number(sqlSum.total)).toBe(sum);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: (await t.app.get(DocumentStore).get(document.id))!.pdf }).toString('utf8');
    const printed = sum.toLocaleString('de-DE');
    expect(text).toMatch(new RegExp(`Số TTHC thuộc thẩm quyền.*\\s${printed.replace(/\./g, '\\.')}\\s*$`, 'm'));

    const draft = await t.dataSource.getRepository(DraftDocumentEntity).findOneByOrFail({ id: topReportDraftId(cycle.id) });
    expect(draft.kind).toBe('ministry-report');
    const ministry = execFileSync('pdftotext', ['-layout', '-', '-'], { input: (await t.app.get(DocumentStore).get(draft.id))!.pdf }).toString('utf8');
    expect(ministry).toContain('DỰ THẢO');
    expect(ministry).toContain('Kính gửi: Bộ Khoa học và Công nghệ');

    const consolidator = new ApiClient(t.baseUrl);
    await consolidator.login(`consolidator.${standing.code}@${DATA_SET}`, DEMO_PASSWORD);
    const xlsx = await consolidator.request('GET', `/api/consolidations/${(await consolidationOf(standing)).id}/tables.xlsx`);
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    const response = await fetch(`${t.baseUrl}/api/consolidations/${(await consolidationOf(standing)).id}/tables.xlsx`, { headers: { cookie: consolidator.cookie! } });
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as never);
    const perUnit = workbook.getWorksheet('Từng đơn vị')!;
    // Three heading rows, then one row per report counted, with its figures as numbers.
    expect(perUnit.rowCount).toBe(3 + counted.length);
    const column = (perUnit.getRow(3).values as unknown[]).findIndex((v) => typeof v === 'string' && v.endsWith('Số TTHC thuộc thẩm quyền giải quyết'));
    const sheetSum = Array.from({ length: counted.length }, (_, i) => Number(perUnit.getRow(4 + i).getCell(column).value)).reduce((a, b) => a + b, 0);
    expect(sheetSum + Number(ownValues.figures.procedures?.underAuthority ?? 0)).toBe(sum);
    expect((await consolidator.request('GET', `/api/cycles/${cycle.id}/top-report-draft`)).status).toBe(200);
    expect(await t.dataSource.getRepository(UrgeLetterEntity).countBy({})).toBe(1);
  });
});
