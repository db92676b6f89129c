import { Job, JobOutcomes } from '../../src/workflow/workflow-engine';
import { describeContract } from '../workflow/contract/support/engine-harness';

const DAY = 24 * 3600 * 1000;

/**
 * The deadline watch (processes/report-deadline.bpmn) on each engine, kept and restarted before every
 * step, with workers that plan an alarm a day ahead until the report is sent (the raise answers the
 * next alarm as the plan task does). Found in the national
 * cycle: once an alarm had fired on an engine recovered from its saved state, the watch reached its end
 * event and stayed active, its "deadline changed" event still waiting (3,169 of 10,019 watches).
 */
describeContract('the deadline watch', __dirname, (h) => {
  it('given an alarm timer that fired, when the report is sent, then the watch ends with nothing left waiting', async () => {
    await h().deploy('../../processes/report-deadline.bpmn');
    const aDayAhead = async (job: Job) =>
      JobOutcomes.complete((job.variables as { sent?: boolean }).sent ? { next: 'done', alarmAt: null } : { next: 'alarm', alarmAt: new Date(h().clock.now().getTime() + DAY).toISOString() });
    await h().worker('plan-deadline-alarm', aDayAhead);
    await h().worker('raise-deadline-alarm', aDayAhead);
    const watch = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'report-deadline', variables: { reportId: 1, reportKey: 'report:1' } }));

    await h().advance(DAY + 1000);
    const sent = await h().step((engine) => engine.publishMessage({ name: 'report-deadline-changed', correlationKey: 'report:1', variables: { sent: true } }));

    expect(sent.correlatedInstanceKeys).toEqual([watch.instanceKey]);
    const state = await h().step((engine) => engine.getInstance(watch.instanceKey));
    expect(state.activeElements).toEqual([]);
    expect(state.status).toBe('completed');
    const history = (await h().step((engine) => engine.getHistory(watch.instanceKey))).map((entry) => `${entry.elementId}:${entry.event}`);
    expect(history).toContain('raise-deadline-alarm:completed');
    expect(history.filter((entry) => entry === 'watch-ended:completed')).toHaveLength(1);
  });

  /** The plan jobs the watch ran, from its history. */
  const plansOf = async (instanceKey: string) =>
    (await h().step((engine) => engine.getHistory(instanceKey))).filter((entry) => entry.elementId === 'plan-deadline-alarm' && entry.event === 'completed').length;

  const startPlanned = async (reportId: number) => {
    await h().deploy('../../processes/report-deadline.bpmn');
    await h().worker('plan-deadline-alarm', async () => JobOutcomes.complete({ next: 'wait', alarmAt: null }));
    await h().worker('raise-deadline-alarm', async () => JobOutcomes.complete({ next: 'wait', alarmAt: null }));
    const alarmAt = new Date(h().clock.now().getTime() + DAY).toISOString();
    return h().step((engine) => engine.startInstance({ bpmnProcessId: 'report-deadline', variables: { reportId, reportKey: `report:${reportId}`, reportSent: false, planned: true, next: 'alarm', alarmAt, alarmKind: 'reminder' } }));
  };

  it('given a watch started with its first alarm planned, then it waits for that alarm without a plan job', async () => {
    const watch = await startPlanned(3);

    expect(await plansOf(watch.instanceKey)).toBe(0);
    expect((await h().step((engine) => engine.getInstance(watch.instanceKey))).activeElements.map((element) => element.elementId).sort()).toEqual(['alarm-due', 'alarm-or-change', 'deadline-changed']);
  });

  it('given a watch started with its first alarm planned, when that alarm\'s timer fires, then it raises the alarm and goes on by the next alarm the raise answered, without a plan job', async () => {
    const watch = await startPlanned(4);
    await h().advance(DAY + 1000);

    const history = (await h().step((engine) => engine.getHistory(watch.instanceKey))).map((entry) => `${entry.elementId}:${entry.event}`);
    expect(history).toContain('raise-deadline-alarm:completed');
    expect(await plansOf(watch.instanceKey)).toBe(0);
    // The raise answered "wait": the watch waits for a change, its alarm timer gone.
    expect((await h().step((engine) => engine.getInstance(watch.instanceKey))).activeElements.map((element) => element.elementId)).toEqual(['deadline-changed-while-waiting']);
  });

  /** A watch started planned (first alarm in a day), then woken with its deadline moved and the next alarm planned by the waker. */
  const wakeReplanned = async (reportId: number) => {
    const watch = await startPlanned(reportId);
    const movedTo = new Date(h().clock.now().getTime() + 3 * DAY).toISOString();
    await h().step((engine) => engine.publishMessage({ name: 'report-deadline-changed', correlationKey: `report:${reportId}`, variables: { replanned: true, next: 'alarm', alarmAt: movedTo, alarmKind: 'deadline' } }));
    return { watch, movedTo };
  };

  it('given a waiting watch, when a wake carries the next alarm (replanned), then it waits for that alarm without a plan job', async () => {
    const { watch, movedTo } = await wakeReplanned(5);

    expect(await plansOf(watch.instanceKey)).toBe(0);
    const state = await h().step((engine) => engine.getInstance(watch.instanceKey));
    expect(state.activeElements.map((element) => element.elementId).sort()).toEqual(['alarm-due', 'alarm-or-change', 'deadline-changed']);
    expect(state.variables).toMatchObject({ alarmAt: movedTo, alarmKind: 'deadline' });
  });

  it('given a watch woken with the next alarm (replanned), its timer fires at that alarm, not at the one before', async () => {
    const { watch } = await wakeReplanned(6);
    const raised = async () => (await h().step((engine) => engine.getHistory(watch.instanceKey))).some((entry) => entry.elementId === 'raise-deadline-alarm');

    await h().advance(DAY + 1000);
    expect(await raised()).toBe(false);
    await h().advance(2 * DAY);
    expect(await raised()).toBe(true);
  });

  it('given a waiting watch, when its deadline changes it plans again, and when the report is sent it ends without planning', async () => {
    await h().deploy('../../processes/report-deadline.bpmn');
    const tenDaysAhead = async () => JobOutcomes.complete({ next: 'alarm', alarmAt: new Date(h().clock.now().getTime() + 10 * DAY).toISOString() });
    await h().worker('plan-deadline-alarm', tenDaysAhead);
    await h().worker('raise-deadline-alarm', tenDaysAhead);
    const watch = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'report-deadline', variables: { reportId: 2, reportKey: 'report:2', reportSent: false } }));
    expect(await plansOf(watch.instanceKey)).toBe(1); // not planned at start: the watch plans first

    await h().step((engine) => engine.publishMessage({ name: 'report-deadline-changed', correlationKey: 'report:2', variables: { replanned: false } }));
    expect(await plansOf(watch.instanceKey)).toBe(2);
    const sent = await h().step((engine) => engine.publishMessage({ name: 'report-deadline-changed', correlationKey: 'report:2', variables: { reportSent: true } }));

    expect(sent.correlatedInstanceKeys).toEqual([watch.instanceKey]);
    const state = await h().step((engine) => engine.getInstance(watch.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.activeElements).toEqual([]);
    expect(await plansOf(watch.instanceKey)).toBe(2);
    const history = (await h().step((engine) => engine.getHistory(watch.instanceKey))).map((entry) => `${entry.elementId}:${entry.event}`);
    expect(history).toContain('watch-ended-on-send:completed');
  });
});
