import { digestOf } from '../../src/audit/canonical-json';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportValues } from '../../src/reports/form/report-values';
import { ApiClient, ApiResponse } from '../support/http-app';

/** One unit's report, driven by its staff member and its head. */
export interface SoakUnit {
  reportId: number;
  unitCode: string;
  unitName: string;
  year: number;
  period: { start: string; end: string };
  /** Whether the head returns the first submitted version before approving a later one. */
  returnFirst: boolean;
}

/** Writes the server acknowledged with a 2xx: each must be found in the database afterwards. */
export interface Ledger {
  saves: { reportId: number; digest: string }[];
  submits: { reportId: number }[];
  reviews: { reportId: number; versionNo: number; decision: 'approved' | 'returned' }[];
  claims: { taskKey: string; login: string }[];
  /** Requests that got no answer (the server died under them): their outcome is unknown. */
  unanswered: number;
  /** 429s met (the rate limit is on, with the soak's settings). */
  throttled: number;
}

export const newLedger = (): Ledger => ({ saves: [], submits: [], reviews: [], claims: [], unanswered: 0, throttled: 0 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A person at a browser: signs in, and retries through a dead server (connection refused or reset)
 * until it answers — the outcome of a request that got no answer is unknown, so the caller reads
 * the state again before deciding. A 429 is waited out as its Retry-After says.
 */
export class SoakUser {
  private client: ApiClient;
  /** What the server last said (or did not), for the failure message. */
  private lastAnswer = 'none';

  constructor(
    private readonly baseUrl: string,
    readonly login: string,
    private readonly ledger: Ledger,
    private readonly deadline: () => number,
  ) {
    this.client = new ApiClient(baseUrl);
  }

  async signIn(): Promise<void> {
    for (;;) {
      const response = await this.answer(() => this.client.login(this.login, DEMO_PASSWORD));
      if (response?.status === 200) return;
      if (response && response.status !== 429) throw new Error(`${this.login}: sign-in answered ${response.status} ${JSON.stringify(response.body)}`);
    }
  }

  /** One request; null when the server did not answer (then it is not retried: the caller re-reads). */
  async request(method: string, path: string, body?: unknown): Promise<ApiResponse | null> {
    const response = await this.answer(() => this.client.request(method, path, body === undefined ? {} : { body }));
    if (response?.status === 401) {
      // Sessions are in the database and survive restarts; a 401 here would be a lost session.
      throw new Error(`${this.login}: ${method} ${path} answered 401 — the session was lost`);
    }
    return response;
  }

  /** A read, retried until the server answers. */
  async read(path: string): Promise<any> {
    for (;;) {
      const response = await this.request('GET', path);
      if (response?.status === 200) return response.body;
      if (response && response.status !== 429) throw new Error(`${this.login}: GET ${path} answered ${response.status} ${JSON.stringify(response.body)}`);
    }
  }

  private async answer(send: () => Promise<ApiResponse>): Promise<ApiResponse | null> {
    for (;;) {
      if (Date.now() > this.deadline()) throw new Error(`${this.login}: the soak's time is up (last answer: ${this.lastAnswer})`);
      try {
        const response = await send();
        this.lastAnswer = `${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
        if (response.status === 429) {
          this.ledger.throttled++;
          await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
          return response;
        }
        return response;
      } catch (error) {
        const code = (error as { code?: string }).code;
        this.lastAnswer = `no answer (${code ?? (error as Error).message})`;
        if (code === 'ECONNREFUSED') {
          // Down: nothing was sent; try again in a moment.
          await sleep(100);
          continue;
        }
        // Reset or hung up under the request: it may or may not have been done.
        this.ledger.unanswered++;
        await sleep(100);
        return null;
      }
    }
  }
}

const think = () => sleep(20 + Math.random() * 120);

/**
 * The unit's staff: saves the draft a few times (a different figure each time), submits; after a
 * return, fixes and submits again. Reads the report before each step, so a request the server died
 * under is simply looked at again. Every 2xx write goes to the ledger with what it wrote.
 */
export async function runStaff(user: SoakUser, unit: SoakUnit, ledger: Ledger): Promise<void> {
  const random = seededRandom(unit.reportId);
  const values: ReportValues = generateReportValues(formForYear(unit.year), random, unit.period, unit.unitName);
  let saveNo = 0;
  for (;;) {
    const { report } = await user.read(`/api/reports/${unit.reportId}`);
    if (report.status === 'approved' || report.status === 'issued') return;
    const inbox: { elementId: string; subject: string }[] = await user.read('/api/inbox');
    const draftTask = inbox.find((task) => task.elementId === 'draft-report' && task.subject === `report:${unit.reportId}`);
    if (!draftTask) {
      await think();
      continue; // in review, or the engine has not offered the task yet
    }
    if (report.status === 'in-review') {
      // Submitted, but the server died before the task was completed: submit again finishes it.
      await user.request('POST', `/api/reports/${unit.reportId}/submit`);
      continue;
    }
    // Two saves per round; each must be acknowledged before the next step.
    for (let n = 0; n < 2; n++) {
      saveNo++;
      values.figures.training.courses = saveNo;
      values.narratives = { ...values.narratives };
      for (;;) {
        const response = await user.request('PUT', `/api/reports/${unit.reportId}/draft`, values);
        if (response?.status === 200) {
          ledger.saves.push({ reportId: unit.reportId, digest: digestOf({ figures: values.figures, narratives: values.narratives }) });
          break;
        }
        if (response && response.status !== 429) throw new Error(`${user.login}: saving the draft answered ${response.status} ${JSON.stringify(response.body)}`);
      }
      await think();
    }
    const submitted = await user.request('POST', `/api/reports/${unit.reportId}/submit`);
    if (submitted && submitted.status >= 200 && submitted.status < 300) ledger.submits.push({ reportId: unit.reportId });
    else if (submitted && ![409, 429].includes(submitted.status)) throw new Error(`${user.login}: submit answered ${submitted.status} ${JSON.stringify(submitted.body)}`);
    await think();
  }
}

/**
 * The unit's head: waits for the review task, claims it when it is offered to the group, and
 * decides — returns the first version with a comment when `returnFirst`, approves otherwise.
 */
export async function runHead(user: SoakUser, unit: SoakUnit, ledger: Ledger): Promise<void> {
  for (;;) {
    // The inbox first, then the report: the report is then at least as new as the task seen.
    const inbox: { taskKey: string; elementId: string; subject: string; assignee: string | null }[] = await user.read('/api/inbox');
    const { report } = await user.read(`/api/reports/${unit.reportId}`);
    const task = inbox.find((t) => t.elementId === 'head-review' && t.subject === `report:${unit.reportId}`);
    const versionNo: number = report.currentVersion;
    const decision = unit.returnFirst && versionNo === 1 ? 'returned' : 'approved';
    const body = decision === 'returned' ? { decision, comment: `Đề nghị bổ sung số liệu đào tạo (phiên bản ${versionNo})`, version: versionNo } : { decision, version: versionNo };
    if (report.status === 'approved' || report.status === 'issued') {
      if (!task) return;
    } else if (!task || report.status !== 'in-review') {
      if (!(task && report.status === 'returned')) {
        await think();
        continue;
      }
    }
    // A report already decided whose review task is still in the inbox: the decision was recorded,
    // but the server died before the process moved on; doing the task again finishes it (a person
    // would see it there too). The same decision as before, for the same version.
    const decided = report.status === 'approved' || report.status === 'issued' || report.status === 'returned';
    if (!decided && task!.assignee !== user.login) {
      const claimed = await user.request('POST', `/api/tasks/${task!.taskKey}/claim`);
      if (claimed && claimed.status >= 200 && claimed.status < 300) ledger.claims.push({ taskKey: task!.taskKey, login: user.login });
      else if (claimed && ![409, 429].includes(claimed.status)) throw new Error(`${user.login}: claim answered ${claimed.status} ${JSON.stringify(claimed.body)}`);
      continue;
    }
    const reviewed = await user.request('POST', `/api/reports/${unit.reportId}/review`, body);
    if (reviewed && reviewed.status >= 200 && reviewed.status < 300) ledger.reviews.push({ reportId: unit.reportId, versionNo, decision });
    else if (reviewed && ![409, 429].includes(reviewed.status)) throw new Error(`${user.login}: review answered ${reviewed.status} ${JSON.stringify(reviewed.body)}`);
    await think();
  }
}
