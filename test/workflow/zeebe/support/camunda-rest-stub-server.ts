/**
 * The Camunda REST stand-in (camunda-rest-stub.ts) as a server of its own, for tests that run the
 * real application in several OS processes (test/workflow/zeebe/scale-out.spec.ts): its own process,
 * engine ("brain") and real clock, on its own database, like a Camunda cluster beside the
 * application's. Usage (with scripts/register-typescript.js preloaded):
 *   node -r scripts/register-typescript.js camunda-rest-stub-server.ts <database-url>
 * Prints {"address": "http://127.0.0.1:N"} on its first line once it listens; stops on SIGTERM.
 */
import { parseDatabaseUrl } from '../../../../src/config/load-app-config';
import { createDataSource } from '../../../../src/database/data-source-options';
import { SystemClock } from '../../../../src/shared/clock';
import { CamundaRestStub } from './camunda-rest-stub';

async function main(): Promise<void> {
  const problems: string[] = [];
  const config = parseDatabaseUrl(process.argv[2], process.cwd(), problems);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const stub = new CamundaRestStub(dataSource, new SystemClock());
  await stub.start();
  process.stdout.write(`${JSON.stringify({ address: stub.address })}\n`);
  process.on('SIGTERM', () => {
    void stub
      .stop()
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`camunda-rest-stub-server: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
