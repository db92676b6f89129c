import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { ReportUnitResolver } from './report-unit.resolver';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { ReportWorkers } from './report-workers';
import { ReportPreview } from './report-preview';
import { EvidenceFiles } from './evidence-files';
import { ReportQueries } from './report-queries';
import { ReportReconciliation } from './report-reconciliation';
import { SignatureReconciliation } from './signature-reconciliation';

/** Units' yearly reports: draft, submit, review, versions. */
@Module({
  imports: [WorkflowModule, AccessModule, AuditModule, NotificationsModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportUnitResolver, ReportWorkers, ReportPreview, EvidenceFiles, ReportQueries, ReportReconciliation, SignatureReconciliation],
  exports: [ReportsService, ReportWorkers, EvidenceFiles, ReportQueries, ReportReconciliation, SignatureReconciliation],
})
export class ReportsModule {}
