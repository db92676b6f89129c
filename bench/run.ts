/**
 * Every benchmark in one command: `npm run bench` (`BENCH_ONLY=consolidation,cycle-2025-sqlite` for
 * some; `BENCH_SCALE=national` adds the 10,000-unit runs, which take hours on 2 cores).
 *
 * Each benchmark runs in its own process, one after another (never two at once: they would measure
 * each other), and prints its JSON; this writes them all to bench/results/<date>.json with the
 * machine's description and load, and rewrites the results table of BENCHMARKS.md between its
 * `bench:results` markers. Method and goals stay in BENCHMARKS.md's sections.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const REGISTER = join(ROOT, 'scripts/register-typescript.js');
const MARIADB_URL = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const national = process.env.BENCH_SCALE === 'national';

type Json = Record<string, any>;

interface Suite {
  name: string;
  args: string[];
  /** A fresh MariaDB database is created for the run and its URL appended to the arguments. */
  mariadb?: boolean;
  /** One line of the results table: what was measured, the figures, against which goal. */
  summarize: (result: Json) => { figures: string; goal: string };
}

const ts = (file: string, ...args: string[]) => ['-r', REGISTER, join(ROOT, file), ...args];

const cycleSummary = (r: Json) => ({
  figures: `${r.units} units, ${r.pdfs} PDFs in ${r.cycle.wallS} s (${r.cycle.pdfPerS} PDF/s); alone ${r.renderAlone.wallS} s → ${r.cycleOverRenderAlone}× (its own documents alone ${r.sameDocumentsAlone?.wallS} s → ${r.cycleOverSameDocumentsAlone}×); workflow CPU ${r.workflowCpu?.msPerUnit} ms/unit, CPU bound ${r.workflowCpu?.cpuBoundOverSameDocumentsAlone}×; app ${r.cycle.appPeakRssMb} MB, Chromium ${r.cycle.chromiumPeakPssMb} MB; db ${r.cycle.databaseMb} MB`,
  goal: 'cycle ≤ 1.3× rendering alone; peak < 1.5 GiB',
});

const SUITES: Suite[] = [
  {
    name: 'renderer',
    args: ts('bench/renderer.bench.ts', '60'),
    summarize: (r) => ({
      figures: `pooled ${r.results?.find((x: Json) => x.name === 'pooled renderer (2 pages)')?.pdfPerSecond} PDF/s = ${r.ratios?.pooledVsNaive}× naive, ${r.ratios?.pooledVsBare}× bare; 2-page report p95 ${r.latencyMs?.p95} ms; Chromium ${r.chromiumPeakMb?.pss} MB PSS`,
      goal: 'pooled ≥ 3× naive, ≥ 0.85× bare',
    }),
  },
  {
    name: 'workflow-engine',
    args: ['--expose-gc', ...ts('bench/workflow/workflow-engine.bench.ts', '500', '5', '10000')],
    summarize: (r) => {
      const b = r.medians?.['(b) start → two user tasks → end'];
      const a = r.medians?.['(a) start → service task → end'];
      return {
        figures: `(a) durable/raw ${a?.['durable / raw (wall, cpu)']?.join(' / ')}; (b) ${b?.['durable SQLite /s (wall, cpu)']?.join(' / ')} inst/s, durable/raw ${b?.['durable / raw (wall, cpu)']?.join(' / ')} (wall / CPU), durable/raw as published ${b?.['durable / raw as published (wall, cpu)']?.join(' / ')}; 10,000 waiting: RSS ${r.waitingInstances?.rssMiB} MiB`,
        goal: '≥ 0.75× raw, ≥ 120/s of (b); < 1 GiB',
      };
    },
  },
  ...(['messages', 'mi'] as const).map((design) => ({
    name: `fan-out-${design}`,
    args: ['--expose-gc', ...ts('bench/workflow/fan-out.bench.ts', design, ...(national ? ['50', '200'] : ['5', '200']))],
    summarize: (r: Json) => ({ figures: `${r.provinces} × ${r.units}: CPU ${r.cpuSeconds} s, written ${r.writtenMiB} MiB (values ${r.valuesWrittenMiB}), peak RSS ${r.peakRssMiB} MiB, largest state ${r.largestStateKiB} KiB`, goal: 'decision: linear writes' }),
  })),
  {
    name: 'consolidation',
    args: ts('bench/consolidation.bench.ts', '99', '100', '3'),
    summarize: (r) => ({ figures: `${r.units} units: province totals + tables ${r.provinceTotalsAndTablesMs} ms; progress ${r.medianMs.progress} ms; XLSX ${r.medianMs.tablesWorkbook} ms; ${r.districts} district closings ${r.medianMs.districtSnapshots} ms`, goal: 'totals and tables < 1 s' }),
  },
  {
    name: 'api',
    args: ts('bench/api.bench.ts', '10', '50'),
    summarize: (r) => ({
      figures: `${r.dataSet}, ${r.openTasks} open tasks, ${r.connections} clients: ${Object.entries(r.results).map(([page, x]: [string, any]) => `${page} p50 ${x.p50Ms} / p99 ${x.p99Ms} ms (${x.requestsPerS}/s${x.timeouts ? `, ${x.timeouts} timeouts` : ''})`).join('; ')}`,
      goal: 'p99 < 100 ms',
    }),
  },
  {
    name: 'pages',
    args: ts('bench/pages.bench.ts', '40'),
    summarize: (r) => ({
      figures: `${r.dataSet}, one request at a time: ${Object.entries(r.results).map(([page, x]: [string, any]) => `${page} ${x.medianMs} / ${x.p95Ms} ms`).join('; ')} (median / p95)`,
      goal: 'no page above 200 ms of server time',
    }),
  },
  {
    name: 'large-document',
    args: ts('bench/large-document.bench.ts', '512', '4046', ...(national ? ['10018'] : [])),
    summarize: (r) => ({
      figures: r.results.map((x: Json) => `${x.units} units: ${x.inParts.pages} pages in ${x.inParts.renderS} s, Chromium peak ${x.inParts.chromiumMb.peak} MB in parts (renderer ${x.inParts.largestProcessMb.renderer} MB) / ${x.whole.chromiumMb.peak} MB whole (${x.whole.renderS} s)`).join('; '),
      goal: 'peak < 1.5 GiB',
    }),
  },
  ...(national
    ? [
        {
          // 10,018 units, about 10,000 open draft tasks; opening the cycle takes 15-30 min on 2 shared cores.
          name: 'api-10000',
          args: ts('bench/api.bench.ts', '10', '50', 'generated:99x100'),
          summarize: (r: Json) => SUITES.find((s) => s.name === 'api')!.summarize(r),
        },
      ]
    : []),
  { name: 'cycle-2025-sqlite', args: ts('bench/cycle.bench.ts', 'quang-ngai-2025'), summarize: cycleSummary },
  { name: 'cycle-2025-mariadb', args: ts('bench/cycle.bench.ts', 'quang-ngai-2025'), mariadb: true, summarize: cycleSummary },
  { name: 'cycle-generated-500', args: ts('bench/cycle.bench.ts', 'generated:12x40'), summarize: cycleSummary },
  ...(national
    ? [
        { name: 'cycle-generated-4000', args: ts('bench/cycle.bench.ts', 'generated:66x60'), summarize: cycleSummary },
        { name: 'cycle-generated-10000', args: ts('bench/cycle.bench.ts', 'generated:99x100'), summarize: cycleSummary },
        { name: 'cycle-generated-10000-mariadb', args: ts('bench/cycle.bench.ts', 'generated:99x100'), mariadb: true, summarize: cycleSummary },
      ]
    : []),
];

function machine() {
  const info = cpus();
  return { cpus: info.length, model: info[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadavg().map((v) => Number(v.toFixed(1))) };
}

/** The JSON a benchmark printed last (they print one object, pretty or not, at the end). */
function lastJson(stdout: string): Json {
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new Error('printed no JSON');
  return JSON.parse(stdout.slice(start));
}

function withFreshMariaDb<T>(work: (url: string) => T): T {
  const name = `iso_cycle_bench_${Date.now()}`;
  const sql = (statement: string) => {
    const done = spawnSync(process.execPath, ['-e', `const m=require('mysql2/promise');(async()=>{const c=await m.createConnection(${JSON.stringify(MARIADB_URL)});await c.query(${JSON.stringify(statement)});await c.end();})().catch(e=>{console.error(e.message);process.exit(1)})`], { cwd: ROOT, encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`MariaDB (${MARIADB_URL}): ${done.stderr}`);
  };
  sql(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  try {
    return work(`${MARIADB_URL}/${name}`);
  } finally {
    sql(`DROP DATABASE ${name}`);
  }
}

function main() {
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  const selected = SUITES.filter((suite) => !only || only.includes(suite.name));
  if (only && selected.length !== only.length) throw new Error(`BENCH_ONLY names unknown benchmarks; known: ${SUITES.map((s) => s.name).join(', ')}`);
  const started = new Date();
  const results: Json = {};
  for (const suite of selected) {
    process.stderr.write(`==> ${suite.name}\n`);
    const run = (extra: string[]) => spawnSync(process.execPath, [...suite.args, ...extra], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] });
    const began = Date.now();
    const done = suite.mariadb ? withFreshMariaDb((url) => run([url])) : run([]);
    const wallS = Math.round((Date.now() - began) / 1000);
    if (done.status !== 0) {
      results[suite.name] = { failed: `exit ${done.status}`, wallS };
      continue;
    }
    const result = lastJson(done.stdout);
    results[suite.name] = { ...result, loadAverageAfter: loadavg().map((v) => Number(v.toFixed(1))), wallS };
  }
  // A partial run (BENCH_ONLY) adds to the day's file: the table shows every benchmark run that day.
  const date = started.toISOString().slice(0, 10);
  const file = join(ROOT, 'bench', 'results', `${date}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const earlier: Json = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { results: {} };
  const report = { date: started.toISOString(), machine: machine(), scale: national ? 'national' : 'province', results: { ...earlier.results, ...results } };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const rows = SUITES.filter((suite) => report.results[suite.name]).map((suite) => {
    const result = report.results[suite.name];
    if (result.failed) return `| ${suite.name} | failed (${result.failed}) | |`;
    const { figures, goal } = suite.summarize(result);
    return `| ${suite.name} | ${figures} | ${goal} |`;
  });

  const table = [
    `<!-- bench:results:start (written by \`npm run bench\`; do not edit by hand) -->`,
    `Last \`npm run bench\` of the day: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, load average at start ${report.machine.loadAverageAtStart.join(' ')}; raw figures in \`bench/results/${date}.json\`.`,
    '',
    '| benchmark | figures (medians; same-run ratios) | goal |',
    '|---|---|---|',
    ...rows,
    '<!-- bench:results:end -->',
  ].join('\n');
  const benchmarksFile = join(ROOT, 'BENCHMARKS.md');
  const text = readFileSync(benchmarksFile, 'utf8');
  const block = /<!-- bench:results:start[\s\S]*?<!-- bench:results:end -->/;
  writeFileSync(benchmarksFile, block.test(text) ? text.replace(block, table) : `${text.trimEnd()}\n\n## Latest run of every benchmark\n\n${table}\n`);
  process.stderr.write(`results: ${file}\n`);
}

main();
