import { NestFactory } from '@nestjs/core';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AppModule } from '../app.module';
import { createLogger } from '../cli/application-context';
import { CliError } from '../cli/fatal';
import { loadAppConfig } from '../config/load-app-config';
import { CycleEntity } from '../cycles/cycle.entity';
import { probeDatabase } from '../database/probe-database';
import { ControlledClock } from '../shared/clock';
import { CycleSimulator, SimulationSummary } from './cycle-simulator';

export interface SimulateFlags {
  org?: string;
  year?: number;
  out?: string;
  seed?: number;
  returnRate?: number;
  lateRate?: number;
  databaseUrl?: string;
}

/**
 * `iso-cycle simulate`: the main job without a person at the keyboard. Its own empty database (an
 * SQLite file in --out unless --database-url names one), a cycle opened on 1 October of the year and
 * run day by day to the provincial submission; every issued PDF and summary.json written under --out.
 */
@Command({ name: 'simulate', description: 'run a whole yearly cycle on its own database, acting as every person, and write every issued PDF and summary.json' })
export class SimulateCommand extends CommandRunner {
  async run(_args: string[], flags: SimulateFlags): Promise<void> {
    const tty = process.stdout.isTTY;
    const summary = await runSimulation(flags, (line, done, total) => {
      if (!tty) return;
      const width = 30;
      const filled = Math.min(width, Math.round((done / total) * width));
      process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line} (${done}/${total} days)`);
    });
    if (tty) process.stdout.write('\n');
    process.stdout.write(
      `simulated ${summary.year} on ${summary.organization}: ${summary.units} reporting units, ${summary.reportsApproved} approved, ${summary.returned} returned, ` +
        `${summary.lateUnits.length} late or missing, ${summary.documents.length} documents in ${summary.durationsMs.total} ms; ${join(resolve(flags.out!), 'summary.json')}\n`,
    );
  }

  @Option({ flags: '--org <id|path>', description: 'the data set (quang-ngai-2025, quang-ngai-2021, or a JSON file)' })
  parseOrg(value: string): string {
    return value;
  }

  @Option({ flags: '--year <year>', description: 'the reporting year' })
  parseYear(value: string): number {
    if (!/^\d{4}$/.test(value)) throw new CliError(`--year: "${value}" is not a year (YYYY)`, 2);
    return Number(value);
  }

  @Option({ flags: '--out <dir>', description: 'an empty (or new) folder for the database, the PDFs and summary.json' })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--seed <n>', description: 'random seed (default 1): the same seed gives the same cycle' })
  parseSeed(value: string): number {
    if (!/^\d+$/.test(value)) throw new CliError(`--seed: "${value}" is not a whole number`, 2);
    return Number(value);
  }

  @Option({ flags: '--return-rate <r>', description: 'share of reports returned once by the head (0–1, default 0.2)' })
  parseReturnRate(value: string): number {
    return rate('--return-rate', value);
  }

  @Option({ flags: '--late-rate <r>', description: 'share of units that report late (0–1, default 0.1)' })
  parseLateRate(value: string): number {
    return rate('--late-rate', value);
  }

  @Option({ flags: '--database-url <url>', description: 'an empty database to use instead of an SQLite file in --out' })
  parseDatabaseUrl(value: string): string {
    return value;
  }
}

/** The simulation behind the command (also what the tests run): its own database, the cycle, the files. */
export async function runSimulation(flags: SimulateFlags, progress?: (line: string, done: number, total: number) => void): Promise<SimulationSummary> {
  if (!flags.org || !flags.year || !flags.out) throw new CliError('simulate: --org <id|path>, --year <YYYY> and --out <dir> are required', 2);
  const out = resolve(flags.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new CliError(`simulate: --out ${out} is not empty (the simulation writes its own database and documents there)`, 2);
  mkdirSync(out, { recursive: true });
  const config = loadAppConfig({
    ...process.env,
    DATABASE_URL: flags.databaseUrl ?? `sqlite:${join(out, 'iso-cycle.sqlite')}`,
    RUNTIME_DIR: join(out, 'runtime'),
    SEED_ORGANIZATION: flags.org,
  });
  await probeDatabase(config.database);
  const clock = new ControlledClock(`${flags.year}-10-01T01:00:00Z`);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, clock }), { logger: createLogger(config, ['error', 'warn']), abortOnError: false });
  try {
    const dataSource = app.get(DataSource);
    if ((await dataSource.createQueryRunner().hasTable('cycles')) && (await dataSource.getRepository(CycleEntity).count()) > 0) {
      throw new CliError(`simulate: the database ${config.database.displayUrl} is not empty; give an empty one`, 2);
    }
    const simulator = new CycleSimulator(app, config, clock, {
      org: flags.org,
      year: flags.year,
      out,
      seed: flags.seed ?? 1,
      returnRate: flags.returnRate ?? 0.2,
      lateRate: flags.lateRate ?? 0.1,
      progress,
    });
    return await simulator.run();
  } finally {
    await app.close();
  }
}

function rate(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || n < 0 || n > 1) throw new CliError(`${flag}: "${value}" is not a share between 0 and 1`, 2);
  return n;
}
