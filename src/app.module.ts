import { DynamicModule, Module } from '@nestjs/common';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ConsolidationModule } from './consolidation/consolidation.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { CyclesModule } from './cycles/cycles.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { IssuingModule } from './documents/issuing/issuing.module';
import { IdentityModule } from './identity/identity.module';
import { InboxModule } from './inbox/inbox.module';
import { ReportsModule } from './reports/reports.module';
import { WorkflowModule } from './workflow/workflow.module';
import { WebModule } from './web/web.module';
import { NotificationsModule } from './notifications/notifications.module';
import { AppRuntime } from './app-runtime.service';
import { OrganizationModule } from './organization/organization.module';
import { AdministrationModule } from './administration/administration.module';
import { RegistersApiModule } from './documents/registers/registers-api.module';
import { SigningModule } from './signing/signing.module';
import { Clock } from './shared/clock';
import { SchedulingModule } from './scheduling/scheduling.module';

export interface AppModuleOptions {
  /** A configuration already loaded (tests, `simulate`); default: read from the environment. */
  config?: AppConfig;
  clock?: Clock;
}

/** The whole application: every feature module on top of configuration and the database. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(options), DatabaseModule, SchedulingModule, OrganizationModule, HealthModule, AuditModule, IdentityModule, AccessModule, WorkflowModule, { ...IssuingModule.forRoot(), global: true }, InboxModule, ReportsModule, CyclesModule, ConsolidationModule, DeadlinesModule, NotificationsModule, AdministrationModule, RegistersApiModule, SigningModule, WebModule],
      providers: [AppRuntime],
    };
  }
}
