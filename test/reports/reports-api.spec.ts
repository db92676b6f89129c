import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { DocumentStore } from '../../src/documents/store/document-store';
import { ReportEntity } from '../../src/reports/report.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';
const as = async (t: TestApp, login: string) => {
  const client = new ApiClient(t.baseUrl);
  const response = await client.login(`${login}@${DATA_SET}`, DEMO_PASSWORD);
  if (response.status !== 200) throw new Error(`login ${login}: ${response.status}`);
  return client;
};

describe.each(TEST_DATABASE_KINDS)('a unit report through the API [%s]', (kind) => {
  let t: TestApp;
  let cycle: CycleEntity;
  let reportId: number;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    reportId = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    await t.app.get(InboxProjection).settled();
  });
  afterAll(() => t.close());

  it('runs draft → return with a comment → fix → approve, every step through the process', async () => {
    const staff = await as(t, 'staff.21211');
    const inbox = await staff.request('GET', `/api/inbox?cycleId=${cycle.id}`);
    expect(inbox.status).toBe(200);
    expect(inbox.body.map((task: { elementId: string; subject: string }) => [task.elementId, task.subject])).toEqual([['draft-report', `report:${reportId}`]]);
    expect(inbox.body[0].dueAt).toBe('2026-11-14T16:59:59.999Z');

    const values = generateReportValues(formForYear(2026), seededRandom(11), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Tịnh Khê');
    expect((await staff.request('PUT', `/api/reports/${reportId}/draft`, { body: values })).status).toBe(200);
    expect((await staff.request('POST', `/api/reports/${reportId}/submit`)).body.status).toBe('in-review');

    const head = await as(t, 'head.21211');
    expect((await head.request('GET', '/api/inbox')).body.map((task: { elementId: string }) => task.elementId)).toEqual(['head-review']);
    const returned = await head.request('POST', `/api/reports/${reportId}/review`, { body: { decision: 'returned', comment: 'Bổ sung số lớp đào tạo' } });
    expect(returned.body.status).toBe('returned');

    values.figures.training.courses = 3;
    await staff.request('PUT', `/api/reports/${reportId}/draft`, { body: values });
    await staff.request('POST', `/api/reports/${reportId}/submit`);
    // The return of version 1 sent again (its answer lost) reaches the server after the resubmission: refused, nothing changed.
    const stale = await head.request('POST', `/api/reports/${reportId}/review`, { body: { decision: 'returned', comment: 'Bổ sung số lớp đào tạo', version: 1 } });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'report-version-changed']);
    expect((await head.request('GET', `/api/reports/${reportId}`)).body.report).toMatchObject({ status: 'in-review', currentVersion: 2 });
    expect((await head.request('POST', `/api/reports/${reportId}/review`, { body: { decision: 'approved', version: 2 } })).body).toMatchObject({ status: 'approved', approvedVersion: 2 });

    const history = await staff.request('GET', `/api/reports/${reportId}/versions`);
    expect(history.body.reviews.map((r: { versionNo: number; decision: string }) => [r.versionNo, r.decision])).toEqual([[1, 'returned'], [2, 'approved']]);
    const diff = await staff.request('GET', `/api/reports/${reportId}/diff?from=1&to=2`);
    expect(diff.body.map((c: { path: string }) => c.path)).toEqual(['figures.training.courses']);
    const engine = t.app.get(WorkflowEngine);
    await engine.whenIdle();
    const report = await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId });
    const engineHistory = await engine.getHistory(report.processInstanceKey!);
    expect(engineHistory.filter((h) => h.elementId === 'head-review' && h.event === 'completed')).toHaveLength(2);

    // The approval went on through the issue pipeline: numbered, rendered, stored, sent.
    expect(report.status).toBe('issued');
    expect((await engine.getInstance(report.processInstanceKey!)).status).toBe('completed');
    const document = await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: report.issuedDocumentId! });
    expect(document).toMatchObject({ number: 1, year: 2026, documentType: 'bao-cao' });
    const stored = (await t.app.get(DocumentStore).get(document.id))!;
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: stored.pdf }).toString('utf8');
    expect(text).toContain('Số: 01/BC-UBND');
    // Each figure's row starts with its number (section.field, as the form orders them) and ends with the value.
    const row = (path: string, printed: string) => {
      const [sectionKey, fieldKey] = path.split('.');
      const sectionIndex = formForYear(2026).sections.findIndex((s) => s.key === sectionKey);
      const fieldIndex = formForYear(2026).sections[sectionIndex].fields.findIndex((f) => f.key === fieldKey);
      return new RegExp(`^\\s*${sectionIndex + 1}\\.${fieldIndex + 1}\\s.*\\s${printed.replace('.', '\\.')}\\s*$`, 'm');
    };
    expect(text).toMatch(row('training.courses', '03'));
    expect(text).toMatch(row('procedures.underAuthority', String(values.figures.procedures.underAuthority)));
    expect(text).toMatch(/^\s*ỦY BAN NHÂN DÂN\s+CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\s*\n\s*XÃ TỊNH KHÊ\s/m);
  });

  it('answers 422 with the field paths for a draft that breaks the form', async () => {
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21034' });
    const id = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    const staff = await as(t, 'staff.21034');
    const response = await staff.request('PUT', `/api/reports/${id}/draft`, { body: { figures: { procedures: { underAuthority: -3 }, nowhere: {} } } });
    expect(response.status).toBe(422);
    expect(response.body.error.fields.map((f: { path: string; code: string }) => [f.path, f.code])).toEqual([['figures.nowhere', 'unknown-field']]);
    const second = await staff.request('PUT', `/api/reports/${id}/draft`, { body: { figures: { procedures: { underAuthority: -3 } } } });
    expect(second.body.error.fields).toEqual([{ path: 'figures.procedures.underAuthority', code: 'min', message: 'Không được nhỏ hơn 0' }]);
  });

  it('keeps another unit’s staff and head out (403)', async () => {
    const outsider = await as(t, 'staff.21034');
    expect((await outsider.request('GET', `/api/reports/${reportId}`)).status).toBe(403);
    expect((await outsider.request('PUT', `/api/reports/${reportId}/draft`, { body: { figures: {} } })).status).toBe(403);
    const otherHead = await as(t, 'head.21034');
    expect((await otherHead.request('POST', `/api/reports/${reportId}/review`, { body: { decision: 'approved' } })).status).toBe(403);
    expect((await otherHead.request('GET', '/api/inbox')).body.map((task: { subject: string }) => task.subject)).not.toContain(`report:${reportId}`);
  });

  it('lets the standing agency’s consolidator read every report of its data set', async () => {
    const consolidator = await as(t, 'consolidator.skhcn');
    const response = await consolidator.request('GET', `/api/reports/${reportId}`);
    expect(response.status).toBe(200);
    expect(response.body.report.status).toBe('issued');
  });

  it('previews the working draft as a PDF marked DỰ THẢO, without a number', async () => {
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21457' });
    const id = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    const staff = await as(t, 'staff.21457');
    await staff.request('PUT', `/api/reports/${id}/draft`, { body: { figures: { procedures: { underAuthority: 1234 } } } });
    const response = await fetch(`${t.baseUrl}/api/reports/${id}/preview`, { headers: { cookie: staff.cookie! } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(await response.arrayBuffer()) }).toString('utf8');
    expect(text).toContain('DỰ THẢO');
    expect(text).toMatch(/Số:\s+\/BC-UBND/);
    expect(text).toMatch(/1\.234/);
  });

  it('prefills figures from the unit’s approved report of last year, and says so when there is none', async () => {
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    const nextCycle = await insertCycle(t.dataSource, DATA_SET, 2027);
    const id = (await t.app.get(ReportsService).startReport(nextCycle, unit)).id;
    const staff = await as(t, 'staff.21211');
    const prefilled = await staff.request('POST', `/api/reports/${id}/prefill`);
    expect(prefilled.status).toBe(201);
    const lastYear = await staff.request('GET', `/api/reports/${reportId}/versions`);
    const approved = lastYear.body.versions.find((v: { versionNo: number }) => v.versionNo === 2).values;
    expect(prefilled.body.draftValues.figures.training.courses).toBe(3);
    expect(prefilled.body.draftValues.figures.procedures).toEqual(approved.figures.procedures);
    expect(prefilled.body.draftValues.figures.internalAudit.date).toBeUndefined();
    expect(prefilled.body.draftValues.narratives).toEqual({});

    const other = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21085' });
    const without = (await t.app.get(ReportsService).startReport(nextCycle, other)).id;
    const none = await (await as(t, 'staff.21085')).request('POST', `/api/reports/${without}/prefill`);
    expect(none.status).toBe(404);
  });

  it('attaches evidence within the limits, stored with its hash, and refuses other files naming the problem', async () => {
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21472' });
    const id = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    const staff = await as(t, 'staff.21472');
    const upload = (name: string, type: string, bytes: Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
      return fetch(`${t.baseUrl}/api/reports/${id}/evidence`, { method: 'POST', body: form, headers: { cookie: staff.cookie!, 'x-csrf-token': staff.csrfToken! } });
    };
    const pdf = Buffer.from('%PDF-1.4\n% biên bản họp xem xét của lãnh đạo\n');
    const accepted = await upload('Biên bản họp.pdf', 'application/pdf', pdf);
    expect(accepted.status).toBe(201);
    const row = await accepted.json();
    expect(row).toMatchObject({ fileName: 'Biên bản họp.pdf', mediaType: 'application/pdf', sizeBytes: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') });

    const back = await fetch(`${t.baseUrl}/api/reports/${id}/evidence/${row.id}`, { headers: { cookie: staff.cookie! } });
    expect(Buffer.from(await back.arrayBuffer()).equals(pdf)).toBe(true);

    const disguised = await upload('virus.pdf', 'application/pdf', Buffer.from('MZ\x90\x00 not a pdf'));
    expect(disguised.status).toBe(422);
    expect((await disguised.json()).error.fields).toEqual([{ path: 'file', code: 'type', message: 'Nội dung tệp không phải application/pdf' }]);
    const tooLarge = await upload('big.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(10 * 1024 * 1024)]));
    expect(tooLarge.status).toBeGreaterThanOrEqual(400);
    expect(tooLarge.status).toBeLessThan(500);
    const script = await upload('a.html', 'text/html', Buffer.from('<script>alert(1)</script>'));
    expect(script.status).toBe(422);
    expect((await staff.request('GET', `/api/reports/${id}/evidence`)).body).toHaveLength(1);
  });
});
