import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Applies and reverts the schema migrations in `migrations/` (never `synchronize`). */
@Injectable()
export class MigrationService {
  private readonly logger = new Logger(MigrationService.name);

  constructor(private readonly dataSource: DataSource) {}

  /** Applies every pending migration, each in its own transaction; returns their names. */
  async migrateUp(): Promise<string[]> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) this.logger.log(`applied migration ${migration.name}`);
    return applied.map((m) => m.name);
  }

  /** Reverts the last `steps` applied migrations, newest first; returns their names. */
  async migrateDown(steps = 1): Promise<string[]> {
    const reverted: string[] = [];
    for (let i = 0; i < steps; i++) {
      const before = await this.appliedNames();
      if (before.length === 0) break;
      await this.dataSource.undoLastMigration({ transaction: 'each' });
      reverted.push(before[before.length - 1]);
      this.logger.log(`reverted migration ${before[before.length - 1]}`);
    }
    return reverted;
  }

  async pendingCount(): Promise<number> {
    const applied = new Set(await this.appliedNames());
    return this.dataSource.migrations.filter((m) => !applied.has(m.name!)).length;
  }

  private async appliedNames(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      if (!(await runner.hasTable('schema_migrations'))) return [];
      const rows: { name: string }[] = await runner.query('SELECT name FROM schema_migrations ORDER BY id');
      return rows.map((r) => r.name);
    } finally {
      await runner.release();
    }
  }
}
