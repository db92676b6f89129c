import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { OrganizationModule } from '../organization/organization.module';
import { ReportsModule } from '../reports/reports.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { ConsolidationController } from './consolidation.controller';
import { ConsolidationUnitResolver, CycleUnitResolver, ReportReceiverResolver } from './consolidation-unit.resolver';
import { ConsolidationWorkers } from './consolidation-workers';
import { ConsolidationService } from './consolidation.service';
import { ProgressCache } from './progress-cache';

/** Consolidation at every unit with units below it, the consolidated report's content and the Ministry draft. */
@Module({
  imports: [OrganizationModule, ReportsModule, DeadlinesModule, AuditModule, AccessModule, WorkflowModule],
  controllers: [ConsolidationController],
  providers: [ConsolidationService, ProgressCache, ConsolidationWorkers, ConsolidationUnitResolver, ReportReceiverResolver, CycleUnitResolver],
  exports: [ConsolidationService, ProgressCache, ConsolidationWorkers],
})
export class ConsolidationModule {}
