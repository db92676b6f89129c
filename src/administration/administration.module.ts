import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CyclesModule } from '../cycles/cycles.module';
import { InboxModule } from '../inbox/inbox.module';
import { OrganizationModule } from '../organization/organization.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { AdministrationController } from './administration.controller';
import { PersonAndTargetUnitResolver } from './admin-unit.resolvers';
import { CycleAdministration } from './cycle-admin.service';
import { PeopleAdministration } from './people-admin.service';

/** What the administrator's page does: open cycles, import data sets and people, set roles, reassign a departed person's tasks. */
@Module({
  imports: [AuditModule, CyclesModule, InboxModule, OrganizationModule, WorkflowModule],
  controllers: [AdministrationController],
  providers: [CycleAdministration, PeopleAdministration, PersonAndTargetUnitResolver],
  exports: [CycleAdministration, PeopleAdministration, PersonAndTargetUnitResolver],
})
export class AdministrationModule {}
