import { candidateGroup } from '../organization/candidate-groups';
import { Role } from '../organization/roles';

/**
 * The names shared by processes/consolidation.bpmn and the code, defined once. One consolidation runs
 * at every unit with units below it; the consolidator closes the period when they choose, which
 * freezes the totals and releases the unit's own (consolidated) report.
 */
export const CONSOLIDATION_PROCESS = {
  id: 'consolidation',
  resource: 'consolidation.bpmn',
} as const;

export const CONSOLIDATION_TASKS = {
  /** The consolidator closes the period (chốt số liệu). */
  closePeriod: 'close-period',
} as const;

export const CONSOLIDATION_JOBS = {
  /** Tells the unit's own report that it may now be drafted (message consolidation-closed). */
  releaseOwnReport: 'release-own-report',
} as const;

/** The consolidating unit's own report waits for this before its drafting starts. */
export const CONSOLIDATION_CLOSED_MESSAGE = 'consolidation-closed';

/** Correlation key of a consolidation: the cycle and the consolidating unit. */
export const consolidationKey = (cycleId: number, unitId: number) => `cycle:${cycleId}:unit:${unitId}`;
export const consolidationBusinessKey = (consolidationId: number) => `consolidation:${consolidationId}`;

export interface ConsolidationVariables {
  consolidationId: number;
  unitId: number;
  cycleId: number;
  consolidationKey: string;
  consolidatorGroup: string;
  /** ISO instant shown as the closing task's due date: the units' deadline. */
  dueDate: string;
}

export function consolidationVariables(consolidation: { id: number; unitId: number; cycleId: number }, dueDate: Date): ConsolidationVariables {
  return {
    consolidationId: consolidation.id,
    unitId: consolidation.unitId,
    cycleId: consolidation.cycleId,
    consolidationKey: consolidationKey(consolidation.cycleId, consolidation.unitId),
    consolidatorGroup: candidateGroup(consolidation.unitId, Role.Consolidator),
    dueDate: dueDate.toISOString(),
  };
}
