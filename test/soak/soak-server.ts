import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The real application, `iso-cycle serve` (src/main.ts compiled in memory, as the CLI tests run it),
 * in its own OS process: started, killed with SIGKILL, started again on the same database and
 * runtime folder. `preload` adds a module before the application (the test-only fault switch).
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Everything the server wrote to stderr, across its lives (shown when a check fails). */
  log = '';
  starts = 0;
  kills = 0;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly preload: string[] = [],
  ) {}

  /** The OS process id while it runs (a lease's holder names it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits until /health answers 200 (or the process dies, or the time is up). */
  async start(timeoutMs = 90_000): Promise<number> {
    const began = Date.now();
    const requires = [join(ROOT, 'scripts', 'register-typescript.js'), ...this.preload].flatMap((file) => ['-r', file]);
    const child = spawn(process.execPath, [...requires, join(ROOT, 'src', 'main.ts'), 'serve'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), LOG_FORMAT: 'pretty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    let died = false;
    this.exited = new Promise((resolve) => child.on('exit', () => ((died = true), resolve())));
    child.stdout!.on('data', () => undefined);
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    while (Date.now() - began < timeoutMs) {
      if (died) throw new Error(`the server died while starting (start ${this.starts}):\n${this.log.slice(-4000)}`);
      try {
        const response = await fetch(`${this.baseUrl}/health`);
        if (response.status === 200) return Date.now() - began;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the server did not answer /health within ${timeoutMs} ms (start ${this.starts}):\n${this.log.slice(-4000)}`);
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    this.kills++;
    await this.exited;
    this.child = null;
  }

  /** A clean stop (SIGTERM, shutdown hooks), for the end of the run. */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }
}
