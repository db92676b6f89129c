import { CycleEntity } from '../../src/cycles/cycle.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { OutgoingMailEntity } from '../../src/notifications/mail-outbox.entity';
import { NotificationEntity } from '../../src/notifications/notification.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportsService } from '../../src/reports/reports.service';
import { insertCycle } from '../support/cycle-fixture';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';

/**
 * The report flow tells people what waits for them (a submitted report its approvers, a returned
 * one the unit's staff), and each person reads and marks only their own notifications over HTTP.
 */
describe.each(TEST_DATABASE_KINDS)('notifications through the API [%s]', (kind) => {
  let t: TestApp;
  let cycle: CycleEntity;
  let reportId: number;

  const as = async (login: string) => {
    const client = new ApiClient(t.baseUrl);
    const response = await client.login(`${login}@${DATA_SET}`, DEMO_PASSWORD);
    if (response.status !== 200) throw new Error(`login ${login}: ${response.status}`);
    return client;
  };
  const personId = async (login: string) => (await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `${login}@${DATA_SET}` })).id;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    reportId = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    await t.app.get(InboxProjection).settled();
  });
  afterAll(() => t.close());

  it('tells the approvers of a submitted report and the staff of a returned one, in app and by e-mail, once per event', async () => {
    const staff = await as('staff.21211');
    const values = generateReportValues(formForYear(2026), seededRandom(5), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Tịnh Khê');
    expect((await staff.request('PUT', `/api/reports/${reportId}/draft`, { body: values })).status).toBe(200);
    expect((await staff.request('POST', `/api/reports/${reportId}/submit`)).status).toBe(201);

    const submitted = await t.dataSource.getRepository(NotificationEntity).findBy({ kind: 'report.submitted' });
    expect(submitted.map((n) => n.personId).sort()).toEqual([await personId('head.21211'), await personId('deputy.21211')].sort());
    expect(submitted[0]).toMatchObject({ link: `/reports/${reportId}`, cycleId: cycle.id, dedupeKey: `report.submitted:report:${reportId}:v1:head` });
    expect(submitted[0].title).toMatch(/^Báo cáo ISO năm 2026 của .+ chờ phê duyệt$/);

    const head = await as('head.21211');
    const mine = await head.request('GET', '/api/notifications');
    expect(mine.status).toBe(200);
    expect(mine.body.unread).toBe(1);
    expect(mine.body.items.map((n: NotificationEntity) => n.kind)).toEqual(['report.submitted']);

    expect((await head.request('POST', `/api/reports/${reportId}/review`, { body: { decision: 'returned', comment: 'Bổ sung số lớp đào tạo nội bộ' } })).status).toBe(201);
    const returned = await t.dataSource.getRepository(NotificationEntity).findBy({ kind: 'report.returned' });
    expect(returned.map((n) => n.personId)).toEqual([await personId('staff.21211')]);
    expect(returned[0].body).toContain('Ý kiến: Bổ sung số lớp đào tạo nội bộ');
    const outbox = await t.dataSource.getRepository(OutgoingMailEntity).findBy({ dedupeKey: returned[0].dedupeKey });
    expect(outbox.map((m) => m.toAddress)).toEqual(['staff.21211@quang-ngai-2025.invalid']);

    // Resubmitted: a new version is a new event for the approvers.
    await staff.request('POST', `/api/reports/${reportId}/submit`);
    const forHead = await head.request('GET', '/api/notifications');
    expect(forHead.body.unread).toBe(2);
    expect(forHead.body.items.map((n: NotificationEntity) => n.dedupeKey)).toEqual([`report.submitted:report:${reportId}:v2:head`, `report.submitted:report:${reportId}:v1:head`]);
  });

  it('lets a person read and mark only their own notifications: another person’s is not found', async () => {
    const staff = await as('staff.21211');
    const head = await as('head.21211');
    const list = await staff.request('GET', '/api/notifications');
    expect(list.body.unread).toBe(1);
    const ownId = list.body.items[0].id;
    const headsId = (await head.request('GET', '/api/notifications')).body.items[0].id;

    const foreign = await staff.request('POST', `/api/notifications/${headsId}/read`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not-found');
    expect((await head.request('GET', '/api/notifications')).body.unread).toBe(2);
    expect((await staff.request('POST', '/api/notifications/2147483647/read')).status).toBe(404);
    expect((await staff.request('POST', '/api/notifications/abc/read')).status).toBe(422);
    expect((await staff.request('GET', '/api/notifications?limit=0')).status).toBe(422);

    const read = await staff.request('POST', `/api/notifications/${ownId}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readAt).toBe(t.clock.now().toISOString());
    expect((await staff.request('GET', '/api/notifications')).body.unread).toBe(0);
    expect((await staff.request('GET', '/api/notifications?unreadOnly=true')).body.items).toEqual([]);

    const all = await head.request('POST', '/api/notifications/read-all');
    expect(all.body).toEqual({ marked: 2 });
    expect((await head.request('GET', '/api/notifications')).body.unread).toBe(0);
    expect((await head.request('GET', `/api/notifications?limit=1&before=${headsId + 1}`)).body.items.map((n: NotificationEntity) => n.id)).toEqual([headsId]);
    expect((await new ApiClient(t.baseUrl).request('GET', '/api/notifications')).status).toBe(401);
  });
});
