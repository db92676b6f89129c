/**
 * API under load (not a test): the real server (`iso-cycle serve`, its own process, SQLite, the demo
 * data set seeded and this year's cycle opened at first start, rate limits off) with 50 concurrent
 * clients on the three pages people wait on: a commune's inbox, its report form's data, and the
 * standing agency's consolidation dashboard; autocannon (a maintained HTTP load tool) measures each
 * in turn for `seconds`. Prints p50/p99 latency, requests per second and non-2xx answers as JSON.
 *
 * With a generated tree (`generated:99x100`: 20 agencies + 99 districts × 100 communes, bench/support/
 * generated-tree.ts) the server seeds it and opens its cycle at first start: 10,018 reports, about
 * 10,000 open draft tasks. The bench waits until every report is open and the opening has finished
 * (the request letter issued) before it measures, and then also measures a district's dashboard
 * (its 100 communes) besides the province's (every unit).
 *
 *   node -r ./scripts/register-typescript.js bench/api.bench.ts [seconds=10] [connections=50] [data set=quang-ngai-2025|generated:DxC]
 *
 * API_BENCH_DIR=<dir> keeps the database there and reuses it on the next run (opening 10,000 units
 * once takes minutes); API_BENCH_PROFILE=<dir> leaves there the server's CPU profile of each page's
 * measured run (<page>.cpuprofile).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD } from '../src/organization/import/demo-people';
import { freePort, ServerProcess } from '../test/soak/soak-server';
import { generatedTree } from './support/generated-tree';

const [seconds = 10, connections = 50] = process.argv.slice(2, 4).map(Number);
const dataSetArg = process.argv[4] ?? 'quang-ngai-2025';
const generated = /^generated:(\d+)x(\d+)$/.exec(dataSetArg);
const tree = generated ? generatedTree({ agencies: 20, districts: Number(generated[1]), communes: Number(generated[2]) }) : null;
const DATA_SET = tree?.id ?? dataSetArg;

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

/** Waits until the process used under 20% of a core over 2 s (from /proc), or 5 minutes passed. */
async function quiet(pid: number): Promise<void> {
  const ticks = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((sum, n) => sum + Number(n), 0);
  const hz = 100; // USER_HZ on Linux
  for (const began = Date.now(); Date.now() - began < 300_000; ) {
    const before = ticks();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if ((ticks() - before) / hz / 2 < 0.2) return;
  }
}

function load(url: string, cookie: string): Promise<autocannon.Result> {
  // As a browser asks: it takes gzip (only the dashboard's kept JSON is sent compressed).
  return autocannon({ url, connections, duration: seconds, headers: { cookie, 'accept-encoding': 'gzip, deflate, br' } });
}

async function main() {
  const kept = process.env.API_BENCH_DIR;
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'iso-cycle-api-bench-'));
  mkdirSync(dir, { recursive: true });
  const database = join(dir, 'iso-cycle.sqlite');
  const reused = existsSync(database);
  let seed = DATA_SET;
  if (tree) writeFileSync((seed = join(dir, `${tree.id}.json`)), JSON.stringify(tree));
  const profileDir = process.env.API_BENCH_PROFILE;
  const server = new ServerProcess(
    await freePort(),
    {
      DATABASE_URL: `sqlite:${database}`, RUNTIME_DIR: join(dir, 'runtime'), SEED_ORGANIZATION: seed, RATE_LIMIT_PER_SESSION: '0', RATE_LIMIT_PER_IP: '0',
      // The session idle expiry would end the consolidator's session while a long opening runs.
      SESSION_IDLE_MINUTES: '600',
      ...(profileDir ? { CPU_PROFILE_DIR: profileDir } : {}),
    },
    profileDir ? [join(__dirname, 'support', 'cpu-profile-on-signal.js')] : [],
  );
  /** With API_BENCH_PROFILE, the server's CPU profile of one measured run is written as <dir>/<name>.cpuprofile. */
  let profiles = 0;
  const profiled = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    if (!profileDir) return work();
    process.kill(server.pid!, 'SIGWINCH');
    const result = await work();
    process.kill(server.pid!, 'SIGWINCH');
    const file = join(profileDir, `profile-${++profiles}.cpuprofile`);
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (existsSync(file)) renameSync(file, join(profileDir, `${name}.cpuprofile`));
    return result;
  };
  try {
    // `serve` opens the demo cycle before it listens: 10,000 units take a while.
    const startMs = await server.start(tree ? 3 * 3600_000 : 300_000);
    const db = new Database(database, { readonly: true, fileMustExist: true });
    const standing = db.prepare('SELECT id, code FROM units WHERE data_set_id = ? AND is_standing_agency = 1').get(DATA_SET) as { id: number; code: string };
    // A commune reporting to the province (two-level provinces) or to a district (generated trees).
    const commune = db.prepare("SELECT id, code, reports_to_id AS reportsToId FROM units WHERE data_set_id = ? AND level = 'commune' ORDER BY sort_order LIMIT 1").get(DATA_SET) as { id: number; code: string; reportsToId: number };
    const district = commune.reportsToId === standing.id ? null : (db.prepare('SELECT id, code FROM units WHERE id = ?').get(commune.reportsToId) as { id: number; code: string });
    const reportingUnits = (db.prepare('SELECT COUNT(*) AS n FROM units WHERE data_set_id = ? AND reports_to_id IS NOT NULL').get(DATA_SET) as { n: number }).n;
    const openTasks = () => (db.prepare("SELECT COUNT(*) AS n FROM inbox_tasks WHERE state = 'open'").get() as { n: number }).n;
    const reportsOpen = () => (db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n;
    // The opening runs after /health; its end is the request letter issued (measuring before would measure the opening).
    const letterIssued = () => !!db.prepare("SELECT 1 FROM issued_documents WHERE template_kind = 'request-to-report-letter' AND state = 'issued'").get();
    const openingBegan = Date.now();
    let lastLog = 0;
    while (!(reportsOpen() >= reportingUnits && letterIssued())) {
      if (Date.now() - openingBegan > 3 * 3600_000) throw new Error(`the cycle did not open: ${reportsOpen()}/${reportingUnits} reports`);
      if (Date.now() - lastLog > 30_000) process.stderr.write(`opening: ${reportsOpen()}/${reportingUnits} reports, ${openTasks()} open tasks\n`), (lastLog = Date.now());
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const openingMs = Date.now() - openingBegan;
    // After a start on 10,000 units the server has background work (start-up reconciliations over every
    // report and task) for a while: measure once its CPU is quiet (under 20% over 2 s, 5 min at most).
    const settleBegan = Date.now();
    await quiet(server.pid!);
    const settleMs = Date.now() - settleBegan;
    const staff = await sessionCookie(server.baseUrl, `staff.${commune.code}@${DATA_SET}`);
    const consolidator = await sessionCookie(server.baseUrl, `consolidator.${standing.code}@${DATA_SET}`);
    const reportId: number | undefined = (await getJson(server.baseUrl, `/api/reports?unitId=${commune.id}`, staff))[0]?.id;
    const consolidationId: number | undefined = (await getJson(server.baseUrl, `/api/consolidations?unitId=${standing.id}`, consolidator))[0]?.id;
    if (!reportId || !consolidationId) throw new Error('the cycle did not open');
    const pages: Record<string, [string, string]> = {
      inbox: [`${server.baseUrl}/api/inbox`, staff],
      reportForm: [`${server.baseUrl}/api/reports/${reportId}`, staff],
      dashboard: [`${server.baseUrl}/api/consolidations/${consolidationId}/progress`, consolidator],
      // What the dashboard page asks for and shows: one page of 200 units (counts and totals whole).
      dashboardPage: [`${server.baseUrl}/api/consolidations/${consolidationId}/progress?limit=200`, consolidator],
      // The server-rendered dashboard itself (HTML, 200 units a page).
      progressPage: [`${server.baseUrl}/progress?unitId=${standing.id}&id=${consolidationId}`, consolidator],
    };
    if (district) {
      const districtConsolidator = await sessionCookie(server.baseUrl, `consolidator.${district.code}@${DATA_SET}`);
      const districtConsolidation: number = (await getJson(server.baseUrl, `/api/consolidations?unitId=${district.id}`, districtConsolidator))[0].id;
      pages.districtDashboard = [`${server.baseUrl}/api/consolidations/${districtConsolidation}/progress`, districtConsolidator];
    }
    // One request alone first: its size, and its latency on a cold server (for the dashboard, what a
    // read after a write costs when the progress is kept between writes).
    const sizes: Record<string, number> = {};
    const firstMs: Record<string, number> = {};
    for (const [name, [url, cookie]] of Object.entries(pages)) {
      const began = process.hrtime.bigint();
      const response = await fetch(url, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
      sizes[name] = (await response.arrayBuffer()).byteLength;
      firstMs[name] = Math.round(Number(process.hrtime.bigint() - began) / 1e6);
    }
    const results: Record<string, unknown> = {};
    for (const [name, [url, cookie]] of Object.entries(pages)) {
      await load(url, cookie); // warm-up run, not counted
      const result = await profiled(name, () => load(url, cookie));
      results[name] = { bytes: sizes[name], firstMs: firstMs[name], p50Ms: result.latency.p50, p99Ms: result.latency.p99, maxMs: result.latency.max, requestsPerS: result.requests.average, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
    }
    process.stdout.write(`${JSON.stringify({ dataSet: DATA_SET, reused, openTasks: openTasks(), connections, seconds, serverStartMs: startMs, openingMs, settleMs, results, loadAverage: require('node:os').loadavg().map((v: number) => Number(v.toFixed(1))) }, null, 2)}\n`);
    db.close();
  } catch (error) {
    process.stderr.write(`server log:\n${server.log.slice(-4000)}\n`);
    throw error;
  } finally {
    // A clean stop: a kept database is left consistent for the next run.
    await server.stop();
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
