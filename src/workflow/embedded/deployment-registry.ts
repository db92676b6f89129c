import { createHash, randomUUID } from 'node:crypto';
import BpmnModdle from 'bpmn-moddle';
import * as Elements from 'bpmn-elements';
import serializer, { deserialize, TypeResolver } from 'moddle-context-serializer';
import { DataSource } from 'typeorm';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { BpmnResource, DeployedProcess, WorkflowError } from '../workflow-engine';
import { ClockedTimerEventDefinition } from './clocked-timer-event-definition';
import { TokenSequenceFlow } from './token-sequence-flow';
import { LOOP_MARKER } from './zeebe-extensions';
import { ZeebeJobService } from './zeebe-job-service';
import { WfDeployment } from './workflow.entities';

/** What the engine needs from a process beyond bpmn-engine's context, computed once at deployment. */
export interface DeploymentMeta {
  /** bpmn:Message id → name and `zeebe:subscription` correlation key expression. */
  messages: Record<string, { name: string; correlationKey: string | null }>;
  startEvents: { elementId: string; kind: 'none' | 'message' | 'timer'; messageName?: string; timer?: { type: 'timeDate' | 'timeCycle' | 'timeDuration'; value: string } }[];
  /** activity id → error codes its error boundary events catch ('*' = any). */
  errorCatchers: Record<string, string[]>;
  /** error end event id → the error code it throws (absent in deployments made before call activities). */
  errorThrowers?: Record<string, string>;
  /** flow element id → id of the enclosing sub-process (absent at process level). */
  parents: Record<string, string>;
}

export interface LoadedDeployment {
  id: string;
  bpmnProcessId: string;
  version: number;
  resourceName: string;
  /** The deserialized context, shared by every engine of this version (never re-parsed per instance). */
  context: unknown;
  meta: DeploymentMeta;
}

/** bpmn-elements with our clock-driven timers and Zeebe's token-only sequence flows. */
const ENGINE_ELEMENTS = { ...Elements, TimerEventDefinition: ClockedTimerEventDefinition, SequenceFlow: TokenSequenceFlow };
const typeResolver = TypeResolver(ENGINE_ELEMENTS as Record<string, unknown>);

/**
 * Deployed process versions: parses and validates BPMN once at deployment, stores the XML with its
 * serialized context, and keeps deserialized contexts in memory per version.
 */
export class DeploymentRegistry {
  private readonly loaded = new Map<string, LoadedDeployment>();
  /** bpmnProcessId → latest deployment id (this engine is the only one deploying: see the engine lock). */
  private readonly latestIds = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  async deploy(resources: BpmnResource[], now: Date): Promise<{ deployed: DeployedProcess[]; fresh: LoadedDeployment[] }> {
    const deployed: DeployedProcess[] = [];
    const fresh: LoadedDeployment[] = [];
    for (const resource of resources) {
      const parsed = await parse(resource);
      const checksum = createHash('sha256').update(resource.xml).digest('hex');
      const repo = this.dataSource.getRepository(WfDeployment);
      const latest = await repo.findOne({ where: { bpmnProcessId: parsed.bpmnProcessId }, order: { version: 'DESC' } });
      if (latest && latest.checksum === checksum) {
        deployed.push(describe(latest));
        continue;
      }
      const row: WfDeployment = {
        id: randomUUID(),
        bpmnProcessId: parsed.bpmnProcessId,
        version: (latest?.version ?? 0) + 1,
        resourceName: resource.name,
        checksum,
        source: resource.xml,
        serializedContext: parsed.serializedContext,
        meta: JSON.stringify(parsed.meta),
        deployedAt: now.getTime(),
      };
      await repo.insert(row);
      deployed.push(describe(row));
      fresh.push(this.remember(row));
      this.latestIds.set(row.bpmnProcessId, row.id);
    }
    return { deployed, fresh };
  }

  async byId(id: string): Promise<LoadedDeployment> {
    const cached = this.loaded.get(id);
    if (cached) return cached;
    const row = await this.dataSource.getRepository(WfDeployment).findOneBy({ id });
    if (!row) throw new WorkflowError('NOT_FOUND', `No deployment ${id}`);
    return this.remember(row);
  }

  async latest(bpmnProcessId: string, version?: number): Promise<LoadedDeployment> {
    const known = version === undefined && this.latestIds.get(bpmnProcessId);
    if (known) return this.byId(known);
    const where = version === undefined ? { bpmnProcessId } : { bpmnProcessId, version };
    const row = await this.dataSource.getRepository(WfDeployment).findOne({ where, order: { version: 'DESC' }, select: ['id'] });
    if (!row) throw new WorkflowError('NOT_FOUND', `No deployed process "${bpmnProcessId}"${version === undefined ? '' : ` version ${version}`}`);
    if (version === undefined) this.latestIds.set(bpmnProcessId, row.id);
    return this.byId(row.id);
  }

  /** The latest version of every process id. */
  async allLatest(): Promise<LoadedDeployment[]> {
    const rows = await this.dataSource.getRepository(WfDeployment).find({ select: ['id', 'bpmnProcessId', 'version'] });
    const latest = new Map<string, { id: string; version: number }>();
    for (const row of rows) if ((latest.get(row.bpmnProcessId)?.version ?? 0) < row.version) latest.set(row.bpmnProcessId, row);
    return Promise.all([...latest.values()].map((row) => this.byId(row.id)));
  }

  private remember(row: WfDeployment): LoadedDeployment {
    const loaded: LoadedDeployment = {
      id: row.id,
      bpmnProcessId: row.bpmnProcessId,
      version: row.version,
      resourceName: row.resourceName,
      context: deserialize(JSON.parse(row.serializedContext), typeResolver),
      meta: JSON.parse(row.meta),
    };
    bindJobService(loaded.context);
    this.loaded.set(row.id, loaded);
    return loaded;
  }
}

/** True when an error boundary event on the element or an enclosing sub-process catches the code. */
export function catchesError(meta: DeploymentMeta, elementId: string, errorCode: string): boolean {
  for (let id: string | undefined = elementId; id; id = meta.parents[id]) {
    if ((meta.errorCatchers[id] ?? []).some((code) => code === '*' || code === errorCode)) return true;
  }
  return false;
}

function describe(row: WfDeployment): DeployedProcess {
  return { bpmnProcessId: row.bpmnProcessId, version: row.version, processDefinitionKey: row.id, resourceName: row.resourceName };
}

/** Service-like tasks get their implementation once per loaded version (it finds its step through the environment). */
function bindJobService(context: unknown): void {
  const activities = (context as { getActivities(): { id: string; type: string; behaviour: Record<string, any> }[] }).getActivities();
  for (const activity of activities) {
    if (['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'].includes(activity.type)) activity.behaviour.Service = ZeebeJobService;
    // Call activities never run through bpmn-engine's own call path (same-file recursion there has no bound):
    // a called element that names no process keeps the activity waiting for the orchestrator.
    if (activity.type === 'bpmn:CallActivity') activity.behaviour.calledElement = `wf-call:${activity.id}`;
    bindLoop(activity);
  }
}

/**
 * `zeebe:loopCharacteristics` onto bpmn-elements' loop: the collection and the completion condition
 * become markers that the instance's expression resolver evaluates as FEEL with the multi-instance
 * variables (and the collection once per activation, kept with the instance).
 */
function bindLoop(activity: { id: string; behaviour: Record<string, any> }): void {
  const loop = activity.behaviour.loopCharacteristics?.behaviour as Record<string, any> | undefined;
  if (!loop || loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics' || loop.collection?.startsWith?.(LOOP_MARKER)) return;
  const zeebe = (loop.extensionElements?.values ?? []).find((value: { $type: string }) => value.$type === 'zeebe:LoopCharacteristics');
  loop.zeebeCompletionCondition = typeof loop.completionCondition === 'string' ? loop.completionCondition : null;
  loop.collection = `${LOOP_MARKER}collection:${activity.id}`;
  loop.elementVariable = zeebe?.inputElement || 'wfLoopElement';
  if (loop.zeebeCompletionCondition) loop.completionCondition = `${LOOP_MARKER}condition:${activity.id}`;
  else delete loop.completionCondition;
}

interface ModdleElement {
  $type: string;
  id: string;
  name?: string;
  [key: string]: any;
}

async function parse(resource: BpmnResource): Promise<{ bpmnProcessId: string; serializedContext: string; meta: DeploymentMeta }> {
  let moddleContext: any;
  try {
    moddleContext = await new BpmnModdle({ zeebe: zeebeModdle } as any).fromXML(resource.xml.trim());
  } catch (error) {
    throw new WorkflowError('INVALID_BPMN', `${resource.name}: not valid BPMN XML: ${(error as Error).message}`);
  }
  const unresolved = (moddleContext.warnings ?? []).filter((warning: { message: string }) => /unresolved reference/.test(warning.message));
  if (unresolved.length) throw new WorkflowError('INVALID_BPMN', `${resource.name}: ${unresolved.map((w: { message: string }) => w.message).join('; ')}`);
  const definitions = moddleContext.rootElement as ModdleElement;
  const processes = (definitions.rootElements ?? []).filter((element: ModdleElement) => element.$type === 'bpmn:Process' && element.isExecutable);
  if (processes.length !== 1) {
    throw new WorkflowError('INVALID_BPMN', `${resource.name}: expected exactly one executable process, found ${processes.length} (deploy one process per file)`);
  }
  const process = processes[0] as ModdleElement;

  const meta: DeploymentMeta = { messages: {}, startEvents: [], errorCatchers: {}, parents: {}, errorThrowers: {} };
  for (const element of definitions.rootElements ?? []) {
    if (element.$type !== 'bpmn:Message') continue;
    const subscription = (element.extensionElements?.values ?? []).find((value: ModdleElement) => value.$type === 'zeebe:Subscription');
    meta.messages[element.id] = { name: element.name ?? element.id, correlationKey: subscription?.correlationKey ?? null };
  }
  const visit = (container: ModdleElement, parentId: string | null) => {
    for (const element of (container.flowElements ?? []) as ModdleElement[]) {
      if (parentId) meta.parents[element.id] = parentId;
      if (element.$type === 'bpmn:SubProcess') visit(element, element.id);
      if (element.$type === 'bpmn:CallActivity') {
        const called = (element.extensionElements?.values ?? []).find((value: ModdleElement) => value.$type === 'zeebe:CalledElement');
        if (!called?.processId && !called?.processIdExpression) throw new WorkflowError('INVALID_BPMN', `${resource.name}: call activity ${element.id} has no zeebe:calledElement processId`);
      }
      const loop = element.loopCharacteristics as ModdleElement | undefined;
      if (loop?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
        const zeebe = (loop.extensionElements?.values ?? []).find((value: ModdleElement) => value.$type === 'zeebe:LoopCharacteristics');
        if (!zeebe?.inputCollection) throw new WorkflowError('INVALID_BPMN', `${resource.name}: multi-instance ${element.id} has no zeebe:loopCharacteristics inputCollection`);
        if (Boolean(zeebe.outputCollection) !== Boolean(zeebe.outputElement)) {
          throw new WorkflowError('INVALID_BPMN', `${resource.name}: multi-instance ${element.id} needs both outputCollection and outputElement, or neither`);
        }
      }
      if (element.$type === 'bpmn:EndEvent') {
        const definition = (element.eventDefinitions ?? []).find((candidate: ModdleElement) => candidate.$type === 'bpmn:ErrorEventDefinition');
        if (definition) meta.errorThrowers![element.id] = String(definition.errorRef?.errorCode ?? definition.errorRef?.id ?? element.id);
      }
      if (element.$type === 'bpmn:BoundaryEvent') {
        for (const definition of element.eventDefinitions ?? []) {
          if (definition.$type !== 'bpmn:ErrorEventDefinition') continue;
          const code = definition.errorRef?.errorCode;
          (meta.errorCatchers[element.attachedToRef.id] ??= []).push(code ? String(code) : '*');
        }
      }
      if (element.$type === 'bpmn:StartEvent' && !parentId) {
        const definition = (element.eventDefinitions ?? [])[0];
        if (!definition) meta.startEvents.push({ elementId: element.id, kind: 'none' });
        else if (definition.$type === 'bpmn:MessageEventDefinition') {
          meta.startEvents.push({ elementId: element.id, kind: 'message', messageName: definition.messageRef?.name ?? definition.messageRef?.id });
        } else if (definition.$type === 'bpmn:TimerEventDefinition') {
          const type = (['timeDate', 'timeCycle', 'timeDuration'] as const).find((t) => definition[t]);
          if (type) meta.startEvents.push({ elementId: element.id, kind: 'timer', timer: { type, value: definition[type].body } });
        }
      }
    }
  };
  visit(process, null);

  const serializedContext = serializer(moddleContext, typeResolver).serialize();
  return { bpmnProcessId: process.id, serializedContext, meta };
}
