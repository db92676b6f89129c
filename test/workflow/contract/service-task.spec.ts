import { Job, JobOutcomes } from '../../../src/workflow/workflow-engine';
import { describeContract } from './support/engine-harness';

const ISSUE = 'contract.issue-document';

describeContract('service tasks and workers', __dirname, (h) => {
  const start = () => h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'HN', year: 2026 } }));

  it('given a worker that completes, when the instance reaches the task, then the worker sees headers and input mappings and its variables complete the instance', async () => {
    const seen: Job[] = [];
    await h().deploy('service-task.bpmn');
    await h().worker(ISSUE, async (job) => {
      seen.push(job);
      return JobOutcomes.complete({ documentNumber: `${job.variables.register}/1` });
    });

    const instance = await start();

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ documentNumber: 'HN/2026/1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: ISSUE, elementId: 'issue', retries: 2, customHeaders: { template: 'decision' }, instanceKey: instance.instanceKey });
    expect(seen[0].variables).toMatchObject({ unit: 'HN', year: 2026, register: 'HN/2026' });
    const history = await h().step((engine) => engine.getHistory(instance.instanceKey));
    expect(history.filter((entry) => entry.elementId === 'done').map((entry) => entry.event)).toEqual(['started', 'completed']);
  });

  it('given no worker yet, when one registers later, then the waiting job is handed to it', async () => {
    await h().deploy('service-task.bpmn');
    const instance = await start();
    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).activeElements.map((element) => element.elementId).sort()).toEqual(['issue', 'rejected']);

    await h().worker(ISSUE, async () => JobOutcomes.complete());

    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('completed');
  });

  it('given a worker that throws a BPMN error, when the error boundary event catches it, then the instance takes the error path', async () => {
    await h().deploy('service-task.bpmn');
    await h().worker(ISSUE, async () => JobOutcomes.bpmnError('REGISTER_CLOSED', 'the register is closed', { reason: 'closed' }));

    const instance = await start();

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.variables).toMatchObject({ reason: 'closed' });
    const history = await h().step((engine) => engine.getHistory(instance.instanceKey));
    expect(history.map((entry) => `${entry.elementId}:${entry.event}`)).toEqual(expect.arrayContaining(['rejected:completed', 'not-issued:completed', 'issue:cancelled']));
    expect(history.map((entry) => entry.elementId)).not.toContain('done');
  });

  it('given a BPMN error nothing catches, when the worker throws it, then an incident is raised and the instance waits', async () => {
    await h().deploy('service-task.bpmn');
    await h().worker(ISSUE, async () => JobOutcomes.bpmnError('UNKNOWN_CODE'));

    const instance = await start();

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('active');
    expect(state.openIncidents).toEqual([expect.objectContaining({ type: 'UNHANDLED_ERROR_EVENT', elementId: 'issue' })]);
  });

  it('given a worker that keeps failing, when the last retry fails, then an incident is raised; when it is resolved with retries, then the job runs again and completes', async () => {
    let attempts = 0;
    let healthy = false;
    const jobKeys = new Set<string>();
    await h().deploy('service-task.bpmn');
    await h().worker(ISSUE, async (job) => {
      attempts++;
      jobKeys.add(job.jobKey);
      if (!healthy) throw new Error('document store unavailable');
      return JobOutcomes.complete({ documentNumber: 'HN/2026/7' });
    });

    const instance = await start();

    expect(attempts).toBe(2);
    const [incident] = await h().step((engine) => engine.listIncidents({ instanceKey: instance.instanceKey, state: 'open' }));
    expect(incident).toMatchObject({ type: 'JOB_NO_RETRIES', message: 'document store unavailable', elementId: 'issue' });
    expect(h().eventsOf('incidentRaised')).toHaveLength(1);

    healthy = true;
    await h().step((engine) => engine.resolveIncident(incident.incidentKey, 1));

    const state = await h().step((engine) => engine.getInstance(instance.instanceKey));
    expect(state.status).toBe('completed');
    expect(state.openIncidents).toEqual([]);
    expect(attempts).toBe(3);
    expect(jobKeys.size).toBe(1);
    expect(h().eventsOf('incidentResolved')).toHaveLength(1);
  });

  it('given a failure with a retry back-off, when the clock passes the back-off, then the job is retried', async () => {
    let attempts = 0;
    await h().deploy('service-task.bpmn');
    await h().worker(ISSUE, async () => (++attempts === 1 ? JobOutcomes.fail('busy', 1, 60_000) : JobOutcomes.complete()));
    const instance = await start();
    expect(attempts).toBe(1);

    await h().advance(59_000);
    expect(attempts).toBe(1);
    await h().advance(1_000);

    expect(attempts).toBe(2);
    expect((await h().step((engine) => engine.getInstance(instance.instanceKey))).status).toBe('completed');
  });

  it('given a send task whose job type is a FEEL expression, when a worker of the evaluated type completes it, then the instance completes', async () => {
    await h().deploy('send-task.bpmn');
    await h().worker('contract.notify-email', async () => JobOutcomes.complete({ notified: true }));

    const instance = await h().step((engine) => engine.startInstance({ bpmnProcessId: 'contract-send-task', variables: { channel: 'email' } }));

    expect(await h().step((engine) => engine.getInstance(instance.instanceKey))).toMatchObject({ status: 'completed', variables: { notified: true } });
  });
});
