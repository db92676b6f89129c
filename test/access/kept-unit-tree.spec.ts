import { AccessPolicy } from '../../src/access/access-policy.service';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2021';

/**
 * The access check keeps units' places in the tree between requests (AccessPolicy): a commune moved
 * to another district is out of its former district's reach at the very next request. The control
 * switches off what ends the kept tree and watches the former district still reach the commune.
 */
describe.each(TEST_DATABASE_KINDS)('kept unit tree of the access check [%s]', (kind) => {
  let t: TestApp;
  const unit = (code: string) => t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code });

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET] });
  });
  afterAll(() => t.close());

  /** District 522's consolidator, just served a commune's consolidations (the commune's place kept), and what moves the commune to district 524. */
  async function servedThenMoved(communeCode: string): Promise<{ client: ApiClient; path: string; move: () => Promise<unknown> }> {
    const [commune, other] = [await unit(communeCode), await unit('524')];
    expect((await unit('522')).id).toBe(commune.reportsToId);
    const client = new ApiClient(t.baseUrl);
    expect((await client.login(`consolidator.522@${DATA_SET}`, DEMO_PASSWORD)).status).toBe(200);
    const path = `/api/consolidations?unitId=${commune.id}`;
    expect((await client.request('GET', path)).status).toBe(200);
    expect((await client.request('GET', path)).status).toBe(200);
    return { client, path, move: () => t.dataSource.getRepository(UnitEntity).update({ id: commune.id }, { reportsToId: other.id }) };
  }

  it('a commune moved to another district is out of its former district’s reach at the next request', async () => {
    const { client, path, move } = await servedThenMoved('21010');
    await move();
    expect((await client.request('GET', path)).status).toBe(403);
  });

  it('(control) with writes to units no longer ending the kept tree, the former district would still reach it', async () => {
    const access = t.app.get(AccessPolicy);
    const { client, path, move } = await servedThenMoved('21013');
    access.keptUnitsEnded = false;
    try {
      await move();
      expect((await client.request('GET', path)).status).toBe(200);
    } finally {
      access.keptUnitsEnded = true;
    }
  });
});
