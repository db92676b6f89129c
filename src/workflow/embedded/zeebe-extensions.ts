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
}

interface ExtensionValue {
  $type: string;
  [key: string]: unknown;
}

const cache = new WeakMap<object, ZeebeTaskExtensions>();

export function readZeebeExtensions(behaviour: { extensionElements?: { values?: ExtensionValue[] } } | undefined): ZeebeTaskExtensions {
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
  };
  if (behaviour) cache.set(behaviour, result);
  return result;
}
