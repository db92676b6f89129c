import { Global, Module } from '@nestjs/common';
import { SchedulerLeases } from './scheduler-leases';

/** Leases for work that runs in one application process at a time (global: the outbox and cycle openings use them). */
@Global()
@Module({
  providers: [SchedulerLeases],
  exports: [SchedulerLeases],
})
export class SchedulingModule {}
