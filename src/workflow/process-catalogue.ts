import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../shared/project-root';
import { BpmnResource, DeployedProcess, WorkflowEngine } from './workflow-engine';

/** The product's processes: every `processes/*.bpmn`, deployed at start (an unchanged file keeps its version). */
export function productProcesses(dir = join(projectRoot(), 'processes')): BpmnResource[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.bpmn'))
    .sort()
    .map((name) => ({ name, xml: readFileSync(join(dir, name), 'utf8') }));
}

export function deployProductProcesses(engine: WorkflowEngine): Promise<DeployedProcess[]> {
  return engine.deploy(productProcesses());
}
