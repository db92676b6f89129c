/**
 * One OS process of the numbering concurrency test: approves and numbers documents through the real
 * services (IssuedDocuments, NumberingService) against the database the parent created.
 * Input (env): WORKER_INPUT = JSON { database, unitId, prefix, count, concurrency, unsafeWithoutCounterLock, now }.
 * Protocol (IPC): sends { ready } once connected, waits for "go", sends { done, numbered, errors }.
 */
require('../../../scripts/register-typescript');
const { randomUUID } = require('node:crypto');
const { DataSource } = require('typeorm');
const { dataSourceOptions } = require('../../../src/database/data-source-options');
const { serializeSqliteTransactions } = require('../../../src/database/sqlite-transactions');
const { ControlledClock } = require('../../../src/shared/clock');
const { IssuedDocuments } = require('../../../src/documents/issuing/issued-documents');
const { NumberingService } = require('../../../src/documents/numbering/numbering.service');

async function main() {
  const input = JSON.parse(process.env.WORKER_INPUT);
  const dataSource = serializeSqliteTransactions(new DataSource({ ...dataSourceOptions(input.database), migrations: [] }));
  await dataSource.initialize();
  const clock = new ControlledClock(input.now);
  const documents = new IssuedDocuments(dataSource, clock);
  const numbering = new NumberingService(dataSource, clock, { unsafeWithoutCounterLock: input.unsafeWithoutCounterLock });

  const go = new Promise((resolve) => process.once('message', resolve));
  process.send({ ready: true });
  await go;

  const numbered = [];
  const errors = [];
  let next = 0;
  const issueOne = async () => {
    while (next < input.count) {
      const i = next++;
      const id = randomUUID();
      try {
        await documents.recordApproval({
          id,
          unitId: input.unitId,
          documentType: 'bao-cao',
          templateKind: 'unit-report',
          subject: `${input.prefix} báo cáo ${i}`,
          signerName: 'Trần Phước Hiền',
          recipients: [],
          content: {},
        });
        const document = await numbering.assignNumber(id);
        numbered.push({ id, number: document.number, symbol: document.symbol });
      } catch (error) {
        errors.push({ id, message: String(error && error.message), errno: error && (error.errno ?? error.driverError?.errno), code: error && (error.code ?? error.driverError?.code) });
      }
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, issueOne));
  await dataSource.destroy();
  process.send({ done: true, numbered, errors });
}

main().catch((error) => {
  process.send({ failed: String(error && error.stack) });
  process.exitCode = 1;
});
