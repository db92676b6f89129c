import { JobOutcomes, WorkflowEngine, WorkflowEvent } from '../../../src/workflow/workflow-engine';
import { describeContract, EngineHarness } from './support/engine-harness';

/** The one instance of the tree started by `parentKey`'s call activity `elementId`. */
async function childOf(h: EngineHarness, parentKey: string): Promise<string> {
  const tree = await h.step((engine) => engine.listInstanceTree(parentKey));
  const children = tree.filter((node) => node.parentInstanceKey === parentKey);
  expect(children).toHaveLength(1);
  return children[0].instanceKey;
}

async function openTask(engine: WorkflowEngine, instanceKey: string) {
  const tasks = await engine.listUserTasks({ instanceKey, state: 'created' });
  expect(tasks).toHaveLength(1);
  return tasks[0];
}

describeContract('call activities', __dirname, (h) => {
  it('given a call activity, when it is entered, then the child runs as its own instance with the input mappings and its output completes the parent', async () => {
    await h().deploy('call-parent.bpmn', 'call-child.bpmn');
    await h().worker('contract.call-check', async (job) => JobOutcomes.complete({ verdict: `${job.variables.unitName}: đạt`, scratch: 1 }));

    const parent = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-parent', variables: { unit: 'Sở Tư pháp', secret: 'x' }, businessKey: 'unit:7' }));
    const childKey = await childOf(h(), parent.instanceKey);
    const child = await h().step((engine) => engine.getInstance(childKey));
    expect(child).toMatchObject({ bpmnProcessId: 'contract-call-child', status: 'active', parentInstanceKey: parent.instanceKey, rootInstanceKey: parent.instanceKey, businessKey: 'unit:7' });
    expect(child.variables).toEqual({ unitName: 'Sở Tư pháp' }); // propagateAllParentVariables="false"

    const task = await h().step((engine) => openTask(engine, childKey));
    await h().step((engine) => engine.completeUserTask(task.taskKey, {}, 'reader'));

    const done = await h().step((engine) => engine.getInstance(parent.instanceKey));
    expect(done.status).toBe('completed');
    expect(done.variables).toEqual({ unit: 'Sở Tư pháp', secret: 'x', reviewVerdict: 'Sở Tư pháp: đạt' }); // only the output mapping
    expect((await h().step((engine) => engine.getInstance(childKey))).status).toBe('completed');
    const completedKeys = h().eventsOf('instanceCompleted').map((event) => (event as Extract<WorkflowEvent, { type: 'instanceCompleted' }>).instance.instanceKey);
    expect(completedKeys).toEqual([childKey, parent.instanceKey]);
    const history = await h().step((engine) => engine.getHistory(parent.instanceKey));
    expect(history.filter((entry) => entry.event === 'called')).toEqual([expect.objectContaining({ elementId: 'review', calledInstanceKey: childKey })]);
    expect(history.map((entry) => `${entry.elementId}:${entry.event}`)).toEqual(expect.arrayContaining(['review:started', 'review:completed', 'done:completed']));
    const tree = await h().step((engine) => engine.listInstanceTree(childKey));
    expect(tree.map((node) => [node.instanceKey, node.depth, node.parentElementId, node.status])).toEqual([
      [parent.instanceKey, 0, null, 'completed'],
      [childKey, 1, 'review', 'completed'],
    ]);
  });

  it('given a BPMN error thrown in the child, when the call activity has an error boundary event, then the child ends and the parent takes the error path', async () => {
    await h().deploy('call-parent.bpmn', 'call-child.bpmn');
    await h().worker('contract.call-check', async () => JobOutcomes.bpmnError('REVIEW_REJECTED', 'thiếu số liệu'));
    const parent = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-parent', variables: { unit: 'A' } }));
    const childKey = await childOf(h(), parent.instanceKey);
    const task = await h().step((engine) => openTask(engine, childKey));

    await h().step((engine) => engine.completeUserTask(task.taskKey, {}, 'reader'));

    expect((await h().step((engine) => engine.getInstance(childKey))).status).toBe('terminated');
    const done = await h().step((engine) => engine.getInstance(parent.instanceKey));
    expect(done.status).toBe('completed');
    const history = await h().step((engine) => engine.getHistory(parent.instanceKey));
    expect(history.map((entry) => `${entry.elementId}:${entry.event}`)).toEqual(expect.arrayContaining(['not-done:completed']));
    expect(history.map((entry) => entry.elementId)).not.toContain('done');
    expect(await h().step((engine) => engine.listIncidents({ state: 'open' }))).toEqual([]);
  });

  it('given a three-level tree, when the grandchild throws an error only the top catches, then the middle and the grandchild end and the top takes the error path', async () => {
    await h().deploy('call-top.bpmn', 'call-middle.bpmn', 'call-leaf.bpmn');
    await h().worker('contract.leaf-submit', async () => JobOutcomes.bpmnError('DEEP_FAILURE', 'sai biểu mẫu'));
    const top = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-top', variables: { leafProcess: 'contract-call-leaf' } }));
    const middleKey = await childOf(h(), top.instanceKey);
    const leafKey = await childOf(h(), middleKey);
    const task = await h().step((engine) => openTask(engine, leafKey));

    await h().step((engine) => engine.completeUserTask(task.taskKey, {}, 'clerk'));

    const tree = await h().step((engine) => engine.listInstanceTree(top.instanceKey));
    expect(tree.map((node) => [node.bpmnProcessId, node.depth, node.status])).toEqual([
      ['contract-call-top', 0, 'active'],
      ['contract-call-middle', 1, 'terminated'],
      ['contract-call-leaf', 2, 'terminated'],
    ]);
    const recover = await h().step((engine) => openTask(engine, top.instanceKey));
    expect(recover.elementId).toBe('recover');
    expect(await h().step((engine) => engine.listIncidents({ state: 'open' }))).toEqual([]);
  });

  it('given a grandchild that ends in an error end event, when only the top catches the code, then the middle ends and the top takes the error path; a code nobody catches is an incident', async () => {
    await h().deploy('call-top.bpmn', 'call-middle.bpmn', 'call-leaf-error-end.bpmn');
    const start = () => h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-top', variables: { leafProcess: 'contract-call-leaf-error-end' } }));
    const top = await start();
    const middleKey = await childOf(h(), top.instanceKey);
    const leafKey = await childOf(h(), middleKey);
    await h().step(async (engine) => engine.completeUserTask((await openTask(engine, leafKey)).taskKey, { other: false }, 'clerk'));

    expect((await h().step((engine) => engine.getInstance(middleKey))).status).toBe('terminated');
    expect((await h().step((engine) => openTask(engine, top.instanceKey))).elementId).toBe('recover');

    const second = await start();
    const secondMiddle = await childOf(h(), second.instanceKey);
    const secondLeaf = await childOf(h(), secondMiddle);
    await h().step(async (engine) => engine.completeUserTask((await openTask(engine, secondLeaf)).taskKey, { other: true }, 'clerk'));

    const incidents = await h().step((engine) => engine.listIncidents({ instanceKey: secondMiddle, state: 'open' }));
    expect(incidents).toEqual([expect.objectContaining({ type: 'UNHANDLED_ERROR_EVENT', elementId: 'leaf' })]);
    expect(incidents[0].message).toContain('OTHER_FAILURE');
    expect((await h().step((engine) => engine.getInstance(second.instanceKey))).status).toBe('active');
  });

  it('given a multi-instance call activity with a deadline, when the deadline passes with one child done, then the running children are terminated and their tasks cancelled', async () => {
    await h().deploy('call-deadline.bpmn', 'call-child.bpmn');
    await h().worker('contract.call-check', async () => JobOutcomes.complete({ verdict: 'ok' }));
    const parent = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-deadline', variables: { units: ['A', 'B', 'C'] } }));
    const children = (await h().step((engine) => engine.listInstanceTree(parent.instanceKey))).filter((node) => node.depth === 1);
    expect(children).toHaveLength(3);
    const tasks = await h().step((engine) => engine.listUserTasks({ bpmnProcessId: 'contract-call-child', state: 'created' }));
    const taskOf = (unit: string) => tasks.find((task) => task.variables.unitName === unit)!;
    await h().step((engine) => engine.completeUserTask(taskOf('B').taskKey, {}, 'reader'));

    await h().advance(49 * 3600_000);

    const tree = await h().step((engine) => engine.listInstanceTree(parent.instanceKey));
    const statusOf = (unit: string) => tree.find((node) => node.instanceKey === taskOf(unit).instanceKey)!.status;
    expect([statusOf('A'), statusOf('B'), statusOf('C')]).toEqual(['terminated', 'completed', 'terminated']);
    expect(tree[0].status).toBe('completed');
    const history = await h().step((engine) => engine.getHistory(parent.instanceKey));
    expect(history.map((entry) => entry.elementId)).toContain('late');
    for (const unit of ['A', 'C']) expect((await h().step((engine) => engine.getUserTask(taskOf(unit).taskKey))).state).toBe('cancelled');
  });

  it('given a tree of three instances, when the root is cancelled, then every instance is cancelled deepest first and their tasks with them', async () => {
    await h().deploy('call-top.bpmn', 'call-middle.bpmn', 'call-leaf.bpmn');
    const top = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-top', variables: { leafProcess: 'contract-call-leaf' } }));
    const middleKey = await childOf(h(), top.instanceKey);
    const leafKey = await childOf(h(), middleKey);
    const task = await h().step((engine) => openTask(engine, leafKey));

    await expect(h().step((engine) => engine.cancelInstance(middleKey))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    h().events = [];
    await h().step((engine) => engine.cancelInstance(top.instanceKey));

    const cancelled = h().events.filter((event): event is Extract<WorkflowEvent, { type: 'instanceCancelled' }> => event.type === 'instanceCancelled');
    expect(cancelled.map((event) => event.instance.instanceKey)).toEqual([leafKey, middleKey, top.instanceKey]);
    expect(h().eventsOf('userTaskCancelled')).toEqual([expect.objectContaining({ task: expect.objectContaining({ taskKey: task.taskKey }) })]);
    for (const key of [top.instanceKey, middleKey, leafKey]) expect((await h().step((engine) => engine.getInstance(key))).status).toBe('cancelled');
    expect((await h().step((engine) => engine.getUserTask(task.taskKey))).state).toBe('cancelled');
  });

  it('given a called process that is not deployed, when the call activity is entered, then an incident is raised and resolving it after the deployment starts the child', async () => {
    await h().deploy('call-top.bpmn', 'call-middle.bpmn');
    const top = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-call-top', variables: { leafProcess: 'contract-call-nowhere' } }));
    const middleKey = await childOf(h(), top.instanceKey);
    const incidents = await h().step((engine) => engine.listIncidents({ instanceKey: middleKey, state: 'open' }));
    expect(incidents).toEqual([expect.objectContaining({ type: 'CALLED_ELEMENT_ERROR', elementId: 'leaf' })]);
    expect(incidents[0].message).toContain('contract-call-nowhere');

    await h().deploy('call-leaf.bpmn');
    // still the wrong process id in the variables: the retry raises a new incident
    await h().step((engine) => engine.resolveIncident(incidents[0].incidentKey));
    const again = await h().step((engine) => engine.listIncidents({ instanceKey: middleKey, state: 'open' }));
    expect(again).toHaveLength(1);
    expect((await h().step((engine) => engine.listInstanceTree(top.instanceKey))).map((node) => node.bpmnProcessId)).toEqual(['contract-call-top', 'contract-call-middle']);
  });
});
