import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ReceivedMail {
  /** The message exactly as it came over the wire (after SMTP's dot-unstuffing). */
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

/** A real SMTP server process (smtp-sink-process.js) on a loopback port; what it received is read back from its folder. */
export class SmtpSink {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly folder: string,
  ) {}

  /** `acceptDelayMs`: answer each message only that long after its data (a slow relay). */
  static async start(acceptDelayMs = 0): Promise<SmtpSink> {
    const folder = mkdtempSync(join(tmpdir(), 'iso-smtp-'));
    const child = spawn(process.execPath, [join(__dirname, 'smtp-sink-process.js'), folder, String(acceptDelayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (line) => resolve(JSON.parse(line).port));
      child.once('exit', (code) => reject(new Error(`smtp-sink exited with ${code} before listening`)));
    });
    return new SmtpSink(child, port, folder);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  received(): ReceivedMail[] {
    const numbers = readdirSync(this.folder)
      .filter((f) => /^\d+\.json$/.test(f))
      .map((f) => Number(f.split('.')[0]))
      .sort((a, b) => a - b);
    return numbers.map((n) => ({ raw: readFileSync(join(this.folder, `${n}.eml`)), envelope: JSON.parse(readFileSync(join(this.folder, `${n}.json`), 'utf8')) }));
  }

  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const until = Date.now() + timeoutMs;
    while (this.received().length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} mails, the SMTP server received ${this.received().length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.received();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.folder, { recursive: true, force: true });
  }
}
