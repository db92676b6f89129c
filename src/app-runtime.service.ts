import { Injectable, Logger } from '@nestjs/common';
import { InboxProjection } from './inbox/inbox-projection';
import { MailOutboxDispatcher } from './notifications/mail-outbox-dispatcher';
import { ReportWorkers } from './reports/report-workers';
import { ReportReconciliation } from './reports/report-reconciliation';
import { SignatureReconciliation } from './reports/signature-reconciliation';
import { DeadlineWorkers } from './deadlines/deadline-workers';
import { PdfRenderer } from './documents/rendering/pdf-renderer';
import { ConsolidationWorkers } from './consolidation/consolidation-workers';
import { deployProductProcesses } from './workflow/process-catalogue';
import { WorkflowEngine } from './workflow/workflow-engine';

/**
 * What runs once the schema is migrated: the engine (with its lock and scheduler), the product's
 * processes deployed, the inbox following the engine, reports whose last step a crash cut in half
 * finished (ReportReconciliation) and "Ký số" tasks whose signature is already in
 * (SignatureReconciliation), and the mail outbox sent. `serve`, `simulate` and the tests start it
 * explicitly, so that `migrate` and other commands never touch the engine.
 */
@Injectable()
export class AppRuntime {
  private readonly logger = new Logger(AppRuntime.name);

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly inbox: InboxProjection,
    private readonly reportWorkers: ReportWorkers,
    private readonly deadlineWorkers: DeadlineWorkers,
    private readonly consolidationWorkers: ConsolidationWorkers,
    private readonly mailOutbox: MailOutboxDispatcher,
    private readonly reconciliation: ReportReconciliation,
    private readonly signatures: SignatureReconciliation,
    private readonly renderer: PdfRenderer,
  ) {}

  /**
   * @param options.warmRenderer start Chromium meanwhile (`serve`, `simulate`), so that the first
   * document does not wait ~1.5 s for it; a browser that cannot start fails that document, as before.
   */
  async start(options: { warmRenderer?: boolean } = {}): Promise<void> {
    if (options.warmRenderer) this.renderer.warmUp().catch((error: unknown) => this.logger.warn(`the PDF renderer did not start: ${(error as Error).message}`));
    this.inbox.attach();
    await this.engine.start();
    this.reportWorkers.register();
    this.deadlineWorkers.register();
    this.consolidationWorkers.register();
    const deployed = await deployProductProcesses(this.engine);
    this.logger.log(`processes: ${deployed.map((p) => `${p.bpmnProcessId} v${p.version}`).join(', ')}`);
    await this.inbox.resync();
    // A submission or review committed just before a crash still has its engine task open: finish it.
    await this.reconciliation.reconcile();
    // A signature accepted just before a crash still has its "Ký số" task open: finish it.
    await this.signatures.reconcile();
    this.mailOutbox.start();
  }
}
