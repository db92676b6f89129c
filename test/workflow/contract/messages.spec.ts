import { JobOutcomes } from '../../../src/workflow/workflow-engine';
import { describeContract } from './support/engine-harness';

const DAY = 24 * 3600 * 1000;

describeContract('messages', __dirname, (h) => {
  const history = async (instanceKey: string) => (await h().step((engine) => engine.getHistory(instanceKey))).map((entry) => `${entry.elementId}:${entry.event}`);
  const status = async (instanceKey: string) => (await h().step((engine) => engine.getInstance(instanceKey))).status;

  it('given an instance waiting at a message catch event, when the message with its correlation key is published, then it continues with the message variables through the output mapping', async () => {
    await h().deploy('message-catch.bpmn');
    const other = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'R-2' } }));
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'R-1' } }));

    const result = await h().step((engine) => engine.publishMessage({ name: 'contract.report-approved', correlationKey: 'R-1', variables: { verdict: 'approved' } }));

    expect(result).toEqual({ correlatedInstanceKeys: [instance.instanceKey], buffered: false });
    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ approvalVerdict: 'approved' });
    expect(await status(other.instanceKey)).toBe('active');
  });

  it('given a message published with a time-to-live before any instance waits for it, when an instance reaches the catch event in time, then the message is not lost and is consumed once', async () => {
    await h().deploy('message-catch.bpmn');
    const published = await h().step((engine) => engine.publishMessage({ name: 'contract.report-approved', correlationKey: 'R-early', variables: { verdict: 'early' }, timeToLiveMs: DAY }));
    expect(published).toEqual({ correlatedInstanceKeys: [], buffered: true });

    const first = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'R-early' } }));
    const second = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'R-early' } }));

    const state = await h().step((engine) => engine.getInstance(first.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ approvalVerdict: 'early' });
    expect(await status(second.instanceKey)).toBe('active');
  });

  it('given a buffered message, when its time-to-live passes before a subscription opens, then it is dropped', async () => {
    await h().deploy('message-catch.bpmn');
    await h().step((engine) => engine.publishMessage({ name: 'contract.report-approved', correlationKey: 'R-late', timeToLiveMs: 60_000 }));
    await h().advance(61_000);

    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'R-late' } }));

    expect(await status(instance.instanceKey)).toBe('active');
  });

  it('given a message without time-to-live and no subscription, when it is published, then nothing is correlated or kept', async () => {
    await h().deploy('message-catch.bpmn');
    const result = await h().step((engine) => engine.publishMessage({ name: 'contract.report-approved', correlationKey: 'R-none' }));
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'R-none' } }));

    expect(result).toEqual({ correlatedInstanceKeys: [], buffered: false });
    expect(await status(instance.instanceKey)).toBe('active');
  });

  it('given a user task with an interrupting message boundary event, when the message arrives, then the task is cancelled and the boundary path taken', async () => {
    await h().deploy('message-boundary.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-boundary', variables: { reportId: 'B-1' } }));

    await h().step((engine) => engine.publishMessage({ name: 'contract.report-withdrawn', correlationKey: 'B-1' }));

    expect(await status(instance.instanceKey)).toBe('completed');
    expect(await history(instance.instanceKey)).toEqual(expect.arrayContaining(['draft:cancelled', 'withdrawn-end:completed']));
    expect((await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }))).map((task) => task.state)).toEqual(['cancelled']);
    expect(h().events.map((event) => event.type)).toEqual(['userTaskCreated', 'userTaskCancelled', 'instanceCompleted']);
  });

  it('given a receive task after a user task, when the task is done and the message arrives, then the instance completes and the boundary subscription is gone', async () => {
    await h().deploy('message-boundary.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-message-boundary', variables: { reportId: 'B-2' } }));
    const [task] = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    await h().step((engine) => engine.completeUserTask(task.taskKey, {}, 'an'));

    const late = await h().step((engine) => engine.publishMessage({ name: 'contract.report-withdrawn', correlationKey: 'B-2' }));
    const receipt = await h().step((engine) => engine.publishMessage({ name: 'contract.receipt', correlationKey: 'B-2', variables: { receivedBy: 'office' } }));

    expect(late.correlatedInstanceKeys).toEqual([]);
    expect(receipt.correlatedInstanceKeys).toEqual([instance.instanceKey]);
    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state).toMatchObject({ status: 'completed', variables: { receivedBy: 'office' } });
  });

  it('given a message start event, when the message is published, then a new instance starts with its variables', async () => {
    await h().deploy('message-start.bpmn');

    const result = await h().step((engine) => engine.publishMessage({ name: 'contract.audit-requested', correlationKey: 'A-1', variables: { auditor: 'lan' } }));

    expect(result.correlatedInstanceKeys).toHaveLength(1);
    const state = await h().step((engine) => engine.getInstance(result.correlatedInstanceKeys[0]));
    expect(state).toMatchObject({ status: 'active', variables: { auditor: 'lan' }, bpmnProcessId: 'contract-message-start' });
    expect((await h().step((engine) => engine.listUserTasks({ instanceKey: state.instanceKey }))).map((task) => task.elementId)).toEqual(['handle']);
  });

  it('given an event-based gateway, when the message comes first, then the timer is discarded', async () => {
    await h().deploy('event-based-gateway.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-event-based-gateway', variables: { caseId: 'E-1' } }));

    await h().step((engine) => engine.publishMessage({ name: 'contract.answer', correlationKey: 'E-1' }));
    await h().advance(11 * DAY);

    expect(await status(instance.instanceKey)).toBe('completed');
    expect(await history(instance.instanceKey)).toContain('answered:completed');
    expect(await history(instance.instanceKey)).not.toContain('timed-out:completed');
  });

  it('given an event-based gateway, when the timer comes first, then the message subscription is closed', async () => {
    await h().deploy('event-based-gateway.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-event-based-gateway', variables: { caseId: 'E-2' } }));

    await h().advance(9 * DAY);
    expect(await status(instance.instanceKey)).toBe('active');
    await h().advance(1 * DAY);
    const late = await h().step((engine) => engine.publishMessage({ name: 'contract.answer', correlationKey: 'E-2' }));

    expect(await status(instance.instanceKey)).toBe('completed');
    expect(await history(instance.instanceKey)).toContain('timed-out:completed');
    expect(late.correlatedInstanceKeys).toEqual([]);
  });

  it('given an event-based gateway in a loop, when the timer has fired twice and then the message comes, then the instance ends with nothing left waiting', async () => {
    await h().deploy('event-based-gateway-loop.bpmn');
    await h().worker('contract.count-tick', async () => JobOutcomes.complete({}));
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-event-based-gateway-loop', variables: { caseId: 'L-1' } }));

    await h().advance(1 * DAY + 1000);
    await h().advance(1 * DAY + 1000);
    const answered = await h().step((engine) => engine.publishMessage({ name: 'contract.loop-answer', correlationKey: 'L-1' }));

    expect(answered.correlatedInstanceKeys).toEqual([instance.instanceKey]);
    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.activeElements).toEqual([]);
    expect(state.status).toBe('completed');
    expect((await history(instance.instanceKey)).filter((entry) => entry === 'tick:completed')).toHaveLength(2);
  });
});
