import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DataSetImporter, organizationsDir } from '../../src/organization/import/data-set-importer.service';
import { OrganizationService } from '../../src/organization/organization.service';
import { PersonEntity } from '../../src/organization/person.entity';
import { RoleAssignmentEntity } from '../../src/organization/role-assignment.entity';
import { Role } from '../../src/organization/roles';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ControlledClock } from '../../src/shared/clock';
import { databaseDigest } from '../support/database-digest';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';

const ORGANIZATION_TABLES = ['data_sets', 'units', 'divisions', 'people', 'role_assignments'];
const readDataFile = (id: string) => JSON.parse(readFileSync(join(organizationsDir(), `${id}.json`), 'utf8'));
const writeTemp = (content: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'iso-org-')), 'data.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe.each(TEST_DATABASE_KINDS)('importing organisation data sets [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let importer: DataSetImporter;
  let organization: OrganizationService;

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    importer = new DataSetImporter(dataSource, new ControlledClock('2026-09-15T02:00:00Z'));
    organization = new OrganizationService(dataSource);
    await importer.importDataSet('quang-ngai-2025');
    await importer.importDataSet('quang-ngai-2021');
  });
  afterAll(() => close());

  const units = (dataSetId: string) => dataSource.getRepository(UnitEntity).find({ where: { dataSetId }, order: { sortOrder: 'ASC' } });
  const countByLevel = (list: UnitEntity[]) => list.reduce<Record<string, number>>((acc, u) => ({ ...acc, [u.level]: (acc[u.level] ?? 0) + 1 }), {});

  it('gives 2025 the province, 14 agencies and 96 communes, every commune reporting straight to the standing agency', async () => {
    const all = await units('quang-ngai-2025');
    expect(countByLevel(all)).toEqual({ province: 1, 'provincial-agency': 14, commune: 96 });
    const byId = new Map(all.map((u) => [u.id, u]));
    const standing = all.filter((u) => u.isStandingAgency);
    expect(standing.map((u) => [u.code, u.officialName, u.symbol])).toEqual([['skhcn', 'Sở Khoa học và Công nghệ', 'SKHCN']]);
    const province = all.find((u) => u.level === 'province')!;
    expect(province.reportsToId).toBeNull();
    expect(byId.get(standing[0].reportsToId!)).toBe(province);
    for (const u of all.filter((u) => u.level !== 'province' && !u.isStandingAgency)) expect(byId.get(u.reportsToId!)?.code).toBe('skhcn');
    expect(await organization.reportingUnits('quang-ngai-2025')).toHaveLength(110);
    expect((await organization.consolidatingUnits('quang-ngai-2025')).map((u) => u.code)).toEqual(['skhcn']);
  });

  it('gives 2021 the province, 19 agencies, 13 districts and 173 communes, communes reporting to their district', async () => {
    const all = await units('quang-ngai-2021');
    expect(countByLevel(all)).toEqual({ province: 1, 'provincial-agency': 19, district: 13, commune: 173 });
    const byId = new Map(all.map((u) => [u.id, u]));
    const file = readDataFile('quang-ngai-2021');
    for (const district of file.districts) {
      const unit = all.find((u) => u.code === district.code)!;
      expect(byId.get(unit.reportsToId!)?.code).toBe('skhcn');
      const communes = all.filter((u) => u.reportsToId === unit.id).map((u) => u.code);
      expect(communes).toEqual(district.communes.map((c: { code: string }) => c.code));
    }
    expect(await organization.reportingUnits('quang-ngai-2021')).toHaveLength(205);
    // Lý Sơn has no communes: it reports, but consolidates nothing.
    const consolidating = (await organization.consolidatingUnits('quang-ngai-2021')).map((u) => u.code);
    expect(consolidating).toHaveLength(13);
    expect(consolidating).toContain('skhcn');
    expect(consolidating).not.toContain('536');
    // Two wards called Nguyễn Nghiêm, in different districts, are different units.
    expect(all.filter((u) => u.name === 'Nguyễn Nghiêm' && u.level === 'commune').map((u) => byId.get(u.reportsToId!)!.name).sort()).toEqual(['Quảng Ngãi', 'Đức Phổ']);
  });

  it('keeps codes that repeat across data sets apart', async () => {
    const in2025 = await organization.unitByCode('quang-ngai-2025', '21025');
    const in2021 = await organization.unitByCode('quang-ngai-2021', '21025');
    expect(in2025?.name).toBe('Cẩm Thành');
    expect(in2021?.name).toBe('Nguyễn Nghiêm');
  });

  it('derives symbols, places, headers and signer titles by the documented rules', async () => {
    const skhcn = (await organization.unitByCode('quang-ngai-2025', 'skhcn'))!;
    expect([skhcn.parentBody, skhcn.placeName, skhcn.headTitle, skhcn.deputyTitle]).toEqual(['Ủy ban nhân dân tỉnh Quảng Ngãi', 'Quảng Ngãi', 'GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC']);
    expect((await organization.unitByCode('quang-ngai-2025', 'sngv'))?.symbol).toBe('SNgV');
    expect((await organization.unitByCode('quang-ngai-2021', 'sgddt'))?.symbol).toBe('SGDĐT');
    const commune = (await organization.unitByCode('quang-ngai-2025', '21211'))!;
    expect([commune.officialName, commune.parentBody, commune.symbol, commune.placeName, commune.deputyTitle]).toEqual(['Ủy ban nhân dân xã Tịnh Khê', null, 'UBND', 'Tịnh Khê', 'PHÓ CHỦ TỊCH']);
    const province = (await organization.unitByCode('quang-ngai-2025', '51'))!;
    expect(province.officialName).toBe('Ủy ban nhân dân tỉnh Quảng Ngãi');
  });

  it('creates demo people for every unit and role, heads and deputies with their titles', async () => {
    const people = dataSource.getRepository(PersonEntity);
    const head = await people.findOneByOrFail({ login: 'head.skhcn@quang-ngai-2025' });
    const roles = await dataSource.getRepository(RoleAssignmentEntity).findBy({ personId: head.id });
    expect(roles.map((r) => [r.role, r.title])).toEqual([[Role.Head, 'GIÁM ĐỐC']]);
    const reporting = 110;
    const count = await dataSource.getRepository(RoleAssignmentEntity).count({ where: { role: Role.Staff } });
    expect(count).toBe(reporting + 1 + 205 + 1);
    expect(await people.existsBy({ login: 'consolidator.skhcn@quang-ngai-2025' })).toBe(true);
    expect(await people.existsBy({ login: 'consolidator.21211@quang-ngai-2025' })).toBe(false);
    expect(await people.existsBy({ login: 'consolidator.522@quang-ngai-2021' })).toBe(true);
    expect(await people.existsBy({ login: 'administrator.skhcn@quang-ngai-2025' })).toBe(true);
  });

  it('changes nothing when a data set is imported again', async () => {
    const before = await databaseDigest(dataSource, ORGANIZATION_TABLES);
    const summary = await importer.importDataSet('quang-ngai-2025');
    expect(summary).toEqual({ dataSetId: 'quang-ngai-2025', units: { inserted: 0, updated: 0, unchanged: 111 }, people: { inserted: 0 }, roleAssignments: { inserted: 0 } });
    expect(await databaseDigest(dataSource, ORGANIZATION_TABLES)).toBe(before);
  });

  it.each([
    ['a commune without a name', (d: any) => delete d.districts[3].communes[5].name, /districts\[3\]\.communes\[5\] \(code "\d+"\): "name" is missing/],
    ['a code used twice', (d: any) => (d.districts[1].communes[0].code = d.districts[0].communes[2].code), /districts\[1\]\.communes\[0\] \(code "\d+"\): code "\d+" is already used by districts\[0\]\.communes\[2\]/],
    ['a standing agency that is not an agency', (d: any) => (d.standingAgency = 'Sở Không Có'), /standingAgency: "Sở Không Có" is not one of provincialAgencies/],
    ['an agency with no signer-title rule', (d: any) => d.provincialAgencies.push('Cục Thuế tỉnh'), /provincialAgencies\[19\]: no signer-title rule/],
  ])('rejects %s, naming the entry, and leaves the database untouched', async (_name, corrupt, message) => {
    const data = readDataFile('quang-ngai-2021');
    data.id = 'quang-ngai-2021-bad';
    corrupt(data);
    const before = await databaseDigest(dataSource, ORGANIZATION_TABLES);
    await expect(importer.importDataSet(writeTemp(data))).rejects.toThrow(message);
    expect(await databaseDigest(dataSource, ORGANIZATION_TABLES)).toBe(before);
  });

  it('rejects a file that is not JSON', async () => {
    await expect(importer.importDataSet(writeTemp('{"id": "x",'))).rejects.toThrow(/\(file\): not valid JSON/);
  });

  it('stores Vietnamese names byte-exact', async () => {
    const every = 'ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂĐĨŨƠàáâãèéêìíòóôõùúăđĩũơƯĂẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼỀỀỂẾưăạảấầẩẫậắằẳẵặẹẻẽềềểếỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪễệỉịọỏốồổỗộớờởỡợụủứừỬỮỰỲỴÝỶỸửữựỳỵỷỹ';
    const data = readDataFile('quang-ngai-2025');
    data.id = 'diacritics';
    data.communes = [{ code: '99999', name: every, type: 'xã', nameWithType: `Xã ${every}` }];
    await importer.importDataSet(writeTemp(data));
    const stored = (await organization.unitByCode('diacritics', '99999'))!;
    expect(Buffer.from(stored.name, 'utf8').equals(Buffer.from(every, 'utf8'))).toBe(true);
    expect(stored.officialName).toBe(`Ủy ban nhân dân xã ${every}`);
    const fileNames = readDataFile('quang-ngai-2021').districts.flatMap((d: any) => d.communes.map((c: any) => c.nameWithType));
    const storedNames = (await units('quang-ngai-2021')).filter((u) => u.level === 'commune').map((u) => u.nameWithType);
    expect(Buffer.from(storedNames.join('|')).equals(Buffer.from(fileNames.join('|')))).toBe(true);
  });
});
