import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as httpRequest } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { AppRuntime } from '../../src/app-runtime.service';
import { AppConfig, SecurityConfig, SigningConfig } from '../../src/config/app-config';
import { loadAppConfig } from '../../src/config/load-app-config';
import { MigrationService } from '../../src/database/migration.service';
import { configureHttpApp } from '../../src/http/configure-http-app';
import { DataSetImporter } from '../../src/organization/import/data-set-importer.service';
import { ControlledClock } from '../../src/shared/clock';
import { TestDatabaseKind, TestDatabase, createTestDatabase } from './test-databases';

/**
 * Test apps run without rate limiting unless a test asks for it (`security.rateLimit`): the
 * property tests send thousands of requests from one address, under a clock that does not move.
 */
const NO_RATE_LIMIT = { perSessionPerMinute: 0, perAddressPerMinute: 0 };

export interface TestApp {
  app: NestExpressApplication;
  baseUrl: string;
  dataSource: DataSource;
  clock: ControlledClock;
  config: AppConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * The whole application over HTTP on a fresh, migrated database, set up exactly as `serve` sets it
 * up (configureHttpApp), listening on a free loopback port. `dataSets` are imported with their demo people.
 */
export async function startTestApp(
  kind: TestDatabaseKind,
  options: {
    dataSets?: string[];
    security?: Partial<SecurityConfig>;
    clock?: ControlledClock;
    override?: (builder: ReturnType<typeof Test.createTestingModule>) => void;
    /** Start the engine, deploy the processes and follow the inbox, as `serve` does. */
    runtime?: boolean;
    /** DOCUMENT_SIGNING and the rest (default: unsigned, as loadAppConfig gives it). */
    signing?: Partial<SigningConfig>;
    /**
     * A later life of an application on the database and runtime folder of an earlier one (a restart);
     * they stay when this one closes, for the caller to remove.
     */
    restartOn?: { db: TestDatabase; runtimeDir: string };
  } = {},
): Promise<TestApp> {
  const db = options.restartOn?.db ?? (await createTestDatabase(kind));
  const base = loadAppConfig({});
  // Runtime files (the document store) of one test app are its own, like its database.
  const runtimeDir = options.restartOn?.runtimeDir ?? mkdtempSync(join(tmpdir(), 'iso-cycle-runtime-'));
  const config: AppConfig = { ...base, runtimeDir, database: db.config, security: { ...base.security, rateLimit: NO_RATE_LIMIT, ...options.security }, signing: { ...base.signing, ...options.signing } };
  const clock = options.clock ?? new ControlledClock('2026-10-01T02:00:00Z');
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot({ config, clock })] });
  options.override?.(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'] });
  configureHttpApp(app, config);
  await app.get(MigrationService).migrateUp();
  for (const dataSet of options.dataSets ?? []) await app.get(DataSetImporter).importDataSet(dataSet);
  if (options.runtime) await app.get(AppRuntime).start();
  // Idle sockets stay open for the test's life: a server closing one after 5 s, while a stalled
  // event loop (synchronous SQLite, signing) lets this process's client write on it, reads as ECONNRESET.
  (app.getHttpServer() as import('node:http').Server).keepAliveTimeout = 120_000;
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    baseUrl,
    dataSource: app.get(DataSource),
    clock,
    config,
    db,
    close: async () => {
      await app.close();
      if (options.restartOn) return;
      await db.destroy();
      rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A browser-like client: keeps the session cookie, and sends the CSRF token it was given. */
export class ApiClient {
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(private readonly baseUrl: string) {}

  async login(login: string, password: string): Promise<ApiResponse> {
    const response = await this.request('POST', '/api/auth/login', { body: { login, password } });
    if (response.status === 200) this.csrfToken = response.body.csrfToken;
    return response;
  }

  async request(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; contentType?: string; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (options.csrf !== false && this.csrfToken && !['GET', 'HEAD'].includes(method)) headers['x-csrf-token'] = this.csrfToken;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined || options.contentType) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await send(`${this.baseUrl}${path}`, method, headers, body);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('iso_cycle_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0];
      this.cookie = value === 'iso_cycle_session=' ? undefined : value;
    }
    const text = response.text;
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
}

const agent = new Agent({ keepAlive: true });

/**
 * One HTTP exchange with node:http, headers and body in one write: fetch writes a small body after
 * the headers, and Nagle's algorithm with delayed ACKs then costs 40 ms a request, which thousands
 * of generated requests cannot afford.
 */
function send(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = httpRequest(url, { method, agent, headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setNoDelay(true);
    req.on('error', reject);
    req.end(payload);
  });
}
