import { JobOutcomes, UserTask } from '../../../src/workflow/workflow-engine';
import { describeContract } from './support/engine-harness';

const UNITS = [
  { code: 'HN', head: 'an' },
  { code: 'HP', head: 'binh' },
  { code: 'DN', head: 'chi' },
  { code: 'CT', head: 'dung' },
];

interface UnitTree {
  name: string;
  children: UnitTree[];
}

describeContract('multi-instance and recursion', __dirname, (h) => {
  const stamper = () =>
    h().worker('contract.mi-stamp', async (job) => {
      const unit = job.variables.unit as { code: string };
      return JobOutcomes.complete({ stamp: `${unit.code}#${job.variables.loopCounter}` });
    });

  it('given a parallel multi-instance user task then a sequential one, when every iteration completes, then the output collections follow the input order', async () => {
    await h().deploy('multi-instance.bpmn');
    const stamped: string[] = [];
    await h().worker('contract.mi-stamp', async (job) => {
      const unit = job.variables.unit as { code: string };
      stamped.push(unit.code);
      return JobOutcomes.complete({ stamp: `${unit.code}#${job.variables.loopCounter}` });
    });
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-multi-instance', variables: { units: UNITS } }));

    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, state: 'created' }));
    expect(tasks.map((task) => task.assignee).sort()).toEqual(['an', 'binh', 'chi', 'dung']);
    expect(tasks.find((task) => task.assignee === 'chi')!.variables).toMatchObject({ unit: UNITS[2], loopCounter: 3 });
    // out of order on purpose
    for (const head of ['dung', 'an', 'chi', 'binh']) {
      const task = tasks.find((candidate) => candidate.assignee === head)!;
      await h().step((engine) => engine.completeUserTask(task.taskKey, { verdict: `ok-${head}` }, head));
    }

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables.verdicts).toEqual(['HN:ok-an', 'HP:ok-binh', 'DN:ok-chi', 'CT:ok-dung']);
    expect(state.variables.stamps).toEqual(['HN#1', 'HP#2', 'DN#3', 'CT#4']);
    expect(stamped).toEqual(['HN', 'HP', 'DN', 'CT']); // sequential: one after the other, in order
  });

  it('given an empty input collection, when the multi-instance activities are reached, then they complete at once with empty output collections', async () => {
    await h().deploy('multi-instance.bpmn');
    await stamper();
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-multi-instance', variables: { units: [] } }));

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ verdicts: [], stamps: [] });
  });

  it('given more than 50 elements, when a parallel multi-instance starts, then every iteration waits at once (no batches of 50)', async () => {
    await h().deploy('multi-instance.bpmn');
    const units = Array.from({ length: 60 }, (_, i) => ({ code: `U${i}`, head: `head-${i}` }));
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-multi-instance', variables: { units } }));

    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, state: 'created' }));
    expect(tasks).toHaveLength(60);
  });

  it('given half of the iterations completed, when the engine restarts, then the other half completes the activity and nothing is repeated', async () => {
    await h().deploy('multi-instance.bpmn');
    await stamper();
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-multi-instance', variables: { units: UNITS } }));
    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, state: 'created' }));
    const byHead = (head: string) => tasks.find((task) => task.assignee === head)!;
    await h().step((engine) => engine.completeUserTask(byHead('an').taskKey, { verdict: 'a' }, 'an'));
    await h().step((engine) => engine.completeUserTask(byHead('chi').taskKey, { verdict: 'c' }, 'chi'));

    await h().restart();
    const open = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, state: 'created' }));
    expect(open.map((task) => task.assignee).sort()).toEqual(['binh', 'dung']);
    await expect(h().step((engine) => engine.completeUserTask(byHead('an').taskKey, { verdict: 'again' }, 'an'))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    for (const task of open) await h().step((engine) => engine.completeUserTask(task.taskKey, { verdict: task.assignee!.slice(0, 1) }, task.assignee!));

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables.verdicts).toEqual(['HN:a', 'HP:b', 'DN:c', 'CT:d']);
  });

  it('given a completion condition, when it holds, then the remaining iterations are cancelled and the process goes on', async () => {
    await h().deploy('multi-instance-condition.bpmn');
    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-multi-instance-condition', variables: { members: ['m1', 'm2', 'm3', 'm4'] } }));
    const tasks = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey, state: 'created' }));
    expect(tasks).toHaveLength(4);
    const byMember = (member: string) => tasks.find((task) => task.variables.member === member)!;

    await h().step((engine) => engine.completeUserTask(byMember('m3').taskKey, { vote: 'yes' }, 'm3'));
    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('active');
    await h().step((engine) => engine.completeUserTask(byMember('m1').taskKey, { vote: 'no' }, 'm1'));

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables.votes).toEqual(['no', null, 'yes', null]);
    const closed = await h().step((engine) => engine.listUserTasks({ instanceKey: instance.instanceKey }));
    expect(closed.filter((task) => task.state === 'cancelled').map((task) => task.variables.member).sort()).toEqual(['m2', 'm4']);
  });

  it('given a process that calls itself for each subordinate unit, when every unit reports, then the tree is as deep as the data and the summaries come back in order', async () => {
    await h().deploy('recursive-unit.bpmn');
    const leaf = (name: string): UnitTree => ({ name, children: [] });
    const data: UnitTree = { name: 'VN', children: [{ name: 'HN', children: [{ name: 'HN-1', children: [leaf('HN-1-a')] }, leaf('HN-2')] }, leaf('HCM')] };
    const root = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-recursive-unit', variables: { unit: data } }));

    // leaves report first, then each parent once its children are done
    for (const wave of [['HCM', 'HN-1-a', 'HN-2'], ['HN-1'], ['HN'], ['VN']]) {
      const open: UserTask[] = await h().step((engine) => engine.listUserTasks({ bpmnProcessId: 'contract-recursive-unit', state: 'created' }));
      expect(open.map((task) => task.assignee).sort()).toEqual(wave);
      for (const task of open) {
        await h().step((engine) => engine.completeUserTask(task.taskKey, { summary: `${task.assignee} đã báo cáo` }, task.assignee!));
      }
    }

    const state = await h().step((engine) => engine.getInstance(root.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables.childSummaries).toEqual(['HN đã báo cáo', 'HCM đã báo cáo']);
    const tree = await h().step((engine) => engine.listInstanceTree(root.instanceKey));
    expect(tree).toHaveLength(6);
    expect(Math.max(...tree.map((node) => node.depth))).toBe(3);
    expect(tree.every((node) => node.status === 'completed')).toBe(true);
    const history = await h().step((engine) => engine.getHistory(root.instanceKey));
    expect(history.filter((entry) => entry.event === 'called')).toHaveLength(2);
    const deepest = tree.find((node) => node.depth === 3)!;
    expect((await h().step((engine) => engine.getInstance(deepest.instanceKey))).rootInstanceKey).toBe(root.instanceKey);
  });
});
