import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Command, CommandRunner } from 'nest-commander';
import { AppModule } from '../app.module';
import { AppRuntime } from '../app-runtime.service';
import { CyclesService } from '../cycles/cycles.service';
import { loadAppConfig } from '../config/load-app-config';
import { DataSource } from 'typeorm';
import { MigrationService } from '../database/migration.service';
import { withStartupLock } from '../database/startup-lock';
import { probeDatabase } from '../database/probe-database';
import { configureHttpApp } from '../http/configure-http-app';
import { FirstStartService } from '../organization/first-start.service';
import { createLogger } from './application-context';

/** `iso-cycle serve`: migrate, seed the demo on an empty database, and serve HTTP. */
@Command({ name: 'serve', description: 'start the web application and API (migrates, and seeds the demo data set on first start)' })
export class ServeCommand extends CommandRunner {
  async run(): Promise<void> {
    const config = loadAppConfig();
    await probeDatabase(config.database);
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config }), { logger: createLogger(config), abortOnError: false });
    app.enableShutdownHooks();
    configureHttpApp(app, config);
    // Processes started together on one database (scale-out on zeebe) take turns through this.
    const demo = await withStartupLock(app.get(DataSource), async () => {
      await app.get(MigrationService).migrateUp();
      const seeded = await app.get(FirstStartService).seedDemoIfEmpty();
      await app.get(AppRuntime).start({ warmRenderer: true });
      // The demo: a cycle for the current year, so that every demo login has work waiting.
      if (seeded) await app.get(CyclesService).openCurrentCycle(seeded.dataSetId);
      await app.get(CyclesService).completeOpenings();
      return seeded;
    });
    await app.listen(config.port);
    const url = `http://localhost:${config.port}`;
    process.stdout.write(`\niso-cycle is running at ${url} (health: ${url}/health), database ${config.database.displayUrl}\n`);
    if (demo) process.stdout.write(demo.logins);
  }
}
