import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlledClock } from '../../../src/shared/clock';
import { Job, JobOutcomes } from '../../../src/workflow/workflow-engine';
import { BUSINESS_KEY_VARIABLE, ZeebeWorkflowEngine } from '../../../src/workflow/zeebe/zeebe-workflow-engine';
import { openMigratedDatabase } from '../../support/test-databases';
import { CamundaRestStub } from './support/camunda-rest-stub';

/**
 * The Zeebe adapter at the wire: what it sends to the Orchestration Cluster REST API, and how it
 * behaves when the gateway pushes back (429/503 RESOURCE_EXHAUSTED), drops connections, or is gone
 * for a while. The stub runs the BPMN on the embedded engine (see camunda-rest-stub.ts); the database
 * is the stub's, so SQLite is enough.
 */
const CONTRACT = join(__dirname, '..', 'contract');
const bpmn = (name: string) => ({ name, xml: readFileSync(join(CONTRACT, name), 'utf8') });

describe('Zeebe adapter on the wire', () => {
  let close: () => Promise<void>;
  let stub: CamundaRestStub;
  let engine: ZeebeWorkflowEngine;
  const clock = new ControlledClock('2026-09-01T08:00:00.000Z');

  beforeAll(async () => {
    const opened = await openMigratedDatabase('sqlite');
    close = opened.close;
    stub = new CamundaRestStub(opened.dataSource, clock);
    await stub.start();
  });

  afterAll(async () => {
    await stub.stop();
    await close();
  });

  beforeEach(async () => {
    stub.requests.length = 0;
    engine = new ZeebeWorkflowEngine({ restAddress: stub.address, auth: { strategy: 'NONE' }, pollRequestTimeoutMs: 40, eventSyncIntervalMs: 0, retryBaseDelayMs: 10, requestRetries: 3, workerName: 'iso-cycle-test', log: () => undefined });
    await engine.start();
  });

  afterEach(() => engine.stop());

  it('sends the deployment as multipart resources, the process id and variables (with the business key) on start, and the job completion with its variables', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    engine.registerWorker('contract.issue-document', async (job) => JobOutcomes.complete({ documentNumber: `${job.variables.register}/1`, ghi_chú: 'Đã cấp' }));

    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', businessKey: 'unit:HN/2026', variables: { unit: 'HN', year: 2026 } });
    await engine.whenIdle();

    const [deployment] = stub.requestsTo(/^\/v2\/deployments$/);
    expect(deployment.body).toEqual([
      expect.objectContaining({ name: 'resources', filename: 'service-task.bpmn', content: bpmn('service-task.bpmn').xml }),
      expect.objectContaining({ name: 'tenantId', content: '<default>' }), // the client's default tenant, accepted without multi-tenancy
    ]);
    const [created] = stub.requestsTo(/^\/v2\/process-instances$/);
    expect(created.body).toEqual({ processDefinitionId: 'contract-service-task', variables: { unit: 'HN', year: 2026, [BUSINESS_KEY_VARIABLE]: 'unit:HN/2026' }, tenantId: '<default>' });
    const activations = stub.requestsTo(/^\/v2\/jobs\/activation$/);
    expect(activations[0].body).toMatchObject({ type: 'contract.issue-document', worker: 'iso-cycle-test', timeout: 300_000, maxJobsToActivate: 8, requestTimeout: 40 });
    const completions = stub.requestsTo(/^\/v2\/jobs\/\d+\/completion$/);
    expect(completions.map((request) => request.body)).toEqual([{ variables: { documentNumber: 'HN/2026/1', ghi_chú: 'Đã cấp' } }]);
    expect((await engine.getInstance(instance.instanceKey)).status).toBe('completed');
  });

  it('hands the worker the job as the port names it: business key out of the variables, headers, retries', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    const seen: Job[] = [];
    engine.registerWorker('contract.issue-document', async (job) => {
      seen.push(job);
      return JobOutcomes.complete();
    });
    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', businessKey: 'unit:DN/2026', variables: { unit: 'DN', year: 2026 } });
    await engine.whenIdle();

    expect(seen).toEqual([expect.objectContaining({ instanceKey: instance.instanceKey, businessKey: 'unit:DN/2026', bpmnProcessId: 'contract-service-task', elementId: 'issue', retries: 2, customHeaders: { template: 'decision' } })]);
    expect(seen[0].variables).not.toHaveProperty(BUSINESS_KEY_VARIABLE);
    expect(seen[0].jobKey).toMatch(/^\d+$/);
  });

  it('sends a BPMN error with its code, and a failure with the retries left and the back-off', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    let calls = 0;
    engine.registerWorker('contract.issue-document', async () => (++calls === 1 ? JobOutcomes.fail('kho văn bản bận', undefined, 0) : JobOutcomes.bpmnError('REGISTER_CLOSED', 'sổ đã khóa', { reason: 'closed' })));
    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'QN', year: 2026 } });
    // Two activations of one job (after the failure): on a loaded machine the stub may make a job
    // activatable after a short idle poll has come back empty, so wait for the second outcome itself.
    for (const started = Date.now(); stub.requestsTo(/^\/v2\/jobs\/\d+\/error$/).length === 0 && Date.now() - started < 10_000; ) await engine.whenIdle();

    expect(stub.requestsTo(/^\/v2\/jobs\/\d+\/failure$/).map((request) => request.body)).toEqual([{ errorMessage: 'kho văn bản bận', retries: 1, retryBackOff: 0 }]);
    expect(stub.requestsTo(/^\/v2\/jobs\/\d+\/error$/).map((request) => request.body)).toEqual([{ errorCode: 'REGISTER_CLOSED', errorMessage: 'sổ đã khóa', variables: { reason: 'closed' } }]);
    expect(await engine.getInstance(instance.instanceKey)).toMatchObject({ status: 'completed', variables: { reason: 'closed' } });
  });

  it('correlates a message by name and correlation key, and publishes it with its time-to-live when nothing waits', async () => {
    await engine.deploy([bpmn('message-catch.bpmn')]);
    const waiting = await engine.startInstance({ bpmnProcessId: 'contract-message-catch', variables: { reportId: 'W-1' } });

    const correlated = await engine.publishMessage({ name: 'contract.report-approved', correlationKey: 'W-1', variables: { verdict: 'approved' } });
    const buffered = await engine.publishMessage({ name: 'contract.report-approved', correlationKey: 'W-2', variables: { verdict: 'early' }, timeToLiveMs: 3_600_000 });

    expect(correlated).toEqual({ correlatedInstanceKeys: [waiting.instanceKey], buffered: false });
    expect(buffered).toEqual({ correlatedInstanceKeys: [], buffered: true });
    expect(stub.requestsTo(/^\/v2\/messages\/correlation$/).map((request) => request.body)).toEqual([
      { name: 'contract.report-approved', correlationKey: 'W-1', variables: { verdict: 'approved' }, tenantId: '<default>' },
      { name: 'contract.report-approved', correlationKey: 'W-2', variables: { verdict: 'early' }, tenantId: '<default>' },
    ]);
    expect(stub.requestsTo(/^\/v2\/messages\/publication$/).map((request) => request.body)).toEqual([{ name: 'contract.report-approved', correlationKey: 'W-2', variables: { verdict: 'early' }, timeToLive: 3_600_000, tenantId: '<default>' }]);
  });

  it('assigns, unassigns and completes a Camunda user task with exactly the assignee and the variables, and announces each step once', async () => {
    await engine.deploy([bpmn('user-task.bpmn')]);
    const events: string[] = [];
    engine.onEvent((event) => events.push(event.type));
    const instance = await engine.startInstance({ bpmnProcessId: 'contract-user-task', businessKey: 'unit:QN/2026', variables: { owner: 'an', unit: 'quangngai', deadline: '2026-11-15T17:00:00+07:00', urgent: true } });
    await engine.whenIdle();
    const [task] = await engine.listUserTasks({ businessKey: 'unit:QN/2026', state: 'created' });

    await engine.assignUserTask(task.taskKey, 'bình', 'an');
    await engine.assignUserTask(task.taskKey, null, 'an');
    await engine.completeUserTask(task.taskKey, { decision: 'approve', comment: 'Đạt yêu cầu' }, 'bình');
    await engine.whenIdle();

    expect(task).toMatchObject({ instanceKey: instance.instanceKey, businessKey: 'unit:QN/2026', elementId: 'review', assignee: 'an' });
    const searches = stub.requestsTo(/^\/v2\/user-tasks\/search$/).map((request) => (request.body as { filter: Record<string, unknown> }).filter);
    expect(searches).toContainEqual({ state: 'CREATED', processInstanceVariables: [{ name: BUSINESS_KEY_VARIABLE, value: '"unit:QN/2026"' }] });
    expect(stub.requestsTo(new RegExp(`^/v2/user-tasks/${task.taskKey}/assignment$`)).map((request) => request.body)).toEqual([{ assignee: 'bình', allowOverride: true, action: 'assign' }]);
    expect(stub.requestsTo(new RegExp(`^/v2/user-tasks/${task.taskKey}/assignee$`), 'DELETE')).toHaveLength(1);
    expect(stub.requestsTo(new RegExp(`^/v2/user-tasks/${task.taskKey}/completion$`)).map((request) => request.body)).toEqual([{ variables: { decision: 'approve', comment: 'Đạt yêu cầu' }, action: 'complete' }]);
    expect(events).toEqual(['userTaskCreated', 'userTaskAssigned', 'userTaskAssigned', 'userTaskCompleted']);
    expect(await engine.getInstance(instance.instanceKey)).toMatchObject({ status: 'completed', businessKey: 'unit:QN/2026', variables: { approved: true, reviewComment: 'Đạt yêu cầu' } });
  });

  it('given back-pressure (503 and 429 RESOURCE_EXHAUSTED), when starting an instance and completing its job, then the requests are repeated and nothing is lost', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    stub.inject({ path: /^\/v2\/process-instances$/, times: 2, status: 429 });
    stub.inject({ path: /^\/v2\/jobs\/\d+\/completion$/, times: 3, status: 503 });
    engine.registerWorker('contract.issue-document', async () => JobOutcomes.complete({ issued: true }));

    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'BP', year: 2026 } });
    await engine.whenIdle();

    expect(stub.requestsTo(/^\/v2\/process-instances$/)).toHaveLength(3);
    expect(stub.requestsTo(/^\/v2\/jobs\/\d+\/completion$/)).toHaveLength(4);
    expect(await engine.getInstance(instance.instanceKey)).toMatchObject({ status: 'completed', variables: { issued: true } });
  });

  it('given a connection dropped before the gateway read the completion, then the completion is sent again and lands once', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    stub.inject({ path: /^\/v2\/jobs\/\d+\/completion$/, times: 1, drop: 'before' });
    let calls = 0;
    engine.registerWorker('contract.issue-document', async () => {
      calls++;
      return JobOutcomes.complete({ issued: 'once' });
    });

    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'KT', year: 2026 } });
    await engine.whenIdle();

    expect(calls).toBe(1);
    expect(stub.requestsTo(/^\/v2\/jobs\/\d+\/completion$/)).toHaveLength(2);
    expect(await engine.getInstance(instance.instanceKey)).toMatchObject({ status: 'completed', variables: { issued: 'once' } });
  });

  it('given a connection dropped after the gateway applied the completion, then the repeat finds the job gone and the adapter takes it as done', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    stub.inject({ path: /^\/v2\/jobs\/\d+\/completion$/, times: 1, drop: 'after' });
    const logged: string[] = [];
    const quiet = new ZeebeWorkflowEngine({ restAddress: stub.address, auth: { strategy: 'NONE' }, pollRequestTimeoutMs: 40, eventSyncIntervalMs: 0, retryBaseDelayMs: 10, requestRetries: 3, log: (message) => logged.push(message) });
    await engine.stop();
    engine = quiet;
    await engine.start();
    engine.registerWorker('contract.issue-document', async () => JobOutcomes.complete({ issued: 'after-drop' }));

    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'GL', year: 2026 } });
    await engine.whenIdle();

    expect(stub.requestsTo(/^\/v2\/jobs\/\d+\/completion$/)).toHaveLength(2);
    expect(await engine.getInstance(instance.instanceKey)).toMatchObject({ status: 'completed', variables: { issued: 'after-drop' } });
    expect(logged).toEqual([]);
  });

  it('given the gateway gone for a while (no answer at all), when it is back, then the worker activates again and the waiting job is done', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    const instance = await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'TB', year: 2026 } });
    stub.inject({ path: /^\/v2\/jobs\/activation$/, times: 12, drop: 'before' });
    engine.registerWorker('contract.issue-document', async () => JobOutcomes.complete({ issued: 'after-outage' }));

    await engine.whenIdle();

    expect(stub.requestsTo(/^\/v2\/jobs\/activation$/).length).toBeGreaterThan(12);
    expect(await engine.getInstance(instance.instanceKey)).toMatchObject({ status: 'completed', variables: { issued: 'after-outage' } });
  });

  it('given two application processes on one cluster with the same worker, then every job is handled by exactly one of them', async () => {
    await engine.deploy([bpmn('service-task.bpmn')]);
    const second = new ZeebeWorkflowEngine({ restAddress: stub.address, auth: { strategy: 'NONE' }, pollRequestTimeoutMs: 40, eventSyncIntervalMs: 0, retryBaseDelayMs: 10, log: () => undefined });
    await second.start();
    const handledBy = new Map<string, string[]>();
    const worker = (name: string) => async (job: Job) => {
      handledBy.set(job.jobKey, [...(handledBy.get(job.jobKey) ?? []), name]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return JobOutcomes.complete({ issuedBy: name });
    };
    engine.registerWorker('contract.issue-document', worker('first'));
    second.registerWorker('contract.issue-document', worker('second'));

    const instances = [];
    for (let unit = 0; unit < 12; unit++) instances.push(await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: `U${unit}`, year: 2026 } }));
    await Promise.all([engine.whenIdle(), second.whenIdle()]);
    await second.stop();

    expect(handledBy.size).toBe(12);
    expect([...handledBy.values()].every((names) => names.length === 1)).toBe(true);
    for (const instance of instances) expect((await engine.getInstance(instance.instanceKey)).status).toBe('completed');
  });

  it('names the request and Camunda\'s answer when a request is refused', async () => {
    await expect(engine.startInstance({ bpmnProcessId: 'no-such-process' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('start process "no-such-process"') });
    await expect(engine.getUserTask('2251799999999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.deploy([{ name: 'broken.bpmn', xml: '<definitions' }])).rejects.toMatchObject({ code: 'INVALID_BPMN', message: expect.stringContaining('deploy broken.bpmn') });
  });
});
