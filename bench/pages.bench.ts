/**
 * Server time of every page of the web app at the demo data size (not a test): the real server
 * (`iso-cycle serve`, its own process, SQLite, quang-ngai-2025 seeded and this year's cycle opened at
 * first start), one client asking for each page in turn, one request at a time, so that a request's
 * latency on the loopback is the page's server time plus well under a millisecond. Issue #9's goal:
 * no page above 200 ms. Prints JSON: median, p95 and max per page, and the page's size.
 *
 *   node -r ./scripts/register-typescript.js bench/pages.bench.ts [requests=40]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD } from '../src/organization/import/demo-people';
import { freePort, ServerProcess } from '../test/soak/soak-server';

const [requests = 40] = process.argv.slice(2).map(Number);
const DATA_SET = 'quang-ngai-2025';

async function sessionCookie(baseUrl: string, login: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: DEMO_PASSWORD }) });
  if (response.status !== 200) throw new Error(`${login}: sign-in answered ${response.status}`);
  return response.headers.get('set-cookie')!.split(';')[0];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-pages-bench-'));
  const database = join(dir, 'iso-cycle.sqlite');
  const server = new ServerProcess(await freePort(), { DATABASE_URL: `sqlite:${database}`, RUNTIME_DIR: join(dir, 'runtime'), SEED_ORGANIZATION: DATA_SET, RATE_LIMIT_PER_SESSION: '0', RATE_LIMIT_PER_IP: '0' });
  try {
    await server.start(300_000);
    const db = new Database(database, { readonly: true, fileMustExist: true });
    const standing = db.prepare('SELECT id, code FROM units WHERE data_set_id = ? AND is_standing_agency = 1').get(DATA_SET) as { id: number; code: string };
    const commune = db.prepare("SELECT id, code FROM units WHERE data_set_id = ? AND reports_to_id = ? AND level = 'commune' ORDER BY sort_order LIMIT 1").get(DATA_SET, standing.id) as { id: number; code: string };
    const units = (db.prepare('SELECT COUNT(*) AS n FROM units WHERE data_set_id = ? AND reports_to_id IS NOT NULL').get(DATA_SET) as { n: number }).n;
    for (let i = 0; i < 600; i++) {
      const opened = (db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n >= units && !!db.prepare("SELECT 1 FROM issued_documents WHERE template_kind = 'request-to-report-letter' AND state = 'issued'").get();
      if (opened) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const reportId = (db.prepare('SELECT id FROM reports WHERE unit_id = ?').get(commune.id) as { id: number }).id;
    const staff = await sessionCookie(server.baseUrl, `staff.${commune.code}@${DATA_SET}`);
    const head = await sessionCookie(server.baseUrl, `head.${commune.code}@${DATA_SET}`);
    const consolidator = await sessionCookie(server.baseUrl, `consolidator.${standing.code}@${DATA_SET}`);
    const administrator = await sessionCookie(server.baseUrl, `administrator.${standing.code}@${DATA_SET}`);
    const pages: Record<string, [string, string]> = {
      login: ['/login', ''],
      inbox: ['/inbox', staff],
      report: [`/report?id=${reportId}`, staff],
      account: ['/account', staff],
      documents: ['/documents', staff],
      process: [`/process?report=${reportId}`, staff],
      signatures: ['/signatures', head],
      progress: [`/progress?unitId=${standing.id}`, consolidator],
      admin: [`/admin?unitId=${standing.id}`, administrator],
    };
    const results: Record<string, unknown> = {};
    for (const [name, [path, cookie]] of Object.entries(pages)) {
      const times: number[] = [];
      let bytes = 0;
      let status = 0;
      for (let i = 0; i < requests + 3; i++) {
        const began = process.hrtime.bigint();
        const response = await fetch(`${server.baseUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
        const body = await response.arrayBuffer();
        const ms = Number(process.hrtime.bigint() - began) / 1e6;
        status = response.status;
        bytes = body.byteLength;
        if (i >= 3) times.push(ms); // the first three warm the page's code paths
      }
      times.sort((a, b) => a - b);
      results[name] = { path, status, bytes, medianMs: +percentile(times, 50).toFixed(1), p95Ms: +percentile(times, 95).toFixed(1), maxMs: +times[times.length - 1].toFixed(1) };
    }
    db.close();
    process.stdout.write(`${JSON.stringify({ dataSet: DATA_SET, units, requests, results, loadAverage: loadavg().map((v) => Number(v.toFixed(1))) }, null, 2)}\n`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
