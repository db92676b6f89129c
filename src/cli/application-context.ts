import { ConsoleLogger, INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { loadAppConfig } from '../config/load-app-config';
import { probeDatabase } from '../database/probe-database';

/** Structured (JSON) logs in production, readable lines in development. */
export function createLogger(config: AppConfig, levels: LogLevel[] = ['log', 'error', 'warn']): LoggerService {
  return new ConsoleLogger('iso-cycle', { json: config.logFormat === 'json', colors: config.logFormat === 'pretty' && process.stdout.isTTY, logLevels: levels });
}

/**
 * Runs a command's work inside the application (configuration validated first, so a bad value
 * stops the command before anything connects), and closes it afterwards.
 */
export async function withApplication<T>(work: (app: INestApplicationContext, config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadAppConfig();
  await probeDatabase(config.database);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger: createLogger(config, ['error', 'warn']), abortOnError: false });
  try {
    return await work(app, config);
  } finally {
    await app.close();
  }
}
