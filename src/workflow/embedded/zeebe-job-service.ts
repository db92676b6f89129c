/**
 * The implementation bpmn-elements calls for service, send and business-rule tasks: it hands the
 * execution to the current engine step (found through the environment's `workflowRun` service), which
 * records a job for the `zeebe:taskDefinition` type and keeps the callback for the worker's outcome.
 */
export interface JobExecutionSink {
  onJobExecute(activity: unknown, message: { content: Record<string, any>; fields: Record<string, any> }, callback: (error: Error | null, output?: unknown) => void): void;
}

export function ZeebeJobService(this: { activity: any }, activity: unknown) {
  this.activity = activity;
}

ZeebeJobService.prototype.execute = function execute(message: { content: Record<string, any>; fields: Record<string, any> }, callback: (error: Error | null, output?: unknown) => void) {
  const sink = this.activity.environment.services.workflowRun as JobExecutionSink;
  sink.onJobExecute(this.activity, message, callback);
};
