import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { WorkingDayCalendar } from '../cycles/working-days';
import { NotificationsModule } from '../notifications/notifications.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { DeadlineNotices } from './deadline-notices';
import { DeadlineWorkers } from './deadline-workers';
import { DeadlinesService } from './deadlines.service';

/** Deadlines of the cycle: the watch beside each report (reminders, lateness, escalation) and the changes that move them. */
@Module({
  imports: [AuditModule, NotificationsModule, WorkflowModule],
  providers: [DeadlinesService, DeadlineWorkers, DeadlineNotices, { provide: WorkingDayCalendar, useFactory: () => WorkingDayCalendar.fromData() }],
  exports: [DeadlinesService, DeadlineWorkers, WorkingDayCalendar],
})
export class DeadlinesModule {}
