import { ConfigurationError } from '../config/load-app-config';

/** A user-facing failure: its message is the whole story, no stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints what went wrong in words an operator can act on, and exits non-zero. */
export function reportFatal(error: unknown): never {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`iso-cycle: ${error.message}\nSee .env.example for every variable and its format.\n`);
    process.exit(2);
  }
  if (error instanceof CliError) {
    process.stderr.write(`iso-cycle: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`iso-cycle: ${message}\n`);
  if (process.env.ISO_CYCLE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
