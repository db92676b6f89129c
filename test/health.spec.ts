import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { loadAppConfig } from '../src/config/load-app-config';
import { MigrationService } from '../src/database/migration.service';
import { FirstStartService } from '../src/organization/first-start.service';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from './support/test-databases';

describe.each(TEST_DATABASE_KINDS)('the application on first start [%s]', (kind) => {
  let db: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const config = { ...loadAppConfig({}), database: db.config };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config })] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.get(MigrationService).migrateUp();
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('answers /health with the database up', async () => {
    const response = await fetch(`${baseUrl}/health`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.components.database.status).toBe('up');
  });

  it('seeds the configured data set once, on an empty database only, and lists demo logins', async () => {
    const firstStart = app.get(FirstStartService);
    const demo = await firstStart.seedDemoIfEmpty();
    expect(demo?.dataSetId).toBe('quang-ngai-2025');
    expect(demo?.logins).toContain('administrator.skhcn@quang-ngai-2025');
    expect(demo?.logins).toContain('iso-cycle-demo');
    expect(await firstStart.seedDemoIfEmpty()).toBeNull();
  });
});
