import { Command, CommandRunner, Option } from 'nest-commander';
import { MigrationService } from '../database/migration.service';
import { withApplication } from './application-context';
import { CliError } from './fatal';

interface MigrateOptions {
  steps?: number;
}

/** `iso-cycle migrate [up|down] [--steps N]`: apply pending migrations, or revert the last ones. */
@Command({ name: 'migrate', arguments: '[direction]', description: 'apply pending schema migrations (up, default) or revert the last ones (down)' })
export class MigrateCommand extends CommandRunner {
  async run([direction = 'up']: string[], options: MigrateOptions): Promise<void> {
    if (direction !== 'up' && direction !== 'down') throw new CliError(`migrate: unknown direction "${direction}" (expected up or down)`, 2);
    await withApplication(async (app) => {
      const migrations = app.get(MigrationService);
      const names = direction === 'up' ? await migrations.migrateUp() : await migrations.migrateDown(options.steps ?? 1);
      const verb = direction === 'up' ? 'applied' : 'reverted';
      process.stdout.write(names.length === 0 ? `nothing to do: the schema is ${direction === 'up' ? 'up to date' : 'empty'}\n` : `${verb} ${names.length} migration(s): ${names.join(', ')}\n`);
    });
  }

  @Option({ flags: '--steps <n>', description: 'with down: how many migrations to revert (default 1)' })
  parseSteps(value: string): number {
    const steps = Number(value);
    if (!Number.isInteger(steps) || steps < 1) throw new CliError(`--steps: "${value}" is not a whole number ≥ 1`, 2);
    return steps;
  }
}
