/**
 * One OS process of the kill test: issues one document through the real pipeline and kills itself
 * (SIGKILL: no finally, no connection close, no flush) right after the step it was given.
 * Input (env): WORKER_INPUT = JSON { database, storeDir, approved, killAfter, now }.
 */
require('../../../scripts/register-typescript');
const { DataSource } = require('typeorm');
const { dataSourceOptions } = require('../../../src/database/data-source-options');
const { serializeSqliteTransactions } = require('../../../src/database/sqlite-transactions');
const { ControlledClock } = require('../../../src/shared/clock');
const { NumberingService } = require('../../../src/documents/numbering/numbering.service');
const { IssuePipeline } = require('../../../src/documents/issuing/issue-pipeline');
const { FilesystemDocumentStore } = require('../../../src/documents/store/filesystem-document-store');
const { FakeIssueRenderer } = require('./fake-issue-renderer');

async function main() {
  const input = JSON.parse(process.env.WORKER_INPUT);
  const dataSource = serializeSqliteTransactions(new DataSource({ ...dataSourceOptions(input.database), migrations: [] }));
  await dataSource.initialize();
  const clock = new ControlledClock(input.now);
  const pipeline = new IssuePipeline(dataSource, clock, new NumberingService(dataSource, clock), new FakeIssueRenderer(), new FilesystemDocumentStore(input.storeDir), {
    afterStep: (step) => {
      if (step === input.killAfter) process.kill(process.pid, 'SIGKILL');
    },
  });
  await pipeline.issue(input.approved);
  // Reaching here means the kill step never came: the parent sees a normal exit and fails.
  await dataSource.destroy();
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack}\n`);
  process.exitCode = 2;
});
