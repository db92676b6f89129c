#!/usr/bin/env node
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { reportFatal } from './cli/fatal';

/** The `iso-cycle` command line: migrate, seed, serve and the rest (`iso-cycle --help`). */
async function main(): Promise<void> {
  // A .env file in the working folder fills in what the environment does not set (see .env.example).
  if (existsSync('.env')) process.loadEnvFile('.env');
  await CommandFactory.run(CliModule, {
    logger: ['error', 'warn'],
    // commander's own exits (help, unknown option) carry their exit code and have printed their message.
    errorHandler: (error) => process.exit((error as { exitCode?: number }).exitCode ?? 1),
    // A command that fails: a clear message and a non-zero exit, never a stack trace.
    serviceErrorHandler: reportFatal,
  });
}

main().catch(reportFatal);
