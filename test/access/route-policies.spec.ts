import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Policy } from '../../src/access/policy';
import { listRoutes } from '../../src/access/route-inventory';
import { AppModule } from '../../src/app.module';
import { loadAppConfig } from '../../src/config/load-app-config';
import { MigrationService } from '../../src/database/migration.service';
import { configureHttpApp } from '../../src/http/configure-http-app';
import { ApiClient } from '../support/http-app';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from '../support/test-databases';

/** A controller someone forgot to give a policy, and one that has it: only for this test. */
@Controller('api/test-only')
class ForgetfulController {
  @Get('forgotten')
  forgotten() {
    return { leaked: true };
  }

  @Post('forgotten')
  forgottenWrite() {
    return { leaked: true };
  }

  @Get('declared')
  @Policy('public')
  declared() {
    return { ok: true };
  }
}

@Module({ controllers: [ForgetfulController] })
class ForgetfulModule {}

/** There is no default allow: every route declares a policy, and one that does not is refused. */
describe('route policies', () => {
  const kind = TEST_DATABASE_KINDS[0];
  let db: TestDatabase;
  let app: NestExpressApplication;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const config = { ...loadAppConfig({}), database: db.config };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config }), ForgetfulModule] }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureHttpApp(app, config);
    await app.get(MigrationService).migrateUp();
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('finds every route of the application, each with a declared policy', () => {
    const routes = listRoutes(app).filter((r) => r.controller !== ForgetfulController.name);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /api/auth/login', 'GET /api/auth/me', 'GET /health']));
    const undeclared = routes.filter((r) => r.policy === undefined).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`);
    expect(undeclared).toEqual([]);
  });

  it('sees a route without a policy (so the check above can fail)', () => {
    const forgotten = listRoutes(app).filter((r) => r.controller === ForgetfulController.name && r.policy === undefined);
    expect(forgotten.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/test-only/forgotten', 'POST /api/test-only/forgotten']);
  });

  it('refuses a route without a policy, to everyone', async () => {
    const client = new ApiClient(baseUrl);
    for (const method of ['GET', 'POST']) {
      const response = await client.request(method, '/api/test-only/forgotten', method === 'POST' ? { body: {} } : {});
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: { code: 'no-policy', message: 'This route declares no access policy.' } });
    }
    expect((await client.request('GET', '/api/test-only/declared')).status).toBe(200);
  });
});
