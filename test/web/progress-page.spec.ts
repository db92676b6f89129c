import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { ConsolidationEntity } from '../../src/consolidation/consolidation.entity';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportEntity } from '../../src/reports/report.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { isoCivilDate } from '../../src/shared/civil-date';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { FormClient } from '../support/form-client';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';
const CONSOLIDATOR = `consolidator.skhcn@${DATA_SET}`;
const STAFF = `staff.21211@${DATA_SET}`;

/**
 * The consolidator's dashboard, the documents page and the process page without JavaScript: a
 * client that only follows links and posts forms sees each unit's status and the counts, extends one
 * unit's deadline (a bad date refused at its field, nothing changed), closes the period only once
 * confirmed; a commune's staff is refused the province's dashboard, and finds its reports and their process.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('dashboard, documents and process pages without JavaScript [%s]', (kind) => {
  let t: TestApp;
  let cycle: CycleEntity;
  let province: UnitEntity;
  let consolidation: ConsolidationEntity;
  let reportId: number;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    const units = t.dataSource.getRepository(UnitEntity);
    const reports = t.app.get(ReportsService);
    reportId = (await reports.startReport(cycle, await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21211' }))).id;
    await reports.startReport(cycle, await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21034' }));
    await t.app.get(ConsolidationService).startConsolidations(cycle);
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    province = await units.findOneByOrFail({ dataSetId: DATA_SET, code: 'skhcn' });
    consolidation = await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ cycleId: cycle.id, unitId: province.id });
  }, 120_000);
  afterAll(() => t.close());

  const rowOf = (html: string, code: string) => new RegExp(`<tr data-unit="${code}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';

  it('shows every unit below with its status, the counts, the chart and the totals', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    const page = await browser.get('/progress');
    expect(page.status).toBe(200);
    const expected = Number(/Đã nhận 0\/(\d+) báo cáo/.exec(page.html)?.[1]);
    expect(expected).toBeGreaterThan(2);
    expect(page.html).toContain(`Chưa bắt đầu: ${expected}</li>`);
    expect(page.html).toContain('Trễ hạn: 0</li>');
    expect(page.html.match(/<tr data-unit="/g)).toHaveLength(expected);
    expect(rowOf(page.html, '21211')).toContain('Ủy ban nhân dân xã Tịnh Khê');
    expect(rowOf(page.html, '21211')).toContain('Chưa bắt đầu');
    expect(rowOf(page.html, '21211')).toContain(`action="/reports/${reportId}/deadline"`);
    expect(page.html).toContain('Số liệu tổng hợp đến nay');
    expect(page.html).toContain(`href="/api/consolidations/${consolidation.id}/tables.xlsx"`);
    expect(page.html).toContain('id="chart-empty"');
    expect(page.html).toContain(`action="/consolidations/${consolidation.id}/urge"`);
    expect(page.html).toContain(`Đơn vị 1–${expected} trong ${expected}`);
    expect(page.html).not.toContain('rel="next"');
    // Server time is bench/pages.bench.ts's (BENCHMARKS.md), not a timed test's.
  });

  it('lists the units of one status, a page at a time, on the page and through the API', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    const all = await browser.get(`/progress?unitId=${province.id}`);
    const expected = all.html.match(/<tr data-unit="/g)!.length;
    const drafting = await browser.get(`/progress?unitId=${province.id}&id=${consolidation.id}&status=drafting`);
    expect(drafting.html.match(/<tr data-unit="/g)).toBeNull();
    expect(drafting.html).toContain('Không có đơn vị nào.');
    expect(drafting.html).toMatch(/<option value="drafting" selected>/);
    const notStarted = await browser.get(`/progress?unitId=${province.id}&id=${consolidation.id}&status=not-started&page=99`);
    expect(notStarted.html.match(/<tr data-unit="/g)).toHaveLength(expected);
    expect(notStarted.html).toContain(`Đơn vị 1–${expected} trong ${expected} (chưa bắt đầu)`);

    const api = new ApiClient(t.baseUrl);
    await api.login(CONSOLIDATOR, DEMO_PASSWORD);
    const page = await api.request('GET', `/api/consolidations/${consolidation.id}/progress?status=not-started&offset=5&limit=3`);
    expect(page.status).toBe(200);
    expect(page.body.units).toHaveLength(3);
    expect(page.body.page).toEqual({ offset: 5, limit: 3, matching: expected });
    expect(page.body.counts.expected).toBe(expected);
    const whole = await api.request('GET', `/api/consolidations/${consolidation.id}/progress`);
    expect(page.body.units.map((u: { unitId: number }) => u.unitId)).toEqual(whole.body.units.slice(5, 8).map((u: { unitId: number }) => u.unitId));
    expect(whole.body.page).toBeUndefined();
    // A browser that takes gzip gets the same JSON compressed once per change; one that does not, as it is.
    const compressed = await api.request('GET', `/api/consolidations/${consolidation.id}/progress`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect(compressed.headers.get('vary')).toContain('Accept-Encoding');
    expect(whole.headers.get('content-encoding')).toBeNull();
    const raw = await rawGet(t.baseUrl, `/api/consolidations/${consolidation.id}/progress`, api.cookie!);
    expect(raw.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(raw.body).toString('utf8'))).toEqual(whole.body);
    expect(raw.body.length).toBeLessThan(JSON.stringify(whole.body).length / 4);
    expect((await api.request('GET', `/api/consolidations/${consolidation.id}/progress?limit=0`)).status).toBe(422);
    expect((await api.request('GET', `/api/consolidations/${consolidation.id}/progress?status=lost`)).status).toBe(422);
  });

  it('draws the reports received by day as SVG on the server, with the figures as a table', async () => {
    const reports = t.dataSource.getRepository(ReportEntity);
    const commune = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21034' });
    await reports.update({ cycleId: cycle.id, unitId: commune.id }, { sentAt: new Date('2026-11-10T16:30:00Z') });
    try {
      const browser = new FormClient(t.baseUrl);
      await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
      const page = await browser.get('/progress');
      expect(page.html).toMatch(/<svg [^>]*class="chart"/);
      expect(page.html).toContain('<rect class="bar"');
      expect(page.html).toContain('data-day="2026-11-10"');
      expect(page.html).toMatch(/<tr data-day="2026-11-10"><td>10\/11\/2026<\/td><td class="number">1<\/td><td class="number">1<\/td><\/tr>/);
      expect(page.html).toMatch(/<desc id="chart-desc">Từ 10\/11\/2026 đến .*: đã nhận 1 trên \d+ báo cáo; nhiều nhất 1 báo cáo một ngày\.<\/desc>/);
    } finally {
      await reports.update({ cycleId: cycle.id, unitId: commune.id }, { sentAt: null });
    }
  });

  it('keeps the units’ table for the next viewer, with each session’s own form token in its rows', async () => {
    const tokensIn = (html: string) => [...new Set([...rowOf(html, '21211').matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]))];
    const first = new FormClient(t.baseUrl);
    await first.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    const second = new FormClient(t.baseUrl);
    await second.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    const a = await first.get(`/progress?unitId=${province.id}&id=${consolidation.id}`);
    const b = await second.get(`/progress?unitId=${province.id}&id=${consolidation.id}`);
    // The same rows (kept after the first view), each with the token of the session that asked.
    expect(tokensIn(a.html)).toEqual([first.csrf]);
    expect(tokensIn(b.html)).toEqual([second.csrf]);
    expect(first.csrf).not.toBe(second.csrf);
    // Every form of the page, not only that row's: each place of the kept rows got the token.
    const everyToken = (html: string) => [...new Set([...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]))];
    expect(everyToken(b.html)).toEqual([second.csrf]);
    expect(b.html.match(/name="_csrf"/g)!.length).toBeGreaterThan(3);
    expect(b.html.replaceAll(second.csrf, first.csrf)).toBe(a.html);
  });

  it('extends one unit’s deadline through its form; a bad date is refused at its field and changes nothing', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    await browser.get('/progress');
    const before = (await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId })).deadlineAt;
    const back = `unitId=${province.id}&id=${consolidation.id}`;
    const refused = await browser.post(`/reports/${reportId}/deadline`, { deadline: '31/02/2027', back });
    expect(refused.status).toBe(422);
    const row = rowOf(refused.html, '21211');
    expect(row).toMatch(/name="deadline"[^>]*value="31\/02\/2027"[^>]*aria-invalid="true"/);
    expect(row).toContain('Hãy nhập ngày dạng dd/mm/yyyy');
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId })).deadlineAt).toEqual(before);
    // A day already past: the service's rule, at the field too.
    const past = await browser.post(`/reports/${reportId}/deadline`, { deadline: '01/01/2020', back });
    expect(past.status).toBe(422);
    expect(rowOf(past.html, '21211')).toContain('Hạn báo cáo mới phải ở tương lai');

    const future = new Date(Date.now() + 20 * 86_400_000);
    const iso = isoCivilDate(future);
    const typed = `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
    const done = await browser.post(`/reports/${reportId}/deadline`, { deadline: typed, back });
    expect(done).toMatchObject({ status: 303, location: `/progress?${back}&done=extended` });
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId })).deadlineAt).toEqual(new Date(`${iso}T23:59:59.999+07:00`));
    const page = await browser.get(done.location!);
    expect(page.html).toContain('Đã gia hạn');
    expect(rowOf(page.html, '21211')).toContain(typed);
  });

  it('sets and removes the deadline of every unit reporting here; a day after the province’s own is refused at its field', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    await browser.get(`/progress?unitId=${province.id}`);
    const unitsDeadline = async () => (await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ id: consolidation.id })).unitsDeadlineAt;
    const bad = await browser.post(`/consolidations/${consolidation.id}/units-deadline`, { deadline: '31/02/2026' });
    expect(bad.status).toBe(422);
    expect(bad.html).toMatch(/id="units-deadline"[^>]*value="31\/02\/2026"[^>]*aria-invalid="true"/);
    const late = await browser.post(`/consolidations/${consolidation.id}/units-deadline`, { deadline: '30/11/2026' });
    expect(late.status).toBe(422);
    expect(late.html).toContain('Hạn của các đơn vị phải sớm hơn hoặc bằng hạn báo cáo của đơn vị tổng hợp (14/11/2026)');
    expect(await unitsDeadline()).toBeNull();
    const set = await browser.post(`/consolidations/${consolidation.id}/units-deadline`, { deadline: '07/11/2026' });
    expect(set).toMatchObject({ status: 303, location: `/progress?unitId=${province.id}&id=${consolidation.id}&done=units-deadline-set` });
    expect(await unitsDeadline()).toEqual(new Date('2026-11-07T16:59:59.999Z'));
    const page = await browser.get(set.location!);
    expect(page.html).toContain('Đã lưu hạn riêng');
    expect(page.html).toMatch(/id="units-deadline"[^>]*value="07\/11\/2026"/);
    const removed = await browser.post(`/consolidations/${consolidation.id}/units-deadline`, { deadline: '' });
    expect(removed.location).toContain('done=units-deadline-removed');
    expect(await unitsDeadline()).toBeNull();
  });

  it('refuses the province’s dashboard and its forms to a commune’s staff', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(STAFF, DEMO_PASSWORD);
    for (const path of [`/progress?unitId=${province.id}`, '/progress']) {
      const page = await browser.get(path);
      expect([path, page.status]).toEqual([path, 403]);
      expect(page.html).toContain('Không có quyền');
    }
    const closing = await browser.post(`/consolidations/${consolidation.id}/close`, { confirm: 'yes' });
    expect(closing.status).toBe(403);
    expect((await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ id: consolidation.id })).status).toBe('open');
  });

  it('lists the unit’s reports on the documents page, with their process, and the register', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(STAFF, DEMO_PASSWORD);
    const page = await browser.get('/documents');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Ủy ban nhân dân xã Tịnh Khê');
    expect(page.html).toMatch(new RegExp(`<tr data-report="${reportId}"><th scope="row">2026</th><td>Chưa bắt đầu</td>`));
    expect(page.html).toContain(`href="/process?report=${reportId}"`);
    expect(page.html).toContain('id="register-form"');
    expect(page.html).toContain('id="register-cover"');
    const badYear = await browser.get('/documents?kind=incoming&year=20x6');
    expect(badYear.status).toBe(422);
    expect(badYear.html).toMatch(/id="register-year"[^>]*value="20x6"[^>]*aria-invalid="true"/);
    // The consolidator follows the province: its consolidated tables are there.
    const consolidator = new FormClient(t.baseUrl);
    await consolidator.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    expect((await consolidator.get('/documents')).html).toContain(`href="/api/consolidations/${consolidation.id}/tables.xlsx" class="tables-xlsx"`);
  });

  it('shows the report’s process history and its steps without the diagram’s script', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(STAFF, DEMO_PASSWORD);
    const page = await browser.get(`/process?report=${reportId}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<ol id="history"><li><time datetime="[^"]+">\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}<\/time> – [^<]+: bắt đầu quy trình/);
    expect(page.html).toMatch(/<ul id="active-steps"[^>]*><li data-element="[^"]+">[^<]+<\/li>/);
    expect(page.html).toContain('<script type="module" src="/js/process.js"></script>');
    const other = new FormClient(t.baseUrl);
    await other.signIn(`staff.21034@${DATA_SET}`, DEMO_PASSWORD);
    expect((await other.get(`/process?report=${reportId}`)).status).toBe(403);
    expect((await other.get('/process?report=abc')).status).toBe(422);
  });

  it('closes the period only once confirmed', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    await browser.get('/progress');
    const refused = await browser.post(`/consolidations/${consolidation.id}/close`, {});
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="close-confirm"[^>]*aria-invalid="true"/);
    expect(refused.html).toContain('Hãy đánh dấu “Tôi xác nhận” trước khi chốt số liệu.');
    expect((await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ id: consolidation.id })).status).toBe('open');
    const closed = await browser.post(`/consolidations/${consolidation.id}/close`, { confirm: 'yes' });
    expect(closed).toMatchObject({ status: 303, location: `/progress?unitId=${province.id}&id=${consolidation.id}&done=closed` });
    expect((await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ id: consolidation.id })).status).toBe('closed');
    const page = await browser.get(closed.location!);
    expect(page.html).toContain('Đã chốt số liệu.');
    expect(page.html).toContain('Số liệu tổng hợp đã chốt');
    expect(page.html).not.toContain('id="close-period"');
  });

  // Last: the newer cycle becomes the dashboard's default for the tests above.
  it('offers a cycle opened since the last view in its picker', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(CONSOLIDATOR, DEMO_PASSWORD);
    const before = await browser.get(`/progress?unitId=${province.id}`);
    expect(before.html).not.toContain('id="pick-cycle"');
    const next = await insertCycle(t.dataSource, DATA_SET, 2027);
    await t.app.get(ConsolidationService).startConsolidations(next);
    await t.app.get(WorkflowEngine).whenIdle();
    const after = await browser.get(`/progress?unitId=${province.id}`);
    expect(after.html).toMatch(/<select id="pick-cycle" name="id"><option value="\d+" selected>Năm 2027<\/option><option value="\d+">Năm 2026<\/option><\/select>/);
  });
});

/** A GET whose body is kept as bytes (a compressed answer is not text). */
function rawGet(baseUrl: string, path: string, cookie: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${baseUrl}${path}`, { headers: { cookie, 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}
