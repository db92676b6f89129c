import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { InboxController } from './inbox.controller';
import { InboxProjection } from './inbox-projection';
import { InboxTasks } from './inbox-tasks.service';
import { TaskUnitResolver } from './task-unit.resolver';

/** The task inbox: a projection of the engine's user tasks, read by person and group. */
@Module({
  imports: [WorkflowModule, AccessModule],
  controllers: [InboxController],
  providers: [InboxProjection, InboxTasks, TaskUnitResolver],
  exports: [InboxProjection, InboxTasks],
})
export class InboxModule {}
