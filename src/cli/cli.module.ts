import { Module } from '@nestjs/common';

/** Every command of the `iso-cycle` CLI; each builds the application context it needs. */
@Module({ providers: [] })
export class CliModule {}
