import { Module } from '@nestjs/common';
import { AuditCommand, AuditExportCommand, AuditVerifyCommand } from '../audit/audit-verify.command';
import { BackupCommand, RestoreCommand } from '../backup/backup.command';
import { RenderCommand } from '../documents/render.command';
import { OpenCycleCommand } from '../cycles/open-cycle.command';
import { MigrateCommand } from './migrate.command';
import { SeedCommand } from './seed.command';
import { ServeCommand } from './serve.command';
import { VerifyStoreCommand } from '../documents/verify-store.command';
import { VerifySignatureCommand } from '../documents/verify-signature.command';
import { ExportRegisterCommand } from '../documents/export-register.command';
import { SimulateCommand } from '../simulation/simulate.command';

/** Every command of the `iso-cycle` CLI; each builds the application context it needs. */
@Module({ providers: [BackupCommand, RestoreCommand, AuditCommand, AuditVerifyCommand, AuditExportCommand, MigrateCommand, SeedCommand, ServeCommand, RenderCommand, VerifyStoreCommand, VerifySignatureCommand, ExportRegisterCommand, OpenCycleCommand, SimulateCommand] })
export class CliModule {}
