import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportValues } from '../../src/reports/form/report-values';
import { ReportEvidenceEntity } from '../../src/reports/report-evidence.entity';
import { ReportEntity } from '../../src/reports/report.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { insertCycle } from '../support/cycle-fixture';
import { FormClient, PageResponse } from '../support/form-client';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';
const login = (who: string) => `${who}@${DATA_SET}`;
const PDF = { name: 'bien-ban-danh-gia.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') };

/** The report's values as a person types them into the page: 1.234, dd/mm/yyyy, true/false for Có/Không. */
function typed(values: ReportValues): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [section, figures] of Object.entries(values.figures)) {
    for (const [field, value] of Object.entries(figures)) {
      if (value === null || value === undefined) continue;
      fields[`figures.${section}.${field}`] =
        typeof value === 'boolean' ? String(value) : typeof value === 'number' ? value.toLocaleString('vi-VN') : /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.split('-').reverse().join('/') : value;
    }
  }
  for (const [key, value] of Object.entries(values.narratives)) fields[`narratives.${key}`] = value;
  return fields;
}

/** The text of the element with this id (its first text, tags stripped). */
function textOfId(html: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return match ? match[1].replace(/<[^>]+>/g, '').trim() : '';
}

/**
 * The report page without JavaScript (FormClient: links and forms only): staff save and submit
 * through the one form, a broken rule comes back at its field with nothing saved, the head returns
 * (a comment required) and approves, staff see the comment and the changed fields, evidence is
 * uploaded as a multipart form with its token in the action's query, the consolidator enters a paper
 * report, and people of another unit are refused.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('the report page without JavaScript [%s]', (kind) => {
  let t: TestApp;
  let cycle: CycleEntity;
  let reportId: number;
  let paperReportId: number;
  let values: ReportValues;
  const staff = () => new FormClient(t.baseUrl);
  let staffClient: FormClient;
  let headClient: FormClient;
  const settle = async () => {
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
  };
  const reportRow = () => t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId });

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    const units = t.dataSource.getRepository(UnitEntity);
    const unit = await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    reportId = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    paperReportId = (await t.app.get(ReportsService).startReport(cycle, await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21172' }))).id;
    await settle();
    values = generateReportValues(formForYear(2026), seededRandom(7), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Tịnh Khê');
    staffClient = staff();
    await staffClient.signIn(login('staff.21211'), DEMO_PASSWORD);
    headClient = new FormClient(t.baseUrl);
    await headClient.signIn(login('head.21211'), DEMO_PASSWORD);
  }, 120_000);
  afterAll(() => t.close());

  it('draws the form from the form definition, every field labelled, in Vietnamese formats', async () => {
    const page = await staffClient.get(`/report?id=${reportId}`);
    expect(page.status).toBe(200);
    expect(textOfId(page.html, 'page-title')).toBe('Báo cáo năm 2026 – Xã Tịnh Khê');
    expect(page.html).toContain(`action="/reports/${reportId}/draft"`);
    const form = formForYear(2026);
    for (const section of form.sections) for (const field of section.fields) expect(page.html).toContain(`<label for="f-figures-${section.key}-${field.key}">`);
    for (const narrative of form.narratives) expect(page.html).toContain(`name="narratives.${narrative.key}"`);
    expect(page.html).toContain('id="save-draft"');
    expect(page.html).toContain('id="submit-report"');
    expect(page.html).toContain(`href="/api/reports/${reportId}/preview"`);
    expect(page.html).toContain(`href="/process?report=${reportId}"`);
    expect(page.html).toContain('<script type="module" src="/js/report.js"></script>');
    // Prefill is its own form (the button sits among the others through form="prefill-form"): no approved report last year here.
    expect(page.html).toContain(`<form id="prefill-form" method="post" action="/reports/${reportId}/prefill">`);
    const prefill = await staffClient.post(`/reports/${reportId}/prefill`);
    expect(prefill.status).toBe(404);
    expect(prefill.html).toContain('Không có báo cáo năm trước đã phê duyệt của đơn vị để lấy số liệu.');
    expect((await reportRow()).status).toBe('not-started');
  });

  it('refuses a save that breaks a rule: 422, the message at its field, the values as typed, nothing saved', async () => {
    await staffClient.get(`/report?id=${reportId}`);
    const broken: Record<string, string> = { ...typed(values), 'figures.procedures.documentedProcedures': '12a' };
    const page = await staffClient.post(`/reports/${reportId}/draft`, { ...broken, action: 'save' });
    expect(page.status).toBe(422);
    expect(page.html).toMatch(/id="f-figures-procedures-documentedProcedures"[^>]*value="12a"[^>]*aria-invalid="true"/);
    expect(textOfId(page.html, 'f-figures-procedures-documentedProcedures-error')).toBe('Phải là số nguyên');
    expect(page.html).toContain(`value="${broken['figures.procedures.underAuthority']}"`);
    const row = await reportRow();
    expect(row.status).toBe('not-started');
    expect(row.draftValues.figures).toEqual({});
  });

  it('refuses a submission that breaks a consistency rule at its field, the values kept as typed', async () => {
    await staffClient.get(`/report?id=${reportId}`);
    const covered = (Number(values.figures.procedures.underAuthority) + 5).toLocaleString('vi-VN');
    const page = await staffClient.post(`/reports/${reportId}/draft`, { ...typed(values), 'figures.procedures.coveredByQms': covered, action: 'submit' });
    expect(page.status).toBe(422);
    expect(page.html).toMatch(new RegExp(`id="f-figures-procedures-coveredByQms"[^>]*value="${covered}"[^>]*aria-invalid="true"`));
    expect(textOfId(page.html, 'f-figures-procedures-coveredByQms-error')).toMatch(/không được lớn hơn/);
    expect((await reportRow()).status).not.toBe('in-review');
  });

  it('saves the draft and submits it through the same form', async () => {
    await staffClient.get(`/report?id=${reportId}`);
    const saved = await staffClient.post(`/reports/${reportId}/draft`, { ...typed(values), action: 'save' });
    expect(saved).toMatchObject({ status: 303, location: `/report?id=${reportId}&done=saved` });
    const after = await staffClient.get(saved.location!);
    expect(after.html).toContain('Đã lưu bản nháp.');
    expect(textOfId(after.html, 'report-status')).toBe('Đang soạn thảo');
    // Shown again as typed: 1.234 and dd/mm/yyyy.
    expect(after.html).toContain(`value="${typed(values)['figures.procedures.underAuthority']}"`);
    const submitted = await staffClient.post(`/reports/${reportId}/draft`, { ...typed(values), action: 'submit' });
    expect(submitted).toMatchObject({ status: 303, location: `/report?id=${reportId}&done=submitted` });
    expect((await reportRow()).status).toBe('in-review');
    await settle();
    // The form is read-only now: no save or submit buttons for staff.
    const readOnly = await staffClient.get(`/report?id=${reportId}`);
    expect(readOnly.html).not.toContain('id="save-draft"');
    expect(readOnly.html).toContain('Báo cáo chỉ để xem ở trạng thái này.');
  });

  it('refuses a return without a comment at the comment field, then returns with one', async () => {
    const page = await headClient.get(`/report?id=${reportId}`);
    expect(page.html).toContain('id="review-panel"');
    const refused = await headClient.post(`/reports/${reportId}/review`, { decision: 'returned', comment: '  ' });
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="review-comment-input"[^>]*aria-invalid="true"/);
    expect(textOfId(refused.html, 'review-comment-error')).toBe('Cần ghi ý kiến khi trả lại báo cáo');
    expect((await reportRow()).status).toBe('in-review');
    const returned = await headClient.post(`/reports/${reportId}/review`, { decision: 'returned', comment: 'Bổ sung số lớp đào tạo về ISO trong năm' });
    expect(returned).toMatchObject({ status: 303, location: `/report?id=${reportId}&done=returned` });
    expect((await reportRow()).status).toBe('returned');
    await settle();
  });

  it('shows staff the reviewer’s comment and marks each field changed since the returned version', async () => {
    const page = await staffClient.get(`/report?id=${reportId}`);
    expect(page.html).toContain('id="returned-panel"');
    expect(textOfId(page.html, 'review-comment')).toBe('Bổ sung số lớp đào tạo về ISO trong năm');
    const courses = Number(values.figures.training.courses) + 2;
    const saved = await staffClient.post(`/reports/${reportId}/draft`, { ...typed(values), 'figures.training.courses': String(courses), action: 'save' });
    expect(saved.status).toBe(303);
    const after = await staffClient.get(saved.location!);
    expect(after.html).toMatch(/<div class="field changed">\s*<label for="f-figures-training-courses">/);
    expect(after.html).toContain(`Đã sửa. Bản nộp lần 1: ${Number(values.figures.training.courses).toLocaleString('vi-VN')}`);
    expect(after.html.match(/class="field changed"/g)).toHaveLength(1);
  });

  it('attaches evidence through a multipart form carrying its token in the action, and refuses one without it', async () => {
    const page = await staffClient.get(`/report?id=${reportId}`);
    const action = /id="evidence-form"[^>]*action="([^"]+)"/.exec(page.html)![1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    expect(action).toBe(`/reports/${reportId}/evidence?_csrf=${encodeURIComponent(staffClient.csrf)}`);
    const evidence = t.dataSource.getRepository(ReportEvidenceEntity);
    const refused = await staffClient.postMultipart(`/reports/${reportId}/evidence`, {}, { file: PDF });
    expect(refused.status).toBe(403);
    expect(await evidence.countBy({ reportId })).toBe(0);
    const empty = await staffClient.postMultipart(action, {});
    expect(empty.status).toBe(422);
    expect(textOfId(empty.html, 'evidence-file-error')).toBe('Chưa chọn tệp');
    const attached = await staffClient.postMultipart(action, {}, { file: PDF });
    expect(attached).toMatchObject({ status: 303, location: `/report?id=${reportId}&done=evidence` });
    const after = await staffClient.get(attached.location!);
    const row = await evidence.findOneByOrFail({ reportId });
    expect(after.html).toContain(`<a href="/api/reports/${reportId}/evidence/${row.id}">bien-ban-danh-gia.pdf</a>`);
  });

  it('lets the head compare the versions and approve', async () => {
    await staffClient.get(`/report?id=${reportId}`);
    expect((await staffClient.post(`/reports/${reportId}/draft`, { ...typed(values), 'figures.training.courses': String(Number(values.figures.training.courses) + 2), action: 'submit' })).status).toBe(303);
    await settle();
    const diff = await headClient.get(`/report?id=${reportId}&from=1&to=2`);
    expect(diff.html).toContain('id="diff"');
    expect(diff.html).toMatch(/<th scope="row">Số lớp đào tạo[^<]*<\/th>/);
    expect(diff.html).toContain('Thủ trưởng: Trả lại');
    const approved = await headClient.post(`/reports/${reportId}/review`, { decision: 'approved', comment: '' });
    expect(approved).toMatchObject({ status: 303, location: `/report?id=${reportId}&done=approved` });
    await settle();
    expect(['approved', 'issued']).toContain((await reportRow()).status);
  });

  it('refuses the page and its forms to someone of another unit (403 page, nothing changed)', async () => {
    const other = new FormClient(t.baseUrl);
    await other.signIn(login('staff.21172'), DEMO_PASSWORD);
    const page = await other.get(`/report?id=${reportId}`);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Không có quyền');
    const before = (await reportRow()).updatedAt;
    const post = await other.post(`/reports/${reportId}/review`, { decision: 'returned', comment: 'x' });
    expect(post.status).toBe(403);
    expect((await reportRow()).updatedAt).toEqual(before);
    expect((await other.get('/report?id=999999')).status).toBe(404);
  });

  it('lets the receiving unit’s consolidator enter a paper report: figures, reference and scan, errors at their fields', async () => {
    const consolidator = new FormClient(t.baseUrl);
    await consolidator.signIn(login('consolidator.skhcn'), DEMO_PASSWORD);
    const page = await consolidator.get(`/report?id=${paperReportId}&paper=1`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="paper-fieldset"');
    const action = /id="report-form"[^>]*action="([^"]+)"/.exec(page.html)![1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    expect(action).toBe(`/reports/${paperReportId}/paper?_csrf=${encodeURIComponent(consolidator.csrf)}`);
    const refused = await consolidator.postMultipart(action, { ...typed(values), reference: '' }, { file: PDF });
    expect(refused.status).toBe(422);
    expect(textOfId(refused.html, 'paper-reference-error')).toMatch(/từ 3 đến 255 ký tự/);
    expect(refused.html).toContain(`value="${typed(values)['figures.procedures.underAuthority']}"`);
    const entered = await consolidator.postMultipart(action, { ...typed(values), reference: '45/BC-UBND ngày 12/11/2026' }, { file: PDF });
    expect(entered).toMatchObject({ status: 303, location: `/report?id=${paperReportId}&done=paper` });
    const row = await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: paperReportId });
    expect(row).toMatchObject({ onPaper: true, paperReference: '45/BC-UBND ngày 12/11/2026', status: 'issued' });
    expect((await consolidator.get(entered.location!)).html).toContain('Đã nhập hộ báo cáo giấy.');
  });
});
