import { join } from 'node:path';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { CyclesService } from '../../src/cycles/cycles.service';
import { WorkingDayCalendar } from '../../src/cycles/working-days';
import { AppConfig } from '../../src/config/app-config';
import { DeadlineAlarmEntity } from '../../src/deadlines/deadline-alarm.entity';
import { deadlineGuards } from '../../src/deadlines/deadline-workers';
import { deadlineAlarms } from '../../src/deadlines/deadline-schedule';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportEntity } from '../../src/reports/report.entity';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { moveClockAndFireTimers } from '../support/controlled-time';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

jest.setTimeout(120_000);

const DATA_SET = 'tiny-2021';
const FIXTURE = join(__dirname, '..', 'fixtures', 'organizations', 'tiny-2021.json');
const TWO_WEEKS = 14 * 24 * 3600 * 1000;

/**
 * A deadline moves in one transaction and the watches concerned are woken after it, one by one: a
 * process that stops in between leaves watches whose timers were armed for the old deadline. Such a
 * stale timer must not remind (or mark late) by a deadline no longer in force: the raise checks the
 * alarm against the deadline in force and, if it is not one of its alarms, only plans the next.
 */
describe.each(TEST_DATABASE_KINDS)('a deadline watch whose wake was lost [%s]', (kind) => {
  let t: TestApp;
  let clock: ControlledClock;
  let engine: WorkflowEngine;
  let cycle: CycleEntity;
  let report: ReportEntity;

  const moveTo = (instant: Date) => moveClockAndFireTimers(clock, engine, instant);
  const watch = async () => (await engine.getInstance(report.deadlineWatchKey!)).variables as { alarmAt: string; alarmKind: string };
  const raised = async () => (await t.dataSource.getRepository(DeadlineAlarmEntity).findBy({ reportId: report.id })).map((alarm) => `${alarm.kind}@${alarm.dueAt.toISOString()}`);
  /** The cycle's deadline moves, and no watch hears of it (the wakes lost with the process). */
  const moveDeadlineUnheard = async (by: number) => {
    const current = await t.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: cycle.id });
    await t.dataSource.getRepository(CycleEntity).update({ id: cycle.id }, { deadlineAt: new Date(current.deadlineAt.getTime() + by) });
    return t.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: cycle.id });
  };

  beforeAll(async () => {
    clock = new ControlledClock('2026-10-01T02:00:00Z');
    t = await startTestApp(kind, { dataSets: [FIXTURE], runtime: true, clock });
    engine = t.app.get(WorkflowEngine);
    cycle = await t.app.get(CyclesService).openCycle({ dataSetId: DATA_SET, year: 2026 });
    await engine.whenIdle();
    // A provincial agency: it follows the cycle's deadline (the standing agency sets none for it).
    const agency = (await t.dataSource.getRepository(UnitEntity).findBy({ dataSetId: DATA_SET })).find((unit) => unit.officialName.includes('Nội vụ'))!;
    report = await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ cycleId: cycle.id, unitId: agency.id });
  });
  afterAll(() => t?.close());
  afterEach(() => (deadlineGuards.staleAlarmsSkipped = true));

  it('its stale timer raises nothing, and it waits for the first alarm of the deadline in force', async () => {
    const armed = await watch();
    expect(armed.alarmKind).toBe('reminder');
    const moved = await moveDeadlineUnheard(TWO_WEEKS);

    await moveTo(new Date(new Date(armed.alarmAt).getTime() + 1000));

    expect(await raised()).toEqual([]);
    const rules = { reminderOffsets: moved.reminderOffsets, escalationDays: moved.escalationDays };
    const inForce = deadlineAlarms(moved.deadlineAt, rules, t.app.get(WorkingDayCalendar), t.app.get(AppConfig).civilTimeZone).find((alarm) => alarm.dueAt > clock.now())!;
    expect(await watch()).toMatchObject({ alarmKind: inForce.kind, alarmAt: inForce.dueAt.toISOString() });
  });

  it('with the check switched off, the same kind of stale timer reminds by the old deadline (the check is what stops it)', async () => {
    const armed = await watch();
    await moveDeadlineUnheard(TWO_WEEKS);
    deadlineGuards.staleAlarmsSkipped = false;

    await moveTo(new Date(new Date(armed.alarmAt).getTime() + 1000));

    expect(await raised()).toEqual([`${armed.alarmKind}@${armed.alarmAt}`]);
  });
});
