/**
 * Reading Camunda 8 (Zeebe) extension elements from an activity's parsed behaviour
 * (`behaviour.extensionElements.values`, types from zeebe-bpmn-moddle).
 */
export interface ZeebeMapping {
  source: string;
  target: string;
}

export interface ZeebeTaskExtensions {
  taskType: string | null;
  retries: string | null;
  headers: Record<string, string>;
  inputs: ZeebeMapping[];
  outputs: ZeebeMapping[];
  isZeebeUserTask: boolean;
  assignee: string | undefined;
  candidateGroups: string | undefined;
  candidateUsers: string | undefined;
  dueDate: string | undefined;
  followUpDate: string | undefined;
  priority: string | undefined;
  formKey: string | undefined;
  /** `zeebe:calledElement` of a call activity. */
  calledElement: ZeebeCalledElement | null;
  /** `zeebe:loopCharacteristics` of a multi-instance activity. */
  loop: ZeebeLoop | null;
}

export interface ZeebeCalledElement {
  /** A process id, or `=expression` (also read from `processIdExpression`). */
  processId: string;
  /** Default true: the child starts with every variable of the parent (plus input mappings). */
  propagateAllParentVariables: boolean;
  /** Default true: without output mappings, every child variable is merged into the parent. */
  propagateAllChildVariables: boolean;
}

export interface ZeebeLoop {
  isSequential: boolean;
  inputCollection: string;
  inputElement: string | null;
  outputCollection: string | null;
  outputElement: string | null;
  completionCondition: string | null;
}

interface ExtensionValue {
  $type: string;
  [key: string]: unknown;
}

const cache = new WeakMap<object, ZeebeTaskExtensions>();

type Behaviour = { extensionElements?: { values?: ExtensionValue[] }; loopCharacteristics?: { behaviour?: Record<string, any> } };

export function readZeebeExtensions(behaviour: Behaviour | undefined): ZeebeTaskExtensions {
  if (behaviour && cache.has(behaviour)) return cache.get(behaviour)!;
  const values = behaviour?.extensionElements?.values ?? [];
  const find = (type: string) => values.find((value) => value.$type === type) as Record<string, any> | undefined;
  const taskDefinition = find('zeebe:TaskDefinition');
  const headers = find('zeebe:TaskHeaders');
  const io = find('zeebe:IoMapping');
  const assignment = find('zeebe:AssignmentDefinition');
  const schedule = find('zeebe:TaskSchedule');
  const priority = find('zeebe:PriorityDefinition');
  const form = find('zeebe:FormDefinition');
  const mapping = (entry: Record<string, any>): ZeebeMapping => ({ source: entry.source ?? '', target: entry.target ?? '' });
  const result: ZeebeTaskExtensions = {
    taskType: taskDefinition?.type ?? null,
    retries: taskDefinition?.retries ?? null,
    headers: Object.fromEntries(((headers?.values ?? []) as Record<string, string>[]).map((header) => [header.key, header.value])),
    inputs: ((io?.inputParameters ?? []) as Record<string, any>[]).map(mapping),
    outputs: ((io?.outputParameters ?? []) as Record<string, any>[]).map(mapping),
    isZeebeUserTask: Boolean(find('zeebe:UserTask')),
    assignee: assignment?.assignee,
    candidateGroups: assignment?.candidateGroups,
    candidateUsers: assignment?.candidateUsers,
    dueDate: schedule?.dueDate,
    followUpDate: schedule?.followUpDate,
    priority: priority?.priority === undefined ? undefined : String(priority.priority),
    formKey: form?.formId ?? form?.formKey ?? form?.externalReference,
    calledElement: readCalledElement(find('zeebe:CalledElement')),
    loop: readLoop(behaviour?.loopCharacteristics?.behaviour),
  };
  if (behaviour) cache.set(behaviour, result);
  return result;
}

function readCalledElement(called: Record<string, any> | undefined): ZeebeCalledElement | null {
  if (!called) return null;
  const expression = called.processIdExpression ?? called.$attrs?.processIdExpression;
  const processId = expression ? (String(expression).startsWith('=') ? String(expression) : `=${expression}`) : (called.processId ?? '');
  return {
    processId: String(processId),
    propagateAllParentVariables: called.propagateAllParentVariables !== false,
    propagateAllChildVariables: called.propagateAllChildVariables !== false,
  };
}

/** The original (moddle) loop behaviour: `collection` and `completionCondition` are replaced at deployment. */
function readLoop(loop: Record<string, any> | undefined): ZeebeLoop | null {
  if (!loop || loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') return null;
  const zeebe = ((loop.extensionElements?.values ?? []) as ExtensionValue[]).find((value) => value.$type === 'zeebe:LoopCharacteristics') as Record<string, any> | undefined;
  return {
    isSequential: Boolean(loop.isSequential),
    inputCollection: zeebe?.inputCollection ?? '',
    inputElement: zeebe?.inputElement || null,
    outputCollection: zeebe?.outputCollection || null,
    outputElement: zeebe?.outputElement || null,
    completionCondition: loop.zeebeCompletionCondition ?? (typeof loop.completionCondition === 'string' && !loop.completionCondition.startsWith(LOOP_MARKER) ? loop.completionCondition : null),
  };
}

/** Prefix of the expressions put in place of a loop's collection and completion condition (see DeploymentRegistry). */
export const LOOP_MARKER = 'wf-loop:';
