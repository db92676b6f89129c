/**
 * API under load (not a test): the real server (`iso-cycle serve`, its own process, SQLite, the demo
 * data set seeded and this year's cycle opened at first start, rate limits off) with 50 concurrent
 * clients on the three pages people wait on: a commune's inbox, its report form's data, and the
 * standing agency's consolidation dashboard; autocannon (a maintained HTTP load tool) measures each
 * in turn for `seconds`. Prints p50/p99 latency, requests per second and non-2xx answers as JSON.
 *
 *   node -r ./test/workflow/crash/register-typescript.js bench/api.bench.ts [seconds=10] [connections=50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD } from '../src/organization/import/demo-people';
import { freePort, ServerProcess } from '../test/soak/soak-server';

const [seconds = 10, connections = 50] = process.argv.slice(2).map(Number);
const DATA_SET = 'quang-ngai-2025';

/** Signs in through the API and returns the session cookie. */
async function sessionCookie(baseUrl: string, login: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: DEMO_PASSWORD }) });
  if (response.status !== 200) throw new Error(`${login}: sign-in answered ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`${login}: no session cookie`);
  return cookie;
}

async function getJson(baseUrl: string, path: string, cookie: string): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
  return response.json();
}

function load(url: string, cookie: string): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, headers: { cookie } });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-api-bench-'));
  const database = join(dir, 'iso-cycle.sqlite');
  const server = new ServerProcess(await freePort(), { DATABASE_URL: `sqlite:${database}`, RUNTIME_DIR: join(dir, 'runtime'), SEED_ORGANIZATION: DATA_SET, RATE_LIMIT_PER_SESSION: '0', RATE_LIMIT_PER_IP: '0' });
  try {
    const startMs = await server.start(300_000);
    const db = new Database(database, { readonly: true, fileMustExist: true });
    const standing = db.prepare('SELECT id, code FROM units WHERE data_set_id = ? AND is_standing_agency = 1').get(DATA_SET) as { id: number; code: string };
    const commune = db.prepare("SELECT id, code FROM units WHERE data_set_id = ? AND reports_to_id = ? AND level = 'commune' ORDER BY sort_order LIMIT 1").get(DATA_SET, standing.id) as { id: number; code: string };
    const openTasks = () => (db.prepare("SELECT COUNT(*) AS n FROM inbox_tasks WHERE state = 'open'").get() as { n: number }).n;
    const staff = await sessionCookie(server.baseUrl, `staff.${commune.code}@${DATA_SET}`);
    const consolidator = await sessionCookie(server.baseUrl, `consolidator.${standing.code}@${DATA_SET}`);
    // The opening may still be finishing after /health: wait for the commune's report and the consolidation.
    let reportId: number | undefined;
    let consolidationId: number | undefined;
    for (let i = 0; i < 600 && (!reportId || !consolidationId); i++) {
      reportId = (await getJson(server.baseUrl, `/api/reports?unitId=${commune.id}`, staff))[0]?.id;
      consolidationId = (await getJson(server.baseUrl, `/api/consolidations?unitId=${standing.id}`, consolidator))[0]?.id;
      if (!reportId || !consolidationId) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!reportId || !consolidationId) throw new Error('the demo cycle did not open');
    const pages = {
      inbox: [`${server.baseUrl}/api/inbox`, staff],
      reportForm: [`${server.baseUrl}/api/reports/${reportId}`, staff],
      dashboard: [`${server.baseUrl}/api/consolidations/${consolidationId}/progress`, consolidator],
    } as const;
    const results: Record<string, unknown> = {};
    for (const [name, [url, cookie]] of Object.entries(pages)) {
      await load(url, cookie); // warm-up run, not counted
      const result = await load(url, cookie);
      results[name] = { p50Ms: result.latency.p50, p99Ms: result.latency.p99, maxMs: result.latency.max, requestsPerS: result.requests.average, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
    }
    process.stdout.write(`${JSON.stringify({ dataSet: DATA_SET, openTasks: openTasks(), connections, seconds, serverStartMs: startMs, results, loadAverage: require('node:os').loadavg().map((v: number) => Number(v.toFixed(1))) }, null, 2)}\n`);
    db.close();
  } finally {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
