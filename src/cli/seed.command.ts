import { Command, CommandRunner, Option } from 'nest-commander';
import { MigrationService } from '../database/migration.service';
import { DataSetImporter } from '../organization/import/data-set-importer.service';
import { withApplication } from './application-context';
import { CliError } from './fatal';

/** `iso-cycle seed --org <id|path>`: import an organisation data set with its demo people. */
@Command({ name: 'seed', description: 'import an organisation data set (id under data/organizations, or a JSON file) with its demo people' })
export class SeedCommand extends CommandRunner {
  async run(_args: string[], options: { org?: string }): Promise<void> {
    if (!options.org) throw new CliError('seed: --org <id|path> is required (e.g. --org quang-ngai-2025)', 2);
    await withApplication(async (app) => {
      await app.get(MigrationService).migrateUp();
      const summary = await app.get(DataSetImporter).importDataSet(options.org!);
      const { units, people, roleAssignments } = summary;
      process.stdout.write(
        `data set ${summary.dataSetId}: units ${units.inserted} new, ${units.updated} updated, ${units.unchanged} unchanged; ` +
          `${people.inserted} people and ${roleAssignments.inserted} role assignments added\n`,
      );
    });
  }

  @Option({ flags: '--org <idOrPath>', description: 'data set id (quang-ngai-2025, quang-ngai-2021) or path to a data file' })
  parseOrg(value: string): string {
    return value;
  }
}
