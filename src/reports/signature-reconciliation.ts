import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PendingSignatureEntity } from '../documents/signing/pending-signature.entity';
import { PersonEntity } from '../organization/person.entity';
import { WorkflowEngine } from '../workflow/workflow-engine';
import { completeLeftOpenTask } from './complete-left-open';
import { UNIT_REPORT_PROCESS, UNIT_REPORT_TASKS } from './report-process';

/** What one start reconciled: the "Ký số" tasks it completed, and those it could not. */
export interface SignatureReconciliationResult {
  completed: { documentId: string; taskKey: string }[];
  failed: { documentId: string; taskKey: string; message: string }[];
}

/**
 * Finishes at start the "Ký số" step a crash cut in half. Accepting a signature made elsewhere
 * commits the pending row as `signed` first, then issues the document, then completes the signer's
 * "Ký số báo cáo" task (DeferredSigningService.submit → ReportWorkers.signed); a process killed
 * after the commit leaves the task open in the signer's inbox and the report process waiting for a
 * signature it already has. For each open task whose document's signature is recorded, this
 * completes it as the signature route would have, in the signer's name; the process goes back to
 * `issue-report`, which finishes whatever of the pipeline is left (the unit's signature, store,
 * registers). Idempotent: a completed task is no longer open, so a second start finds nothing.
 */
@Injectable()
export class SignatureReconciliation {
  private readonly logger = new Logger(SignatureReconciliation.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
  ) {}

  /** Call once the engine has started, its workers are registered and the processes deployed. */
  async reconcile(): Promise<SignatureReconciliationResult> {
    const result: SignatureReconciliationResult = { completed: [], failed: [] };
    const open = await this.engine.listUserTasks({ bpmnProcessId: UNIT_REPORT_PROCESS.id, elementId: UNIT_REPORT_TASKS.sign, state: 'created' });
    if (open.length === 0) return result;
    const documentIds = [...new Set(open.map((task) => String(task.variables.documentId ?? '')).filter(Boolean))];
    const signed = await this.dataSource.getRepository(PendingSignatureEntity).find({ where: { documentId: In(documentIds), state: 'signed' }, select: { documentId: true, signerPersonId: true } });
    if (signed.length === 0) return result;
    const signers = await this.dataSource.getRepository(PersonEntity).findBy({ id: In([...new Set(signed.map((row) => row.signerPersonId))]) });
    const loginOf = new Map(signers.map((person) => [person.id, person.login]));
    const signerOf = new Map(signed.map((row) => [row.documentId, loginOf.get(row.signerPersonId)!]));
    for (const task of open) {
      const documentId = String(task.variables.documentId ?? '');
      const signer = signerOf.get(documentId);
      if (!signer) continue; // still awaiting the signature: the task is rightly open
      try {
        if (!(await completeLeftOpenTask(this.engine, task.taskKey, { signaturePending: false }, signer))) continue;
        result.completed.push({ documentId, taskKey: task.taskKey });
        this.logger.log(`document ${documentId}: "Ký số" task ${task.taskKey} completed at start (the signature was accepted, the engine step was not)`);
      } catch (error) {
        result.failed.push({ documentId, taskKey: task.taskKey, message: (error as Error).message });
        this.logger.error(`document ${documentId}: "Ký số" task ${task.taskKey} could not be completed at start: ${(error as Error).message}`);
      }
    }
    return result;
  }
}
