import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Clock } from '../shared/clock';
import { EmbeddedWorkflowEngine } from './embedded/embedded-workflow-engine';
import { WorkflowEngine, WorkflowError } from './workflow-engine';
import { ZeebeWorkflowEngine } from './zeebe/zeebe-workflow-engine';

/**
 * Binds the `WorkflowEngine` port to the adapter named by `AppConfig.workflowEngine`: the embedded
 * engine on our database, or Camunda 8 through its REST API (`AppConfig.zeebe`).
 * The engine is constructed here but started by the caller once migrations have run
 * (`serve`: `await app.get(WorkflowEngine).start()`), so `migrate` never touches engine tables;
 * it is stopped (lock released) when the application shuts down.
 */
@Module({
  providers: [
    {
      provide: WorkflowEngine,
      inject: [AppConfig, DataSource, Clock],
      useFactory: (config: AppConfig, dataSource: DataSource, clock: Clock): WorkflowEngine => {
        if (config.workflowEngine === 'zeebe') {
          if (!config.zeebe) throw new WorkflowError('NOT_AVAILABLE', 'WORKFLOW_ENGINE=zeebe needs ZEEBE_REST_ADDRESS');
          return new ZeebeWorkflowEngine({ restAddress: config.zeebe.restAddress, auth: config.zeebe.auth, tenantId: config.zeebe.tenantId });
        }
        return new EmbeddedWorkflowEngine(dataSource, clock);
      },
    },
  ],
  exports: [WorkflowEngine],
})
export class WorkflowModule implements OnApplicationShutdown {
  constructor(@Inject(WorkflowEngine) private readonly engine: WorkflowEngine) {}

  async onApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}
