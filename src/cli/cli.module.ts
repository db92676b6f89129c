import { Module } from '@nestjs/common';
import { RenderCommand } from '../documents/render.command';
import { MigrateCommand } from './migrate.command';
import { SeedCommand } from './seed.command';
import { ServeCommand } from './serve.command';
import { VerifyStoreCommand } from '../documents/verify-store.command';

/** Every command of the `iso-cycle` CLI; each builds the application context it needs. */
@Module({ providers: [MigrateCommand, SeedCommand, ServeCommand, RenderCommand, VerifyStoreCommand] })
export class CliModule {}
