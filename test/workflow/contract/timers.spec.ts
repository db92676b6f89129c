import { JobOutcomes } from '../../../src/workflow/workflow-engine';
import { describeContract } from './support/engine-harness';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

describeContract('timers', __dirname, (h) => {
  const status = async (instanceKey: string) => (await h().step((engine) => engine.getInstance(instanceKey))).status;
  const history = async (instanceKey: string) => (await h().step((engine) => engine.getHistory(instanceKey))).map((entry) => `${entry.elementId}:${entry.event}`);

  it('given an intermediate timer with a FEEL duration, when the clock reaches it, then it fires, not before', async () => {
    await h().deploy('timer-intermediate.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-timer-intermediate', variables: { hours: 2 } }));

    await h().advance(2 * HOUR - 1);
    expect(await status(instance.instanceKey)).toBe('active');
    await h().advance(1);

    expect(await status(instance.instanceKey)).toBe('completed');
  });

  it('given a deadline on 15 November set in September (beyond the 24.8-day setTimeout limit), when the clock reaches it, then the interrupting boundary timer cancels the task', async () => {
    await h().deploy('timer-boundary.bpmn');
    await h().worker('contract.remind', async () => JobOutcomes.complete());
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-timer-boundary', variables: { deadline: '2026-11-15T00:00:00+07:00' } }));

    await h().advanceTo('2026-11-14T16:59:59.999Z');
    expect(await status(instance.instanceKey)).toBe('active');
    await h().advanceTo('2026-11-14T17:00:00.000Z');

    expect(await status(instance.instanceKey)).toBe('completed');
    expect(await history(instance.instanceKey)).toEqual(expect.arrayContaining(['submit-report:cancelled', 'overdue:completed']));
    expect(h().events.filter((event) => event.type === 'userTaskCancelled' && event.task.instanceKey === instance.instanceKey)).toHaveLength(1);
  });

  it('given a non-interrupting reminder cycle R2/P7D on a task, when three weeks pass, then it fires exactly twice and the task stays open', async () => {
    const reminded: string[] = [];
    await h().deploy('timer-boundary.bpmn');
    await h().worker('contract.remind', async (job) => {
      reminded.push(job.jobKey);
      return JobOutcomes.complete();
    });
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-timer-boundary', variables: { deadline: '2027-01-01T00:00:00Z' } }));

    for (let day = 1; day <= 21; day++) await h().advance(DAY);

    expect(new Set(reminded).size).toBe(2);
    expect(await status(instance.instanceKey)).toBe('active');
    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    expect(tasks.map((task) => task.state)).toEqual(['created']);
    await h().step((engine) => engine.completeUserTask(tasks[0].taskKey, {}, 'an'));
    expect(await status(instance.instanceKey)).toBe('completed');
  });

  it('given a timer that fell due while no engine ran, when the engine starts, then it fires once', async () => {
    await h().deploy('timer-intermediate.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-timer-intermediate', variables: { hours: 1 } }));
    await h().end();

    h().clock.advance(5 * HOUR);
    await h().startAgain();

    expect(await status(instance.instanceKey)).toBe('completed');
    expect((await history(instance.instanceKey)).filter((entry) => entry === 'cooling-off:completed')).toHaveLength(1);
  });

  it('given a timer start event R2/PT1H, when three hours pass, then exactly two instances start', async () => {
    await h().deploy('timer-start.bpmn');

    await h().advance(HOUR);
    await h().advance(HOUR);
    await h().advance(HOUR);

    const tasks = await h().step((engine) => engine.listUserTasks({ bpmnProcessId: 'contract-timer-start' }));
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks.map((task) => task.instanceKey)).size).toBe(2);
  });
});
