import { Role } from './roles';

/**
 * Workflow candidate groups are named from the unit and the role — `unit:42:staff` — so that BPMN
 * names no person and a person's groups follow from their role assignments alone.
 */
export function candidateGroup(unitId: number, role: Role): string {
  return `unit:${unitId}:${role}`;
}

/** The groups a person belongs to, from their role assignments. */
export function candidateGroupsOf(assignments: { unitId: number; role: Role }[]): string[] {
  return assignments.map((a) => candidateGroup(a.unitId, a.role));
}
