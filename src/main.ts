#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { ConfigurationError } from './config/load-app-config';
import { reportFatal } from './cli/fatal';

/** The `iso-cycle` command line: migrate, seed, serve and the rest (`iso-cycle --help`). */
async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    logger: ['error', 'warn'],
    errorHandler: (error) => {
      // commander's own exits (help, version) carry an exit code and need no message.
      const code = (error as { exitCode?: number }).exitCode;
      if (code !== undefined && !(error instanceof ConfigurationError)) process.exit(code);
      reportFatal(error);
    },
  });
}

main().catch(reportFatal);
