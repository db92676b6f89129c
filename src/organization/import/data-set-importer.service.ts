import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '../../shared/clock';
import { projectRoot } from '../../shared/project-root';
import { DataSetEntity } from '../data-set.entity';
import { DivisionEntity } from '../division.entity';
import { hashPasswordArgon2id } from '../../identity/passwords/password-hasher';
import { PersonEntity } from '../person.entity';
import { RoleAssignmentEntity } from '../role-assignment.entity';
import { UnitEntity } from '../unit.entity';
import { parseDataSetFile, DataSetFileError } from './data-set-file';
import { DEMO_PASSWORD, demoPeople } from './demo-people';
import { DerivedUnit, deriveDataSet } from './derivation-rules';

/** The project's own data sets and the agency symbol table. */
export const organizationsDir = () => join(projectRoot(), 'data', 'organizations');

export interface ImportSummary {
  dataSetId: string;
  units: { inserted: number; updated: number; unchanged: number };
  people: { inserted: number };
  roleAssignments: { inserted: number };
}

/** Rows are written in chunks: one statement per chunk instead of one per row. */
const CHUNK = 200;

/**
 * Imports an organisation data set with its demo people. Idempotent (a second import of the same
 * file changes nothing) and atomic (a bad file, or a failure half-way, leaves the database untouched).
 */
@Injectable()
export class DataSetImporter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** `idOrPath`: a data set id under data/organizations (quang-ngai-2025) or a path to a JSON file. */
  async importDataSet(idOrPath: string): Promise<ImportSummary> {
    const file = resolveDataSetFile(idOrPath);
    return this.importDataSetText(readFileSync(file, 'utf8'), file);
  }

  /**
   * A data set file's text, checked by the same rules (shape, then derivation) before anything is
   * written: a DataSetFileError and nothing changes. `people: 'no-password'` (a file an
   * administrator uploads): its people are created with an unusable random password, to be set by an
   * administrator, instead of the documented demo password.
   */
  async importDataSetText(text: string, file: string, options: { people?: 'demo-password' | 'no-password' } = {}): Promise<ImportSummary> {
    const parsed = parseDataSetFile(text, file);
    const derived = deriveDataSet(parsed, loadAgencySymbols(), file);
    const contentSha256 = createHash('sha256').update(JSON.stringify(parsed)).digest('hex');

    return this.dataSource.transaction(async (manager) => {
      await this.upsertDataSet(manager, derived.id, derived.title, derived.source, contentSha256);
      const { ids, counts } = await this.upsertUnits(manager, derived.id, derived.units);
      const divisionIds = await this.upsertDivisions(manager, derived.units, ids);
      const people = demoPeople(derived.id, derived.units);
      const password = options.people === 'no-password' ? randomBytes(32).toString('base64url') : DEMO_PASSWORD;
      const { inserted: peopleInserted, idsByLogin } = await this.insertMissingPeople(manager, people.map((p) => ({ login: p.login, fullName: p.fullName, email: p.email })), password);
      const assignments = people.map((p) => ({
        personId: idsByLogin.get(p.login)!,
        unitId: ids.get(p.unitCode)!,
        role: p.role,
        title: p.title,
        divisionId: p.divisionSymbol ? divisionIds.get(`${p.unitCode}/${p.divisionSymbol}`) ?? null : null,
      }));
      const rolesInserted = await this.insertMissingAssignments(manager, assignments);
      return { dataSetId: derived.id, units: counts, people: { inserted: peopleInserted }, roleAssignments: { inserted: rolesInserted } };
    });
  }

  private async upsertDataSet(manager: EntityManager, id: string, title: string, source: string, contentSha256: string): Promise<void> {
    const existing = await manager.findOneBy(DataSetEntity, { id });
    if (existing && existing.contentSha256 === contentSha256) return;
    await manager.save(DataSetEntity, { id, title, source, contentSha256, importedAt: this.clock.now() });
  }

  private async upsertUnits(manager: EntityManager, dataSetId: string, units: DerivedUnit[]) {
    const existing = new Map((await manager.findBy(UnitEntity, { dataSetId })).map((u) => [u.code, u]));
    const ids = new Map<string, number>([...existing].map(([code, u]) => [code, u.id]));
    const counts = { inserted: 0, updated: 0, unchanged: 0 };

    // Insert new units first without their links, so that every code has an id to link to.
    const fresh = units.filter((u) => !existing.has(u.code));
    for (let i = 0; i < fresh.length; i += CHUNK) {
      await manager.insert(UnitEntity, fresh.slice(i, i + CHUNK).map((u) => ({ ...columnsOf(u, dataSetId), reportsToId: null, parentId: null })));
    }
    if (fresh.length > 0) {
      for (const row of await manager.find(UnitEntity, { where: { dataSetId, code: In(fresh.map((u) => u.code)) }, select: ['id', 'code'] })) ids.set(row.code, row.id);
    }

    for (const unit of units) {
      const wanted = {
        ...columnsOf(unit, dataSetId),
        reportsToId: unit.reportsToCode === null ? null : ids.get(unit.reportsToCode)!,
        parentId: unit.parentCode === null ? null : ids.get(unit.parentCode)!,
      };
      const current = existing.get(unit.code);
      if (!current) {
        if (wanted.reportsToId !== null || wanted.parentId !== null) {
          await manager.update(UnitEntity, { id: ids.get(unit.code) }, { reportsToId: wanted.reportsToId, parentId: wanted.parentId });
        }
        counts.inserted++;
      } else if (differs(current, wanted)) {
        await manager.update(UnitEntity, { id: current.id }, wanted);
        counts.updated++;
      } else {
        counts.unchanged++;
      }
    }
    return { ids, counts };
  }

  /** Returns division ids keyed `<unit code>/<symbol>`. */
  private async upsertDivisions(manager: EntityManager, units: DerivedUnit[], unitIds: Map<string, number>): Promise<Map<string, number>> {
    const codeById = new Map([...unitIds].map(([code, id]) => [id, code]));
    const existing = await manager.findBy(DivisionEntity, { unitId: In([...unitIds.values()]) });
    const byKey = new Map(existing.map((d) => [`${codeById.get(d.unitId)}/${d.symbol}`, d]));
    const missing: Partial<DivisionEntity>[] = [];
    for (const unit of units) {
      for (const division of unit.divisions) {
        const current = byKey.get(`${unit.code}/${division.symbol}`);
        if (!current) missing.push({ unitId: unitIds.get(unit.code)!, symbol: division.symbol, name: division.name });
        else if (current.name !== division.name) await manager.update(DivisionEntity, { id: current.id }, { name: division.name });
      }
    }
    for (let i = 0; i < missing.length; i += CHUNK) await manager.insert(DivisionEntity, missing.slice(i, i + CHUNK));
    const all = await manager.findBy(DivisionEntity, { unitId: In([...unitIds.values()]) });
    return new Map(all.map((d) => [`${codeById.get(d.unitId)}/${d.symbol}`, d.id]));
  }

  /**
   * Demo people are created once; an existing login (and its password) is left as it is, except that
   * one without an e-mail address (imported before people had one) gets its demo address.
   */
  private async insertMissingPeople(manager: EntityManager, people: { login: string; fullName: string; email: string }[], password: string) {
    const logins = people.map((p) => p.login);
    const idsByLogin = new Map<string, number>();
    const emailByLogin = new Map(people.map((p) => [p.login, p.email]));
    for (let i = 0; i < logins.length; i += CHUNK) {
      for (const row of await manager.find(PersonEntity, { where: { login: In(logins.slice(i, i + CHUNK)) }, select: ['id', 'login', 'email'] })) {
        idsByLogin.set(row.login, row.id);
        if (row.email === null) await manager.update(PersonEntity, { id: row.id }, { email: emailByLogin.get(row.login)! });
      }
    }
    const missing = people.filter((p) => !idsByLogin.has(p.login));
    if (missing.length > 0) {
      // Demo accounts share one documented password (or, for an uploaded file, one random secret nobody
      // knows), so one hash (one salt) serves them all; a password set later gets its own salt.
      const passwordHash = await hashPasswordArgon2id(password);
      for (let i = 0; i < missing.length; i += CHUNK) {
        const chunk = missing.slice(i, i + CHUNK);
        await manager.insert(PersonEntity, chunk.map((p) => ({ login: p.login, fullName: p.fullName, email: p.email, passwordHash, active: true })));
        for (const row of await manager.find(PersonEntity, { where: { login: In(chunk.map((p) => p.login)) }, select: ['id', 'login'] })) idsByLogin.set(row.login, row.id);
      }
    }
    return { inserted: missing.length, idsByLogin };
  }

  private async insertMissingAssignments(manager: EntityManager, wanted: Omit<RoleAssignmentEntity, 'id'>[]): Promise<number> {
    const personIds = [...new Set(wanted.map((a) => a.personId))];
    const existing = new Set<string>();
    for (let i = 0; i < personIds.length; i += CHUNK) {
      for (const a of await manager.findBy(RoleAssignmentEntity, { personId: In(personIds.slice(i, i + CHUNK)) })) existing.add(`${a.personId}/${a.unitId}/${a.role}`);
    }
    const missing = wanted.filter((a) => !existing.has(`${a.personId}/${a.unitId}/${a.role}`));
    for (let i = 0; i < missing.length; i += CHUNK) await manager.insert(RoleAssignmentEntity, missing.slice(i, i + CHUNK));
    return missing.length;
  }
}

export function resolveDataSetFile(idOrPath: string): string {
  const candidates = idOrPath.endsWith('.json') || idOrPath.includes('/')
    ? [isAbsolute(idOrPath) ? idOrPath : resolve(process.cwd(), idOrPath)]
    : [join(organizationsDir(), `${idOrPath}.json`)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new DataSetFileError('(file)', `no data set "${idOrPath}" (looked for ${candidates.join(', ')})`);
  return found;
}

function loadAgencySymbols(): Record<string, string> {
  return JSON.parse(readFileSync(join(organizationsDir(), 'agency-symbols.json'), 'utf8')).symbols;
}

function columnsOf(u: DerivedUnit, dataSetId: string) {
  return {
    dataSetId,
    code: u.code,
    level: u.level,
    type: u.type,
    name: u.name,
    nameWithType: u.nameWithType,
    officialName: u.officialName,
    parentBody: u.parentBody,
    symbol: u.symbol,
    placeName: u.placeName,
    headTitle: u.headTitle,
    deputyTitle: u.deputyTitle,
    collectiveBody: u.collectiveBody,
    isStandingAgency: u.isStandingAgency,
    sortOrder: u.sortOrder,
  };
}

function differs(current: UnitEntity, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).some(([key, value]) => (current as unknown as Record<string, unknown>)[key] !== value);
}
