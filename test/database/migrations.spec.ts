import { createDataSource } from '../../src/database/data-source-options';
import { TEST_DATABASE_KINDS, createTestDatabase, TestDatabase, userTables } from '../support/test-databases';
import { DataSource } from 'typeorm';

describe.each(TEST_DATABASE_KINDS)('migrations [%s]', (kind) => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dataSource = createDataSource(db.config);
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.destroy();
  });

  it('applies every migration, then reverts every one, then applies them again', async () => {
    const total = dataSource.migrations.length;
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(total);
    expect(await dataSource.showMigrations()).toBe(false);

    for (let i = 0; i < total; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const runner = dataSource.createQueryRunner();
    const rows = await runner.query('SELECT COUNT(*) AS n FROM schema_migrations');
    await runner.release();
    expect(Number(rows[0].n)).toBe(0);
    expect(await userTables(dataSource)).toEqual(['schema_migrations']);

    expect(await dataSource.runMigrations({ transaction: 'each' })).toHaveLength(total);
  });
});
