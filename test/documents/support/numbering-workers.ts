import { fork } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseConfig } from '../../../src/config/app-config';

export interface WorkerResult {
  numbered: { id: string; number: number; symbol: string }[];
  errors: { id: string; message: string; errno?: number; code?: string }[];
}

export interface WorkerRun {
  database: DatabaseConfig;
  unitId: number;
  processes: number;
  perProcess: number;
  /** Issues in flight at once inside each process (each on its own pooled connection on MariaDB). */
  concurrency: number;
  unsafeWithoutCounterLock?: boolean;
  /** The clock every worker reads. */
  now: string;
}

/**
 * Starts `processes` OS processes running numbering-worker.js, waits until every one is connected,
 * releases them at once, and collects what each numbered.
 */
export async function runNumberingWorkers(run: WorkerRun): Promise<WorkerResult> {
  const children = Array.from({ length: run.processes }, (_, index) =>
    fork(join(__dirname, 'numbering-worker.js'), [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        WORKER_INPUT: JSON.stringify({
          database: run.database,
          unitId: run.unitId,
          prefix: `p${index}`,
          count: run.perProcess,
          concurrency: run.concurrency,
          unsafeWithoutCounterLock: run.unsafeWithoutCounterLock ?? false,
          now: run.now,
        }),
      },
    }),
  );
  const messages = children.map(
    (child) =>
      new Promise<{ ready: Promise<void>; result: Promise<WorkerResult> }>((settle) => {
        let markReady: () => void;
        const ready = new Promise<void>((r) => (markReady = r));
        const result = new Promise<WorkerResult>((resolve, reject) => {
          child.on('message', (message: any) => {
            if (message.ready) markReady();
            else if (message.done) resolve({ numbered: message.numbered, errors: message.errors });
            else if (message.failed) reject(new Error(`numbering worker failed: ${message.failed}`));
          });
          child.on('exit', (code) => reject(new Error(`numbering worker exited with code ${code} before reporting`)));
        });
        settle({ ready, result });
      }),
  );
  const handles = await Promise.all(messages);
  await Promise.all(handles.map((h) => h.ready));
  for (const child of children) child.send('go');
  const results = await Promise.all(handles.map((h) => h.result));
  return { numbered: results.flatMap((r) => r.numbered), errors: results.flatMap((r) => r.errors) };
}
