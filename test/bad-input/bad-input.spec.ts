import fc from 'fast-check';
import { listRoutes } from '../../src/access/route-inventory';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { databaseDigest } from '../support/database-digest';
import { ApiClient, ApiResponse, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS, userTables } from '../support/test-databases';
import { BadRequest, badIdParam, fieldsOf, invalidBody } from './payloads';
import { AWAITING_LINES, NO_PAYLOAD, PAGE_FORMS, ParamFixture, WRITE_ROUTES, WriteRoute } from './write-routes';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportsService } from '../../src/reports/reports.service';
import { insertCycle } from '../support/cycle-fixture';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { drainMailOutbox } from '../support/mail-outbox';

/**
 * Bad input, generated: at least BAD_INPUT_PAYLOADS (default 10,000) invalid and boundary requests
 * across the write routes, each answered 4xx in the API's error shape — never 5xx, never 2xx —
 * and leaving the database as it was: its digest is compared after every batch. Failed logins are
 * counted in login_throttle by design, and the engine's lock heartbeat moves on its own, so those
 * tables are left out of the digest.
 * The first database under test gets the full count; the others a quarter of it (the same generators
 * on another engine, within the suite's time budget).
 */
const PAYLOADS = Number(process.env.BAD_INPUT_PAYLOADS ?? 10_000);
const BATCH = 500;
// The engine's lock row and the scheduler's leases carry heartbeats that move on their own.
const NOT_DIGESTED = new Set(['login_throttle', 'wf_engine_lock', 'scheduler_leases']);

describe.each(TEST_DATABASE_KINDS)('bad input on every write route [%s]', (kind) => {
  const TOTAL = kind === TEST_DATABASE_KINDS[0] ? PAYLOADS : Math.ceil(PAYLOADS / 4);
  let t: TestApp;
  let tables: string[];
  let sent = 0;
  const clients = new Map<string, ApiClient>();
  const fixtures = new Map<string, string>();

  beforeAll(async () => {
    // A low per-address limit: once reached, well-formed wrong credentials are refused without hashing (fast).
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], security: { loginMaxFailures: 3, loginMaxFailuresPerIp: 20 }, runtime: true });
    const cycle = await insertCycle(t.dataSource, 'quang-ngai-2025');
    await t.app.get(ConsolidationService).startConsolidations(cycle);
    const reportOf = async (code: string) => {
      const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code });
      const report = await t.app.get(ReportsService).startReport(cycle, unit);
      await t.app.get(InboxProjection).settled();
      return report;
    };
    tables = (await userTables(t.dataSource)).filter((name) => !NOT_DIGESTED.has(name));
    for (const route of WRITE_ROUTES) {
      if (route.as && !clients.has(route.as)) {
        const client = new ApiClient(t.baseUrl);
        const login = await client.login(route.as, DEMO_PASSWORD);
        if (login.status !== 200) throw new Error(`cannot sign in as ${route.as}`);
        clients.set(route.as, client);
      }
      for (const fixture of Object.values(route.params ?? {})) {
        if ('personLogin' in fixture) fixtures.set(fixture.personLogin, String((await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: fixture.personLogin })).id));
        if ('reportOfUnit' in fixture || 'draftTaskOfUnit' in fixture) {
          const code = 'reportOfUnit' in fixture ? fixture.reportOfUnit : fixture.draftTaskOfUnit;
          const report = await reportOf(code);
          fixtures.set(`report:${code}`, String(report.id));
          fixtures.set(`task:${code}`, (await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ subject: `report:${report.id}`, state: 'open' })).taskKey);
        }
        if ('submittedReportOfUnit' in fixture) {
          const code = fixture.submittedReportOfUnit;
          const report = await reportOf(code);
          const staff = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.${code}@quang-ngai-2025` });
          const actor = { personId: staff.id, login: staff.login };
          const values = generateReportValues(formForYear(cycle.year), seededRandom(1), { start: cycle.periodStart, end: cycle.periodEnd });
          await t.app.get(ReportsService).saveDraft(report.id, values, actor);
          await t.app.get(ReportsService).submit(report.id, actor);
          await t.app.get(InboxProjection).settled();
          fixtures.set(`submitted:${code}`, String(report.id));
        }
      }
    }
    // The fixtures' notifications are mailed in the background: let the outbox drain before digesting,
    // so that its delivery of earlier work is not taken for a change made by a bad request.
    await drainMailOutbox(t.dataSource);
  });
  afterAll(() => t.close());

  it('lists every write route the application registers', () => {
    const writes = listRoutes(t.app).filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);
    const listed = new Set([...WRITE_ROUTES.map((r) => `${r.method} ${r.path}`), ...Object.keys(NO_PAYLOAD), ...Object.keys(PAGE_FORMS), ...Object.keys(AWAITING_LINES)]);
    expect(writes.filter((key) => !listed.has(key))).toEqual([]);
    expect([...listed].filter((key) => !writes.includes(key))).toEqual([]);
  });

  const fixtureValue = (f: ParamFixture): string => {
    if ('personLogin' in f) return fixtures.get(f.personLogin)!;
    if ('reportOfUnit' in f) return fixtures.get(`report:${f.reportOfUnit}`)!;
    if ('draftTaskOfUnit' in f) return fixtures.get(`task:${f.draftTaskOfUnit}`)!;
    if ('submittedReportOfUnit' in f) return fixtures.get(`submitted:${f.submittedReportOfUnit}`)!;
    return f.value;
  };

  const requestFor = (route: WriteRoute): fc.Arbitrary<BadRequest> => {
    const validParams = Object.fromEntries(Object.entries(route.params ?? {}).map(([name, f]) => [name, fixtureValue(f)]));
    const wellFormed = (field: string) => route.wellFormed?.[field] ?? fc.string({ minLength: 12, maxLength: 40 });
    const body = invalidBody(route.dto, route.max, wellFormed);
    const anyBody = route.dto ? fc.oneof(body, fc.record(Object.fromEntries(Object.keys(route.wellFormed ?? {}).map((f) => [f, wellFormed(f)]))).map((b) => ({ body: JSON.stringify(b), contentType: 'application/json' }))) : body;
    const names = Object.keys(validParams);
    const withParams = names.length === 0
      ? body.map((b) => ({ params: {}, ...b }))
      : fc.oneof(
          body.map((b) => ({ params: validParams, ...b })),
          fc.record({ broken: fc.constantFrom(...names), value: badIdParam, b: anyBody }).map(({ broken, value, b }) => ({ params: { ...validParams, [broken]: value }, ...b })),
        );
    return fc.tuple(withParams, fc.integer({ min: 0, max: 19 })).map(([request, dice]) => ({ ...request, withoutCsrf: dice === 0 }));
  };

  const send = async (route: WriteRoute, request: BadRequest): Promise<ApiResponse> => {
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => request.params[name]);
    const client = route.as ? clients.get(route.as)! : new ApiClient(t.baseUrl);
    sent++;
    return client.request(route.method, path, { rawBody: request.body, contentType: request.contentType, csrf: !request.withoutCsrf });
  };

  it.each(WRITE_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 4xx to invalid input, in the error shape, and changes nothing', async (_key, route) => {
    const runs = Math.ceil(TOTAL / WRITE_ROUTES.length);
    const statuses = new Map<number, number>();
    for (let done = 0; done < runs; done += BATCH) {
      const before = await databaseDigest(t.dataSource, tables);
      await fc.assert(
        fc.asyncProperty(requestFor(route), async (request) => {
          const response = await send(route, request);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(Object.keys(response.body ?? {})).toEqual(['error']);
          expect(response.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
          for (const field of response.body.error.fields ?? []) expect(field).toEqual({ path: expect.any(String), code: expect.any(String), message: expect.any(String) });
        }),
        { numRuns: Math.min(BATCH, runs - done) },
      );
      expect(await databaseDigest(t.dataSource, tables)).toBe(before);
    }
    // Not only the first line of defence: the generated requests reach validation.
    expect(statuses.get(422) ?? 0).toBeGreaterThan(runs / 10);
    // Bounded by the number of requests, not by time: the long timeout only stops a hung run on a busy machine.
  }, 15 * 60_000);

  // A null field is what a random body rarely draws for every field of every route, and what class-validator's
  // @IsOptional lets through to code that only expects a value or nothing (found: a 500 on a null certificate).
  it.each(WRITE_ROUTES.filter((r) => r.dto).map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 4xx to null in each of its fields, one at a time, and changes nothing', async (_key, route) => {
    const before = await databaseDigest(t.dataSource, tables);
    const params = Object.fromEntries(Object.entries(route.params ?? {}).map(([name, f]) => [name, fixtureValue(f)]));
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => params[name]);
    const client = route.as ? clients.get(route.as)! : new ApiClient(t.baseUrl);
    const wrong: { field: string; status: number }[] = [];
    for (const field of fieldsOf(route.dto!)) {
      const response = await client.request(route.method, path, { rawBody: JSON.stringify({ [field]: null }), contentType: 'application/json', csrf: true });
      if (response.status < 400 || response.status >= 500 || Object.keys(response.body ?? {}).join() !== 'error') wrong.push({ field, status: response.status });
    }
    expect(wrong).toEqual([]);
    expect(await databaseDigest(t.dataSource, tables)).toBe(before);
  });

  it(`sent at least ${TOTAL} requests`, () => {
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
  });
});
