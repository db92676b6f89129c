import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeContract } from './support/engine-harness';

describeContract('deployments and versions', __dirname, (h) => {
  const fixture = (name: string) => ({ name: 'versioned.bpmn', xml: readFileSync(join(__dirname, name), 'utf8') });

  it('given version 1 running, when version 2 is deployed, then new instances use version 2 and the running one finishes on version 1', async () => {
    const [v1] = await h().step((engine) => engine.deploy([fixture('versioned-v1.bpmn')]));
    const old = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-versioned' }));
    const [v2] = await h().step((engine) => engine.deploy([fixture('versioned-v2.bpmn')]));
    const fresh = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-versioned' }));

    expect([v1.version, v2.version, old.version, fresh.version]).toEqual([1, 2, 1, 2]);
    const [oldTask] = await h().step((engine) => engine.listUserTasks({ instanceKey: old.instanceKey }));
    const [freshTask] = await h().step((engine) => engine.listUserTasks({ instanceKey: fresh.instanceKey }));
    await h().step((engine) => engine.completeUserTask(oldTask.taskKey, {}, 'an'));
    await h().step((engine) => engine.completeUserTask(freshTask.taskKey, {}, 'an'));

    expect((await h().step((engine) => engine.getInstance(old.instanceKey))).status).toBe('completed');
    const after = await h().step((engine) => engine.listUserTasks({ instanceKey: fresh.instanceKey, state: 'created' }));
    expect(after.map((task) => task.elementId)).toEqual(['approve']);
  });

  it('given a deployed resource, when the same resource is deployed again, then the version does not change; an explicit version can still be started', async () => {
    const [first] = await h().step((engine) => engine.deploy([fixture('versioned-v1.bpmn')]));
    const [again] = await h().step((engine) => engine.deploy([fixture('versioned-v1.bpmn')]));

    expect(again.version).toBe(first.version);
    const pinned = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-versioned', version: first.version }));
    expect(pinned.version).toBe(first.version);
  });

  it('given invalid BPMN or an unknown process, when deploying or starting, then the engine refuses with a clear error', async () => {
    await expect(h().step((engine) => engine.deploy([{ name: 'broken.bpmn', xml: '<bpmn:definitions' }]))).rejects.toMatchObject({ code: 'INVALID_BPMN' });
    await expect(h().step((engine) => engine.startInstance({ bpmnProcessId: 'no-such-process' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
