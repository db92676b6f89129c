import { DataSource } from 'typeorm';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { TEST_DATABASE_KINDS, TestDatabaseKind, openMigratedDatabase } from '../support/test-databases';
import { seedQuangNgai2025 } from './support/issuing-fixtures';
import { runNumberingWorkers } from './support/numbering-workers';

/**
 * Gap-free numbering under real concurrency: 4 OS processes, 3 issues in flight in each, 60
 * documents of one unit. With the counter lock the numbers are exactly 01..60; with the lock and
 * the unique index switched off the same run doubles numbers — proof that the guard is what makes
 * the first result true, not luck.
 */
const PROCESSES = 4;
const PER_PROCESS = 15;
const CONCURRENCY = 3;
const TOTAL = PROCESSES * PER_PROCESS;
const NOW = '2026-11-20T03:00:00Z';
/** Upper bound of one run of 4 processes on a busy machine (a limit, not an assertion about speed). */
const RUN_LIMIT_MS = 240_000;

const sortedNumbers = (documents: { number: number | null }[]) => documents.map((d) => d.number!).sort((a, b) => a - b);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function openSeeded(kind: TestDatabaseKind) {
  const opened = await openMigratedDatabase(kind);
  const { skhcn } = await seedQuangNgai2025(opened.dataSource);
  return { ...opened, unitId: skhcn.id };
}

async function storedNumbers(dataSource: DataSource, unitId: number) {
  return sortedNumbers(await dataSource.getRepository(IssuedDocumentEntity).find({ where: { unitId }, select: { number: true } }));
}

describe.each(TEST_DATABASE_KINDS)(`numbering from ${PROCESSES} OS processes at once [%s]`, (kind) => {
  it(`gives ${TOTAL} documents of one unit exactly 01..${TOTAL}`, async () => {
    const { db, dataSource, unitId, close } = await openSeeded(kind);
    try {
      const result = await runNumberingWorkers({ database: db.config, unitId, processes: PROCESSES, perProcess: PER_PROCESS, concurrency: CONCURRENCY, now: NOW });
      expect(result.errors).toEqual([]);
      expect(sortedNumbers(result.numbered)).toEqual(oneTo(TOTAL));
      expect(await storedNumbers(dataSource, unitId)).toEqual(oneTo(TOTAL));
      expect(result.numbered.find((d) => d.number === 5)?.symbol).toBe('05/BC-SKHCN');
    } finally {
      await close();
    }
  }, RUN_LIMIT_MS);
});

// The unguarded runs need a server with row locks and real parallel writers; SQLite's single writer
// lock serialises even unguarded transactions, so there is nothing to prove there.
const onMariaDb = TEST_DATABASE_KINDS.includes('mariadb') ? describe : describe.skip;

onMariaDb('numbering with its guards switched off [mariadb]', () => {
  it('doubles numbers when neither the counter lock nor the unique index guards them', async () => {
    const { db, dataSource, unitId, close } = await openSeeded('mariadb');
    try {
      // The foreign key on unit_id leans on the unique index: give it another before dropping the guard.
      await dataSource.query('CREATE INDEX ix_unguarded_unit ON issued_documents (unit_id)');
      await dataSource.query('DROP INDEX ux_issued_documents_number ON issued_documents');
      const result = await runNumberingWorkers({ database: db.config, unitId, processes: PROCESSES, perProcess: PER_PROCESS, concurrency: CONCURRENCY, now: NOW, unsafeWithoutCounterLock: true });
      const numbers = await storedNumbers(dataSource, unitId);
      expect(numbers).toHaveLength(TOTAL);
      // Lost counter updates: several documents share a number, so the last number falls short of the count.
      expect(new Set(numbers).size).toBeLessThan(TOTAL);
      expect(numbers).not.toEqual(oneTo(TOTAL));
      expect(result.errors).toEqual([]);
    } finally {
      await close();
    }
  }, RUN_LIMIT_MS);

  it('refuses the doubles at the unique index when only the counter lock is off', async () => {
    const { db, dataSource, unitId, close } = await openSeeded('mariadb');
    try {
      const result = await runNumberingWorkers({ database: db.config, unitId, processes: PROCESSES, perProcess: PER_PROCESS, concurrency: CONCURRENCY, now: NOW, unsafeWithoutCounterLock: true });
      const numbers = await storedNumbers(dataSource, unitId);
      const numbered = numbers.filter((n) => n !== null);
      expect(new Set(numbered).size).toBe(numbered.length);
      expect(result.errors.length).toBeGreaterThan(0);
      expect(result.errors.every((e) => e.errno === 1062)).toBe(true);
    } finally {
      await close();
    }
  }, RUN_LIMIT_MS);
});
