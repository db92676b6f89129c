import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrganizationModule } from '../organization/organization.module';
import { ReportsModule } from '../reports/reports.module';
import { CyclesService } from './cycles.service';

/** Yearly reporting cycles: opening (and, with #8, consolidation and deadlines). */
@Module({
  imports: [OrganizationModule, ReportsModule, AuditModule],
  providers: [CyclesService],
  exports: [CyclesService],
})
export class CyclesModule {}
