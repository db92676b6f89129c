import { describeContract } from './support/engine-harness';

describeContract('user tasks', __dirname, (h) => {
  const start = (variables: Record<string, unknown>) =>
    h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-user-task', businessKey: 'unit:HN/2026', variables: { owner: 'an', unit: 'hanoi', deadline: '2026-11-15T17:00:00+07:00', urgent: true, ...variables } }));

  it('given a zeebe:userTask, when the instance reaches it, then one task with the evaluated assignment, schedule, priority, form and inputs is open', async () => {
    await h().deploy('user-task.bpmn');
    const instance = await start({});

    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));

    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      elementId: 'review', name: 'Review the report', state: 'created', assignee: 'an', candidateGroups: ['quality', 'hanoi'], candidateUsers: ['lan', 'minh'],
      dueDate: '2026-11-15T17:00:00+07:00', followUpDate: '2026-11-01T00:00:00Z', priority: 90, formKey: 'review-form', customHeaders: { document: 'annual-report' },
      businessKey: 'unit:HN/2026', bpmnProcessId: 'contract-user-task',
    });
    expect(tasks[0].variables).toMatchObject({ title: 'Report of hanoi', owner: 'an' });
    expect(h().eventsOf('userTaskCreated')).toHaveLength(1);
  });

  it('given open tasks, when listing with filters, then only matching tasks are returned', async () => {
    await h().deploy('user-task.bpmn');
    const a = await start({ owner: 'binh', unit: 'danang' });
    await start({ owner: 'chi', unit: 'hue' });

    const byAssignee = await h().step((engine) => engine.listUserTasks({ assignee: 'binh', state: 'created' }));
    const byGroup = await h().step((engine) => engine.listUserTasks({ candidateGroup: 'hue', state: 'created' }));

    expect(byAssignee.map((task) => task.instanceKey)).toEqual([a.instanceKey]);
    expect(byGroup.map((task) => task.assignee)).toEqual(['chi']);
  });

  it('given an open task, when it is assigned then completed with variables, then output mappings set process variables and the instance completes, with who did what in the history', async () => {
    await h().deploy('user-task.bpmn');
    const instance = await start({ urgent: false });
    const [task] = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    expect(task.priority).toBe(40);

    const assigned = await h().step((engine) => engine.assignUserTask(task.taskKey, 'dung', 'an'));
    await h().step((engine) => engine.completeUserTask(task.taskKey, { decision: 'approve', comment: 'Đạt yêu cầu' }, 'dung'));

    expect(assigned.assignee).toBe('dung');
    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ approved: true, reviewComment: 'Đạt yêu cầu', owner: 'an' });
    expect(state.variables).not.toHaveProperty('decision');
    const completed = await h().step((engine) => engine.getUserTask(task.taskKey));
    expect(completed).toMatchObject({ state: 'completed', completedBy: 'dung', assignee: 'dung' });
    const history = await h().step((engine) => engine.getHistory(instance.instanceKey));
    expect(history.map((entry) => [entry.elementId, entry.event, entry.actor])).toEqual([
      ['contract-user-task', 'instance-started', null],
      ['start', 'started', null],
      ['start', 'completed', null],
      ['review', 'started', null],
      ['review', 'assigned', 'an'],
      ['review', 'completed', 'dung'],
      ['end', 'started', null],
      ['end', 'completed', null],
      ['contract-user-task', 'instance-completed', null],
    ]);
    expect(h().events.map((event) => event.type)).toEqual(['userTaskCreated', 'userTaskAssigned', 'userTaskCompleted', 'instanceCompleted']);
  });

  it('given a completed task, when it is completed again, then the engine refuses and nothing changes', async () => {
    await h().deploy('user-task.bpmn');
    const instance = await start({});
    const [task] = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    await h().step((engine) => engine.completeUserTask(task.taskKey, { decision: 'approve', comment: 'ok' }, 'an'));

    await expect(h().step((engine) => engine.completeUserTask(task.taskKey, { decision: 'reject', comment: 'no' }, 'an'))).rejects.toMatchObject({ code: 'INVALID_STATE' });

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.variables).toMatchObject({ approved: true });
    expect(h().eventsOf('userTaskCompleted')).toHaveLength(1);
  });

  it('given a running instance, when it is cancelled, then its open task is cancelled and announced', async () => {
    await h().deploy('user-task.bpmn');
    const instance = await start({});

    await h().step((engine) => engine.cancelInstance(instance.instanceKey));

    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    expect(tasks.map((task) => task.state)).toEqual(['cancelled']);
    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('cancelled');
    expect(h().events.map((event) => event.type)).toEqual(['userTaskCreated', 'userTaskCancelled', 'instanceCancelled']);
  });
});
