import { JobOutcomes } from '../../../src/workflow/workflow-engine';
import { describeContract } from './support/engine-harness';

describeContract('gateways, sub-processes and end events', __dirname, (h) => {
  const ended = async (instanceKey: string) =>
    (await h().step((engine) => engine.getHistory(instanceKey))).filter((entry) => entry.elementType === 'bpmn:EndEvent' && entry.event === 'completed').map((entry) => entry.elementId);

  it.each([
    [95, 'high'],
    [60, 'mid'],
    [10, 'low'],
  ])('given an exclusive gateway with FEEL conditions and a default flow, when the score is %i, then the instance ends at %s', async (score, end) => {
    await h().deploy('exclusive-gateway.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-exclusive-gateway', variables: { score } }));

    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('completed');
    expect(await ended(instance.instanceKey)).toEqual([end]);
  });

  it('given a parallel split, when only one branch is done, then the join waits; when both are, then the instance completes once', async () => {
    await h().deploy('parallel-gateway.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-parallel-gateway' }));
    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    expect(tasks.map((task) => task.elementId).sort()).toEqual(['finance-review', 'legal-review']);

    await h().step((engine) => engine.completeUserTask(tasks[0].taskKey, { [tasks[0].elementId]: 'ok' }, 'an'));
    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('active');
    await h().step((engine) => engine.completeUserTask(tasks[1].taskKey, { [tasks[1].elementId]: 'ok' }, 'binh'));

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ 'finance-review': 'ok', 'legal-review': 'ok' });
    expect(await ended(instance.instanceKey)).toEqual(['end']);
    expect(h().eventsOf('instanceCompleted')).toHaveLength(1);
  });

  // Zeebe's semantics, which the embedded engine follows (TokenSequenceFlow): a flow not taken carries
  // nothing. bpmn-elements alone "discards" the untaken flow down to the join, which then fires.
  it.each([
    [false, 'completed', ['end']],
    [true, 'active', ['skipped']],
  ])('given a parallel join behind an exclusive gateway, when skip is %s and the other branch completes, then the instance is %s: only a token reaches the join', async (skip, status, ends) => {
    await h().deploy('untaken-branch.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-untaken-branch', variables: { skip } }));
    const review = (await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, elementId: 'review' })))[0];

    await h().step((engine) => engine.completeUserTask(review.taskKey, {}, 'an'));

    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe(status);
    expect(await ended(instance.instanceKey)).toEqual(ends);
  });

  it('given an embedded sub-process, when its task and job complete, then the flow continues after it', async () => {
    await h().deploy('sub-process.bpmn');
    await h().worker('contract.check-draft', async () => JobOutcomes.complete({ checked: true }));
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-sub-process' }));
    const draft = (await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, elementId: 'draft' })))[0];

    await h().step((engine) => engine.completeUserTask(draft.taskKey, {}, 'an'));

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('active');
    expect(state.activeElements.map((element) => element.elementId)).toEqual(['watch']);
    expect(await ended(instance.instanceKey)).toEqual(['prepare-end', 'end']);
  });

  it('given a terminate end event, when it is reached, then the instance ends and the other branch task is cancelled', async () => {
    await h().deploy('sub-process.bpmn');
    await h().worker('contract.check-draft', async () => JobOutcomes.complete({ checked: false }));
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-sub-process' }));
    const draft = (await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, elementId: 'draft' })))[0];

    await h().step((engine) => engine.completeUserTask(draft.taskKey, {}, 'an'));

    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('completed');
    const watch = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, elementId: 'watch' }));
    expect(watch.map((task) => task.state)).toEqual(['cancelled']);
    expect(h().events.filter((event) => event.type === 'userTaskCancelled' && event.task.instanceKey === instance.instanceKey)).toHaveLength(1);
  });
});
