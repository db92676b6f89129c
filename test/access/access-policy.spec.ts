import { DataSource } from 'typeorm';
import { Actor } from '../../src/access/actor';
import { AccessPolicy } from '../../src/access/access-policy.service';
import { RoleRule } from '../../src/access/policy';
import { loadAppConfig } from '../../src/config/load-app-config';
import { Sessions } from '../../src/identity/sessions/sessions.service';
import { DataSetImporter } from '../../src/organization/import/data-set-importer.service';
import { PersonEntity } from '../../src/organization/person.entity';
import { Role } from '../../src/organization/roles';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';

/**
 * The decisions behind every route: who reaches which unit. 2021 has three levels (province →
 * districts → communes), so consolidation is recursive there; 2025 has communes straight under the
 * standing agency.
 */
describe.each(TEST_DATABASE_KINDS)('access decisions by role and unit scope [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let access: AccessPolicy;
  let sessions: Sessions;
  const unit = async (dataSetId: string, code: string) => (await dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId, code })).id;
  const actor = async (login: string): Promise<Actor> => {
    const person = await dataSource.getRepository(PersonEntity).findOneByOrFail({ login });
    return (await sessions.actorOf(person.id))!;
  };
  const decide = async (login: string, rule: RoleRule, units: number[]) => (await access.decide(await actor(login), rule, units)).allowed;

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    const clock = new ControlledClock('2026-10-01T02:00:00Z');
    await new DataSetImporter(dataSource, clock).importDataSet('quang-ngai-2025');
    await new DataSetImporter(dataSource, clock).importDataSet('quang-ngai-2021');
    access = new AccessPolicy(dataSource);
    sessions = new Sessions(dataSource, clock, loadAppConfig({}));
  });
  afterAll(() => close());

  const consolidated = (...roles: Role[]): RoleRule => ({ roles, scope: 'consolidated-units' });

  it('lets staff act on their own unit only', async () => {
    const own = await unit('quang-ngai-2025', '21172');
    const other = await unit('quang-ngai-2025', '21025');
    const rule: RoleRule = { roles: [Role.Staff], scope: 'own-unit' };
    expect(await decide('staff.21172@quang-ngai-2025', rule, [own])).toBe(true);
    expect(await decide('staff.21172@quang-ngai-2025', rule, [other])).toBe(false);
    expect(await decide('staff.21172@quang-ngai-2025', rule, [own, other])).toBe(false);
    expect(await decide('clerk.21172@quang-ngai-2025', rule, [own])).toBe(false);
  });

  it('lets a district consolidate its communes, recursively from the province down, and no one else’s', async () => {
    const district = await unit('quang-ngai-2021', '522');
    const ownCommune = await unit('quang-ngai-2021', '21010');
    const otherDistrict = await unit('quang-ngai-2021', '524');
    const otherCommune = await unit('quang-ngai-2021', '21040');
    const rule = consolidated(Role.Consolidator);
    const login = 'consolidator.522@quang-ngai-2021';
    expect(await decide(login, rule, [district])).toBe(true);
    expect(await decide(login, rule, [ownCommune])).toBe(true);
    expect(await decide(login, rule, [otherDistrict])).toBe(false);
    expect(await decide(login, rule, [otherCommune])).toBe(false);
    // Upwards never: a commune's head does not reach its district.
    expect(await decide('head.21010@quang-ngai-2021', consolidated(Role.Head), [district])).toBe(false);
    expect(await decide('head.21010@quang-ngai-2021', consolidated(Role.Head), [ownCommune])).toBe(true);
    // Three levels down without a shortcut: the province → the standing agency → a district → its commune.
    expect(await decide('head.51@quang-ngai-2021', consolidated(Role.Head), [ownCommune, otherCommune, district])).toBe(true);
    const scope = await access.unitIdsInScope(await actor(login), rule);
    expect(scope).toHaveLength(1 + 23);
    expect(scope).toContain(ownCommune);
  });

  it('lets the standing agency reach every unit of its data set (through districts too), and none of another', async () => {
    const rule = consolidated(Role.Consolidator, Role.Head);
    const commune2021 = await unit('quang-ngai-2021', '21040');
    const province2021 = await unit('quang-ngai-2021', '51');
    for (const login of ['consolidator.skhcn@quang-ngai-2021', 'head.skhcn@quang-ngai-2021']) {
      expect(await decide(login, rule, [commune2021, province2021])).toBe(true);
      expect(await decide(login, rule, [await unit('quang-ngai-2025', '21172')])).toBe(false);
    }
    expect(await access.unitIdsInScope(await actor('consolidator.skhcn@quang-ngai-2021'), rule)).toHaveLength(1 + 19 + 13 + 173);
  });

  it('scopes administrators to their data set, and any-unit routes to the role alone', async () => {
    const admin = 'administrator.skhcn@quang-ngai-2025';
    expect(await decide(admin, { roles: [Role.Administrator], scope: 'data-set' }, [await unit('quang-ngai-2025', '21025')])).toBe(true);
    expect(await decide(admin, { roles: [Role.Administrator], scope: 'data-set' }, [await unit('quang-ngai-2021', '21040')])).toBe(false);
    expect(await decide(admin, { roles: [Role.Administrator], scope: 'any-unit' }, [])).toBe(true);
    expect(await decide('staff.skhcn@quang-ngai-2025', { roles: [Role.Administrator], scope: 'any-unit' }, [])).toBe(false);
  });

  it('refuses a scoped rule with no unit, and names a unit that does not exist', async () => {
    expect(await decide('head.21172@quang-ngai-2025', { roles: [Role.Head], scope: 'own-unit' }, [])).toBe(false);
    await expect(access.decide(await actor('head.21172@quang-ngai-2025'), { roles: [Role.Head], scope: 'own-unit' }, [987654])).rejects.toThrow('Unit 987654 was not found');
  });
});
