import { createWriteStream } from 'node:fs';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { withApplication } from '../cli/application-context';
import { CliError } from '../cli/fatal';
import { AuditTrail, auditEventView } from './audit-trail.service';

/** `iso-cycle audit verify`: walks the hash chain and names the first broken link (exit 1 when broken). */
@SubCommand({ name: 'verify', description: 'check the audit trail’s hash chain; names the first broken link' })
export class AuditVerifyCommand extends CommandRunner {
  async run(): Promise<void> {
    const result = await withApplication((app) => app.get(AuditTrail).verify());
    if (!result.intact) {
      throw new CliError(`audit trail BROKEN at event ${result.firstBroken.seq}: ${result.firstBroken.reason} (events 1–${result.events} are intact)`, 1);
    }
    process.stdout.write(`audit trail intact: ${result.events} event(s), last hash ${result.lastHash}\n`);
  }
}

/** `iso-cycle audit export --cycle <id> [--out file.jsonl]`: the events of one cycle, one JSON object a line. */
@SubCommand({ name: 'export', description: 'export the audit events of one cycle as JSON lines (stdout, or --out <file>)' })
export class AuditExportCommand extends CommandRunner {
  async run(_args: string[], options: { cycle?: string; out?: string }): Promise<void> {
    if (!options.cycle) throw new CliError('audit export: --cycle <id> is required', 2);
    const events = await withApplication((app) => app.get(AuditTrail).eventsOfCycle(options.cycle!));
    const lines = events.map((event) => `${JSON.stringify(auditEventView(event))}\n`);
    if (options.out) {
      const out = createWriteStream(options.out);
      for (const line of lines) out.write(line);
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      process.stderr.write(`${options.out}: ${events.length} event(s) of cycle ${options.cycle}\n`);
    } else {
      for (const line of lines) process.stdout.write(line);
    }
  }

  @Option({ flags: '--cycle <id>', description: 'the cycle whose events to export' })
  parseCycle(value: string): string {
    return value;
  }

  @Option({ flags: '--out <file>', description: 'write to this file instead of standard output' })
  parseOut(value: string): string {
    return value;
  }
}

/** `iso-cycle audit <verify|export>`. */
@Command({ name: 'audit', description: 'the audit trail: verify its hash chain, export a cycle’s events', subCommands: [AuditVerifyCommand, AuditExportCommand] })
export class AuditCommand extends CommandRunner {
  async run(): Promise<void> {
    throw new CliError('audit: name a subcommand: verify, or export --cycle <id>', 2);
  }
}
