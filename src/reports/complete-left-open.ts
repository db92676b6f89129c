import { WorkflowEngine, WorkflowError } from '../workflow/workflow-engine';

/**
 * Completes at start a task a crash left open after its step was recorded. False when the task is
 * no longer open (done meanwhile by another process on a shared engine): nothing is left to do.
 * Any other refusal is thrown, for the caller to report.
 */
export async function completeLeftOpenTask(engine: WorkflowEngine, taskKey: string, variables: Record<string, unknown>, actor: string): Promise<boolean> {
  try {
    await engine.completeUserTask(taskKey, variables, actor);
    return true;
  } catch (error) {
    if (error instanceof WorkflowError && (error.code === 'NOT_FOUND' || error.code === 'INVALID_STATE')) return false;
    throw error;
  }
}
