import { BadRequestException, Body, Controller, Get, Module, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, ValidateNested } from 'class-validator';
import { Policy } from '../../src/access/policy';
import { AppModule } from '../../src/app.module';
import { loadAppConfig } from '../../src/config/load-app-config';
import { MigrationService } from '../../src/database/migration.service';
import { configureHttpApp } from '../../src/http/configure-http-app';
import { PersonEntity } from '../../src/organization/person.entity';
import { hashPasswordArgon2id } from '../../src/identity/passwords/password-hasher';
import { ConflictError } from '../../src/shared/errors';
import { DataSource } from 'typeorm';
import { ApiClient } from '../support/http-app';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from '../support/test-databases';

class Line {
  @IsString() label!: string;
  @IsInt() @Max(10) amount!: number;
}
class Order {
  @IsString() title!: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
}

class NoteForm {
  @IsString() note!: string;
}

/** Routes that fail in each way an application route can: only for this test. */
@Controller('api/test-edge')
class EdgeController {
  @Get('bug')
  @Policy('public')
  bug(): never {
    throw new TypeError('Cannot read properties of undefined (reading "secretColumn")');
  }

  @Get('http-exception')
  @Policy('public')
  httpException(): never {
    throw new BadRequestException('The date range is reversed.');
  }

  @Get('conflict')
  @Policy('public')
  conflict(): never {
    throw new ConflictError('The report was submitted already.', 'already-submitted');
  }

  @Post('orders')
  @Policy('public')
  order(@Body() order: Order) {
    return { accepted: order.lines.length };
  }

  /** As an HTML form of the web app will post: urlencoded, the CSRF token in the `_csrf` field. */
  @Post('form')
  @Policy('signed-in')
  form(@Body() form: NoteForm) {
    return { note: form.note };
  }
}


@Module({ controllers: [EdgeController] })
class EdgeModule {}

/** The HTTP edge as `serve` sets it up: one error shape, security headers, OpenAPI. */
describe('the HTTP edge', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let client: ApiClient;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase(TEST_DATABASE_KINDS[0]);
    const config = { ...loadAppConfig({}), database: db.config };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config }), EdgeModule] }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureHttpApp(app, config);
    await app.get(MigrationService).migrateUp();
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    client = new ApiClient(baseUrl);
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('answers a bug with 500 and a reference, never its detail', async () => {
    const response = await client.request('GET', '/api/test-edge/bug');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: 'internal-error', message: expect.stringContaining('unexpected error'), reference: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect(JSON.stringify(response.body)).not.toContain('secretColumn');
  });

  it('maps domain errors and Nest’s HttpExceptions to their status, in one shape', async () => {
    expect(await client.request('GET', '/api/test-edge/conflict')).toMatchObject({ status: 409, body: { error: { code: 'already-submitted', message: 'The report was submitted already.' } } });
    expect(await client.request('GET', '/api/test-edge/http-exception')).toMatchObject({ status: 400, body: { error: { code: 'bad-request', message: 'The date range is reversed.' } } });
    expect(await client.request('GET', '/api/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
  });

  it('names every invalid field with its path, nested ones included, and refuses unknown ones', async () => {
    const response = await client.request('POST', '/api/test-edge/orders', { body: { title: 7, lines: [{ label: 'a', amount: 1 }, { label: 'b', amount: 11 }], discount: 5 } });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation-failed');
    expect(response.body.error.fields).toEqual(
      expect.arrayContaining([
        { path: 'title', code: 'is-string', message: 'title must be a string' },
        { path: 'lines.1.amount', code: 'max', message: 'amount must not be greater than 10' },
        { path: 'discount', code: 'not-allowed', message: 'property discount should not exist' },
      ]),
    );
    expect((await client.request('POST', '/api/test-edge/orders', { body: { title: 'ok', lines: [{ label: 'a', amount: 1 }] } })).body).toEqual({ accepted: 1 });
  });

  it.each([
    ['malformed JSON', '{"title":', 400, 'bad-request'],
    ['JSON nested too deep', `${'['.repeat(40)}${']'.repeat(40)}`, 400, 'bad-request'],
    ['a prototype key', '{"title":"x","lines":[],"__proto__":{"admin":true}}', 400, 'bad-request'],
    ['a body over the limit', JSON.stringify({ title: 'x'.repeat(200_000) }), 413, 'payload-too-large'],
  ])('refuses %s before any route runs', async (_what, rawBody, status, code) => {
    const response = await client.request('POST', '/api/test-edge/orders', { rawBody });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
  });

  it('accepts an HTML form that carries the session’s CSRF token in `_csrf`, and refuses one without it', async () => {
    await app.get(DataSource).getRepository(PersonEntity).insert({ login: 'form-user', fullName: 'Người Dùng', passwordHash: await hashPasswordArgon2id('form-user-password'), active: true });
    const browser = new ApiClient(baseUrl);
    expect((await browser.login('form-user', 'form-user-password')).status).toBe(200);
    const post = (fields: Record<string, string>) =>
      browser.request('POST', '/api/test-edge/form', { rawBody: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded', csrf: false });
    expect(await post({ note: 'Đã xem', _csrf: browser.csrfToken! })).toMatchObject({ status: 201, body: { note: 'Đã xem' } });
    expect(await post({ note: 'Đã xem', _csrf: 'forged' })).toMatchObject({ status: 403, body: { error: { code: 'csrf-token-invalid' } } });
    expect(await post({ note: 'Đã xem' })).toMatchObject({ status: 403, body: { error: { code: 'csrf-token-invalid' } } });
  });

  it('sends security headers', async () => {
    const response = await client.request('GET', '/health');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('serves Swagger UI and an OpenAPI document that describes the session and the policies', async () => {
    const ui = await client.request('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('swagger-ui');
    const document = (await client.request('GET', '/api/docs-json')).body;
    expect(document.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'iso_cycle_session' });
    expect(document.paths['/api/auth/login'].post).toBeDefined();
    expect(document.paths['/api/auth/me'].get.security).toEqual([{ session: [] }]);
    expect(document.paths['/api/admin/people/{id}/password-reset'].post.responses['403'].description).toContain('administrator (data-set)');
  });
});
