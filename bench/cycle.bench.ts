/**
 * Full-cycle benchmark (not a test): `iso-cycle simulate` on a data set, as a user runs it (its own
 * process, the embedded engine, Chromium), then the same number of PDFs rendered alone by the same
 * pooled renderer, so the cycle's wall time can be set against the rendering it cannot avoid.
 *
 * Measured: wall time of the cycle, PDFs written, PDFs per second, peak memory of the application
 * process (RSS) and of its Chromium (PSS of the browser's processes), database size at the end; then
 * the wall time of rendering that many unit reports (2 in flight, the application's pool) in a fresh
 * process, and of rendering again the very documents the cycle stored (its consolidated reports are
 * longer than a unit's), each from the kind and data it was issued with. Also the core-seconds the
 * machine was busy during each (Chromium's included): the cycle's less its documents' alone is the CPU
 * the workflow adds, and the cycle's over the cores the least wall time it could take — on 2 cores the
 * bound the ratio cannot beat however well rendering and workflow overlap. `org` is a data-set id or
 * file, or `generated:<districts>x<communes>` for a generated three-level tree
 * (bench/support/generated-tree.ts, 20 agencies + districts × communes).
 *
 *   node -r ./scripts/register-typescript.js bench/cycle.bench.ts <org> [DATABASE_URL]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generatedTree } from './support/generated-tree';
import { machineBusyCoreSeconds } from './support/machine-cpu';
import { treeMemoryMb } from './support/process-memory';

const ROOT = resolve(__dirname, '..');
const [orgArgument = 'quang-ngai-2025', databaseUrl] = process.argv.slice(2);
const YEAR = '2026';

interface ChildRun {
  wallMs: number;
  /** Core-seconds the machine was busy meanwhile (machine-cpu.ts): the process, its Chromium and anything else running. */
  machineCpuS: number;
  appPeakRssMb: number;
  chromiumPeakPssMb: number;
  stdout: string;
}

/** Runs a TypeScript entry point in its own Node process, sampling its memory and its Chromium's. */
function runChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const busyAtStart = machineBusyCoreSeconds();
    const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts/register-typescript.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const peak = { app: 0, chromium: 0 };
    const sampler = setInterval(() => {
      try {
        const app = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
        const all = treeMemoryMb(child.pid!);
        peak.app = Math.max(peak.app, app);
        // The tree's PSS less the application's own: the browser's processes.
        const appPss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
        peak.chromium = Math.max(peak.chromium, all.pss - appPss);
      } catch {
        // the process ended between two samples
      }
    }, 500);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr.slice(-4000)}`));
      resolvePromise({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, machineCpuS: machineBusyCoreSeconds() - busyAtStart, appPeakRssMb: Math.round(peak.app), chromiumPeakPssMb: Math.round(peak.chromium), stdout });
    });
  });
}

async function databaseBytes(out: string): Promise<number> {
  if (!databaseUrl) {
    return ['iso-cycle.sqlite', 'iso-cycle.sqlite-wal'].map((name) => join(out, name)).filter(existsSync).reduce((sum, file) => sum + statSync(file).size, 0);
  }
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  try {
    const [rows] = await connection.query('SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE()');
    return Number((rows as { bytes: string }[])[0].bytes);
  } finally {
    await connection.end();
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'iso-cycle-cycle-bench-'));
  try {
    let org = orgArgument;
    const generated = /^generated:(\d+)x(\d+)$/.exec(orgArgument);
    if (generated) {
      const tree = generatedTree({ agencies: 20, districts: Number(generated[1]), communes: Number(generated[2]) });
      org = join(work, `${tree.id}.json`);
      writeFileSync(org, JSON.stringify(tree));
    }
    const out = join(work, 'out');
    const cycle = await runChild(['src/main.ts', 'simulate', '--org', org, '--year', YEAR, '--out', out, ...(databaseUrl ? ['--database-url', databaseUrl] : [])]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { units: number; documents: unknown[]; ministryDraft: unknown | null; durationsMs: Record<string, number> };
    const pdfs = summary.documents.length + (summary.ministryDraft ? 1 : 0);
    const dbBytes = await databaseBytes(out);
    const alone = await runChild(['bench/support/render-alone.ts', String(pdfs)]);
    // The same documents the cycle issued, from their stored kind and data (consolidated reports included).
    const sameDocuments = await runChild(['bench/support/render-alone.ts', '--store', join(out, 'runtime', 'documents')]);
    const round1 = (value: number) => Math.round(value * 10) / 10;
    // The CPU the workflow adds to rendering, and the least wall time it allows: every core busy throughout.
    const workflowCpuS = cycle.machineCpuS - sameDocuments.machineCpuS;
    const cpuBoundS = cycle.machineCpuS / cpus().length;
    const report = {
      org: orgArgument,
      database: databaseUrl ? 'mariadb' : 'sqlite',
      units: summary.units,
      pdfs,
      cycle: { wallS: Math.round(cycle.wallMs / 100) / 10, machineCpuS: round1(cycle.machineCpuS), pdfPerS: Math.round((pdfs / cycle.wallMs) * 1e4) / 10, appPeakRssMb: cycle.appPeakRssMb, chromiumPeakPssMb: cycle.chromiumPeakPssMb, databaseMb: Math.round(dbBytes / 2 ** 20) },
      renderAlone: { wallS: Math.round(alone.wallMs / 100) / 10, machineCpuS: round1(alone.machineCpuS), ...JSON.parse(alone.stdout) },
      cycleOverRenderAlone: Math.round((cycle.wallMs / alone.wallMs) * 100) / 100,
      sameDocumentsAlone: { wallS: Math.round(sameDocuments.wallMs / 100) / 10, machineCpuS: round1(sameDocuments.machineCpuS), ...JSON.parse(sameDocuments.stdout) },
      cycleOverSameDocumentsAlone: Math.round((cycle.wallMs / sameDocuments.wallMs) * 100) / 100,
      workflowCpu: {
        coreS: round1(workflowCpuS),
        msPerUnit: Math.round((workflowCpuS * 1000) / summary.units),
        /** The ratio the cycle's CPU allows at best, against the same documents alone. */
        cpuBoundOverSameDocumentsAlone: Math.round(((cpuBoundS * 1000) / sameDocuments.wallMs) * 100) / 100,
      },
      simulatorPhasesMs: summary.durationsMs,
      loadAverage: require('node:os').loadavg().map((value: number) => Number(value.toFixed(1))),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
