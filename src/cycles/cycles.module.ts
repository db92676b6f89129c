import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrganizationModule } from '../organization/organization.module';
import { ReportsModule } from '../reports/reports.module';
import { CyclesService } from './cycles.service';
import { ConsolidationModule } from '../consolidation/consolidation.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';

/** Yearly reporting cycles: opening starts the reports, their deadline watches and the consolidations. */
@Module({
  imports: [OrganizationModule, ReportsModule, AuditModule, ConsolidationModule, DeadlinesModule],
  providers: [CyclesService],
  exports: [CyclesService],
})
export class CyclesModule {}
