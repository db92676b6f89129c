import { Command, CommandRunner, Option } from 'nest-commander';
import { loadAppConfig } from '../config/load-app-config';
import { CliError } from '../cli/fatal';
import { SystemClock } from '../shared/clock';
import { BackupError, BackupService } from './backup.service';

/** Runs backup work, turning its refusals into an operator's message and exit status 1. */
async function operatorFacing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(error.message, 1);
    throw error;
  }
}

/** `iso-cycle backup --out <dir>`: the database (a consistent snapshot, online) and the files it names. */
@Command({ name: 'backup', description: 'back up the database and the document store into a new folder (online: the server may keep running)' })
export class BackupCommand extends CommandRunner {
  async run(_args: string[], options: { out?: string }): Promise<void> {
    if (!options.out) throw new CliError('backup: --out <dir> is required (a new or empty folder)', 2);
    const config = loadAppConfig();
    const manifest = await operatorFacing(() => new BackupService(config, new SystemClock()).backup(options.out!));
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `backup of ${manifest.database.source} in ${options.out}: ${Object.keys(manifest.tables).length} tables, ${rows} rows, ` +
        `${manifest.audit.seq} audit events, ${manifest.files.length} files\n`,
    );
  }

  @Option({ flags: '--out <dir>', description: 'the folder to write the backup into (created; must be empty)' })
  parseOut(value: string): string {
    return value;
  }
}

/** `iso-cycle restore --from <dir>`: into the fresh database named by DATABASE_URL and an empty RUNTIME_DIR, then verified. */
@Command({ name: 'restore', description: 'restore a backup into a fresh database (DATABASE_URL) and an empty RUNTIME_DIR, then verify it' })
export class RestoreCommand extends CommandRunner {
  async run(_args: string[], options: { from?: string }): Promise<void> {
    if (!options.from) throw new CliError('restore: --from <dir> is required (a folder written by `iso-cycle backup`)', 2);
    const config = loadAppConfig();
    const report = await operatorFacing(() => new BackupService(config, new SystemClock()).restore(options.from!));
    for (const problem of report.problems) process.stdout.write(`PROBLEM ${problem}\n`);
    process.stdout.write(
      `restored into ${config.database.displayUrl}: ${report.tables} tables, ${report.rows} rows, audit trail ${report.auditEvents} event(s), ` +
        `${report.documents} document file(s), ${report.evidence} evidence file(s); ${report.problems.length} problem(s)\n`,
    );
    if (report.problems.length > 0) throw new CliError(`restore: the restored data does not match the backup (${report.problems.length} problem(s))`, 1);
  }

  @Option({ flags: '--from <dir>', description: 'the backup folder' })
  parseFrom(value: string): string {
    return value;
  }
}
