import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/** GET /api/admin/people: an administrator finds people of their data set by part of the login or name. */
describe.each(TEST_DATABASE_KINDS)('people search for administrators [%s]', (kind) => {
  let t: TestApp;
  let admin: ApiClient;
  let ownUnit: UnitEntity;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'] });
    ownUnit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code: 'skhcn' });
    admin = new ApiClient(t.baseUrl);
    expect((await admin.login('administrator.skhcn@quang-ngai-2025', DEMO_PASSWORD)).status).toBe(200);
  });
  afterAll(() => t.close());

  const search = (q: string) => admin.request('GET', `/api/admin/people?unitId=${ownUnit.id}&q=${encodeURIComponent(q)}`);

  it('matches part of the login whatever its case, with each person’s roles in the data set', async () => {
    const response = await search('STAFF.2121');
    expect(response.status).toBe(200);
    const logins = response.body.map((p: { login: string }) => p.login);
    expect(logins).toContain('staff.21211@quang-ngai-2025');
    expect(logins.every((l: string) => l.startsWith('staff.2121'))).toBe(true);
    const person = response.body.find((p: { login: string }) => p.login === 'staff.21211@quang-ngai-2025');
    expect(person.roles).toEqual([{ role: 'staff', unitId: expect.any(Number), unitName: 'Xã Tịnh Khê' }]);
  });

  it('takes % and _ literally, and caps the answer at 50 people', async () => {
    expect((await search('%%')).body).toEqual([]);
    expect((await search('f_2')).body).toEqual([]);
    expect((await search('staff.')).body).toHaveLength(50);
  });

  it('names a missing or too short query', async () => {
    const response = await admin.request('GET', `/api/admin/people?unitId=${ownUnit.id}&q=s`);
    expect(response.status).toBe(422);
    expect(response.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['q']);
  });
});
