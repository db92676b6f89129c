import { Injectable, Optional } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { WriteGeneration } from '../database/write-generation';
import { UnitEntity } from '../organization/unit.entity';
import { ForbiddenError, NotFoundError } from '../shared/errors';
import { Actor, RoleHolding } from './actor';
import { describePolicy, RoleRule } from './policy';

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

interface UnitNode {
  id: number;
  dataSetId: string;
  reportsToId: number | null;
}

/**
 * Decides whether a person may act on units under a role rule. Used by the access guard for every
 * route, and by services and page controllers for finer checks and for filtering lists.
 */
@Injectable()
export class AccessPolicy {
  /**
   * Units' places in the tree, kept until the next write to `units`: every request's check reads its
   * target and perhaps the units above, which change about never during a cycle. Only with the
   * embedded engine, where this process sees every write (as ProgressCache); read per request otherwise.
   */
  private readonly unitWrites: WriteGeneration | null;
  private kept = { generation: -1, nodes: new Map<number, UnitNode>() };

  constructor(
    private readonly dataSource: DataSource,
    @Optional() config?: AppConfig,
  ) {
    this.unitWrites = config?.workflowEngine === 'embedded' ? new WriteGeneration(dataSource, ['units']) : null;
  }

  /** Test switch: with false, writes to units no longer end the kept tree (a test proves a refusal would then come late). */
  set keptUnitsEnded(on: boolean) {
    if (this.unitWrites) this.unitWrites.moving = on;
  }

  /** Allowed when every target unit is reached by one of the rule's roles held by the actor. Unknown units: NotFoundError. */
  async decide(actor: Actor, rule: RoleRule, targetUnitIds: readonly number[]): Promise<AccessDecision> {
    const holdings = actor.holdings.filter((h) => rule.roles.includes(h.role));
    if (holdings.length === 0) return { allowed: false, reason: `needs ${describePolicy({ ...rule })}; ${actor.login} holds none of these roles` };
    if (rule.scope === 'any-unit') return { allowed: true };
    if (targetUnitIds.length === 0) return { allowed: false, reason: 'the request names no unit' };

    const targets = await this.nodesById([...new Set(targetUnitIds)]);
    for (const id of targetUnitIds) if (!targets.has(id)) throw new NotFoundError(`Unit ${id}`);
    const reached = (tree: Map<number, UnitNode>) => [...targets.values()].every((target) => holdings.some((h) => reaches(h, rule.scope, target, tree)));
    // Most requests are a person's own unit or the standing agency's: no need to read the units above.
    if (rule.scope === 'consolidated-units' && reached(targets)) return { allowed: true };
    const trees = rule.scope === 'consolidated-units' ? await this.withAncestors(targets) : targets;

    for (const target of targets.values()) {
      if (!holdings.some((h) => reaches(h, rule.scope, target, trees))) {
        return { allowed: false, reason: `${actor.login} holds ${rule.roles.join('/')} in no unit whose ${rule.scope} scope contains unit ${target.id}` };
      }
    }
    return { allowed: true };
  }

  /** As `decide`, throwing ForbiddenError on a refusal. */
  async assertAllowed(actor: Actor, rule: RoleRule, targetUnitIds: readonly number[]): Promise<void> {
    const decision = await this.decide(actor, rule, targetUnitIds);
    if (!decision.allowed) throw new ForbiddenError();
  }

  /** Every unit the actor reaches under the rule (to filter lists). `any-unit` reaches the data sets where the roles are held. */
  async unitIdsInScope(actor: Actor, rule: RoleRule): Promise<number[]> {
    const holdings = actor.holdings.filter((h) => rule.roles.includes(h.role));
    if (holdings.length === 0) return [];
    const all = await this.nodes({ dataSetId: In([...new Set(holdings.map((h) => h.dataSetId))]) });
    const scope = rule.scope === 'any-unit' ? 'data-set' : rule.scope;
    return [...all.values()].filter((unit) => holdings.some((h) => reaches(h, scope, unit, all))).map((u) => u.id);
  }

  /**
   * The targets and every unit above them: what `consolidated-units` walks up. Read level by level
   * (a few rows, as many queries as the tree is deep), not the data set's whole tree on every request.
   */
  private async withAncestors(targets: Map<number, UnitNode>): Promise<Map<number, UnitNode>> {
    const tree = new Map(targets);
    let missing = [...new Set([...targets.values()].map((u) => u.reportsToId).filter((id): id is number => id !== null && !tree.has(id)))];
    while (missing.length > 0) {
      const parents = await this.nodesById(missing);
      for (const [id, unit] of parents) tree.set(id, unit);
      // An unknown parent (bad data) ends the walk there, as the lookup in `reaches` would.
      missing = [...new Set([...parents.values()].map((u) => u.reportsToId).filter((id): id is number => id !== null && !tree.has(id)))];
    }
    return tree;
  }

  /** The units of these ids that exist, from those kept where they can be. */
  private async nodesById(ids: number[]): Promise<Map<number, UnitNode>> {
    if (!this.unitWrites) return this.nodes({ id: In(ids) });
    const generation = this.unitWrites.current;
    if (this.kept.generation !== generation) this.kept = { generation, nodes: new Map() };
    const kept = this.kept.nodes;
    const missing = ids.filter((id) => !kept.has(id));
    const read = missing.length > 0 ? await this.nodes({ id: In(missing) }) : new Map<number, UnitNode>();
    // Kept only if no write to units came while they were read.
    if (this.unitWrites.current === generation) for (const [id, node] of read) kept.set(id, node);
    const found = new Map<number, UnitNode>();
    for (const id of ids) {
      const node = read.get(id) ?? kept.get(id);
      if (node) found.set(id, node);
    }
    return found;
  }

  private async nodes(where: object): Promise<Map<number, UnitNode>> {
    const rows = await this.dataSource.getRepository(UnitEntity).find({ where, select: ['id', 'dataSetId', 'reportsToId'] });
    return new Map(rows.map((r) => [r.id, r]));
  }
}

function reaches(holding: RoleHolding, scope: RoleRule['scope'], target: UnitNode, tree: Map<number, UnitNode>): boolean {
  switch (scope) {
    case 'any-unit':
      return true;
    case 'own-unit':
      return holding.unitId === target.id;
    case 'data-set':
      return holding.dataSetId === target.dataSetId;
    case 'consolidated-units': {
      if (holding.dataSetId !== target.dataSetId) return false;
      if (holding.unitIsStandingAgency) return true;
      // Up the reporting relation from the target; the visited set guards against a cycle in bad data.
      const seen = new Set<number>();
      for (let unit: UnitNode | undefined = target; unit && !seen.has(unit.id); unit = unit.reportsToId === null ? undefined : tree.get(unit.reportsToId)) {
        if (unit.id === holding.unitId) return true;
        seen.add(unit.id);
      }
      return false;
    }
  }
}
