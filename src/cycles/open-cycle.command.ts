import { Command, CommandRunner, Option } from 'nest-commander';
import { AppRuntime } from '../app-runtime.service';
import { withApplication } from '../cli/application-context';
import { CliError } from '../cli/fatal';
import { MigrationService } from '../database/migration.service';
import { CyclesService } from './cycles.service';

/** `iso-cycle open-cycle --org <data set> --year <YYYY>`: open a yearly cycle and start every unit's report. */
@Command({ name: 'open-cycle', description: "open a year's reporting cycle on a data set and start every reporting unit's report" })
export class OpenCycleCommand extends CommandRunner {
  async run(_args: string[], options: { org?: string; year?: number }): Promise<void> {
    if (!options.org || !options.year) throw new CliError('open-cycle: --org <data set> and --year <YYYY> are required', 2);
    await withApplication(async (app) => {
      await app.get(MigrationService).migrateUp();
      await app.get(AppRuntime).start();
      const cycle = await app.get(CyclesService).openCycle({ dataSetId: options.org!, year: options.year! });
      process.stdout.write(`cycle ${cycle.year} on ${cycle.dataSetId} opened (id ${cycle.id}); deadline ${cycle.deadlineAt.toISOString()}, data period ${cycle.periodStart} – ${cycle.periodEnd}\n`);
    });
  }

  @Option({ flags: '--org <dataSetId>', description: 'the data set (e.g. quang-ngai-2025)' })
  parseOrg(value: string): string {
    return value;
  }

  @Option({ flags: '--year <year>', description: 'the reporting year' })
  parseYear(value: string): number {
    if (!/^\d{4}$/.test(value)) throw new CliError(`--year: "${value}" is not a year (YYYY)`, 2);
    return Number(value);
  }
}
