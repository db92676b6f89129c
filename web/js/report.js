// The report page: the form drawn from the form definition the API sends with the report, the
// draft saved and submitted through the API (whose validation is the one rule set: its 422 field
// errors are shown at their fields), the review, versions and their differences, evidence, the
// DỰ THẢO preview and the issued document. As one types, the same rules answer through
// POST /api/reports/:id/validation (nothing saved).
import {
  announce, api, ApiError, el, formatCivilDate, formatDateTime, formatNumber, hasRole, param, parseCivilDate, parseWholeNumber, runPage, signedIn, STATUS_LABELS,
} from './app.js';

const EDITABLE = ['not-started', 'drafting', 'returned'];
const READERS = ['staff', 'division-head', 'head', 'deputy', 'clerk'];
const REVIEWERS = ['division-head', 'head', 'deputy'];
const DECISIONS = { approved: 'Phê duyệt', returned: 'Trả lại' };
const STAGES = { division: 'Trưởng phòng', head: 'Thủ trưởng' };

runPage(async () => {
  const me = await signedIn();
  const id = param('id');
  if (!/^\d+$/.test(id || '')) throw new ApiError(404, { error: { code: 'not-found' } });
  const [{ report, form }, history, evidence] = await Promise.all([
    api('GET', `/api/reports/${id}`),
    api('GET', `/api/reports/${id}/versions`),
    api('GET', `/api/reports/${id}/evidence`),
  ]);
  const summary = (await api('GET', `/api/reports?unitId=${report.unitId}`).catch(() => [])).find((r) => r.id === report.id);
  // A report received on paper, entered on the unit's behalf by its receiver (nhập hộ): the API
  // decides who may (the consolidator or clerk of the unit it reports to); the page offers it when asked.
  const paperMode = param('paper') === '1' && hasRole(me, ['consolidator', 'clerk']) && report.approvedVersion === null && !report.onPaper;
  const canEdit = paperMode || (EDITABLE.includes(report.status) && hasRole(me, ['staff'], report.unitId));
  const canReview = report.status === 'in-review' && hasRole(me, REVIEWERS, report.unitId);
  const isStaff = hasRole(me, ['staff'], report.unitId);

  const title = summary ? `Báo cáo năm ${summary.year} – ${summary.unitName}` : `Báo cáo số ${report.id}`;
  document.getElementById('page-title').textContent = title;
  document.title = `${title} – ISO 9001`;

  const versions = [...history.versions].sort((a, b) => b.versionNo - a.versionNo);
  const reviews = [...history.reviews].sort((a, b) => b.versionNo - a.versionNo || Date.parse(b.decidedAt) - Date.parse(a.decidedAt));
  // What the form shows is compared with the version before it: the last submitted one while
  // staff work on a new draft, the one before the submitted one while it is reviewed.
  const previous = EDITABLE.includes(report.status) ? versions[0] : versions[1];

  const fields = new Map(); // path → { input, error, wrapper, definition }
  const formNode = el('form', { id: 'report-form', novalidate: true, 'aria-describedby': 'form-note' });
  formNode.append(el('p', { id: 'form-note', class: 'hint' }, canEdit ? 'Các ô đánh dấu * là bắt buộc khi nộp. Số nhập theo dạng 1.234; ngày theo dạng dd/mm/yyyy.' : 'Báo cáo chỉ để xem ở trạng thái này.'));
  for (const section of form.sections) {
    const fieldset = el('fieldset', {}, el('legend', {}, section.title));
    for (const field of section.fields) fieldset.append(fieldRow(`figures.${section.key}.${field.key}`, field, report.draftValues.figures?.[section.key]?.[field.key]));
    formNode.append(fieldset);
  }
  const narratives = el('fieldset', {}, el('legend', {}, 'Đánh giá chung'));
  for (const narrative of form.narratives) narratives.append(fieldRow(`narratives.${narrative.key}`, { ...narrative, type: 'narrative' }, report.draftValues.narratives?.[narrative.key]));
  formNode.append(narratives);
  const formErrors = el('div', { id: 'form-errors' });

  if (paperMode) {
    const reference = el('input', { id: 'paper-reference', name: 'reference', type: 'text', maxlength: 255, placeholder: '45/BC-UBND ngày 12/11/2026', 'aria-describedby': 'paper-reference-error' });
    const referenceError = el('p', { class: 'field-error', id: 'paper-reference-error' });
    fields.set('reference', { input: reference, error: referenceError, definition: { type: 'reference' } });
    const scan = el('input', { id: 'paper-scan', name: 'file', type: 'file', accept: '.pdf,.jpg,.jpeg,.png', 'aria-describedby': 'paper-scan-hint' });
    formNode.append(
      el(
        'fieldset',
        { id: 'paper-fieldset' },
        el('legend', {}, 'Báo cáo giấy nhập hộ'),
        el('div', { class: 'field' }, el('label', { for: 'paper-reference' }, 'Số, ký hiệu và ngày của báo cáo giấy *'), reference, referenceError),
        el('div', { class: 'field' }, el('label', { for: 'paper-scan' }, 'Bản chụp báo cáo giấy *'), scan, el('p', { class: 'hint', id: 'paper-scan-hint' }, 'PDF, JPEG hoặc PNG; tối đa 10 MB.')),
      ),
      formErrors,
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'enter-paper' }, 'Nhập hộ báo cáo')),
    );
    formNode.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!scan.files.length) return announce('Hãy chọn bản chụp báo cáo giấy.', 'error');
      const body = new FormData();
      body.append('values', JSON.stringify(collect()));
      body.append('reference', reference.value);
      body.append('file', scan.files[0]);
      try {
        await api('POST', `/api/reports/${report.id}/paper`, body);
        sessionStorage.setItem('report-message', 'Đã nhập hộ báo cáo giấy.');
        location.assign(`/report?id=${report.id}`);
      } catch (error) {
        if (error instanceof ApiError) showErrors(error);
        else throw error;
      }
    });
  } else if (canEdit) {
    formNode.append(
      formErrors,
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'submit', id: 'save-draft' }, 'Lưu bản nháp'),
        el('button', { type: 'button', id: 'submit-report', onclick: submitReport }, 'Nộp báo cáo'),
        el('button', { type: 'button', class: 'secondary', id: 'prefill', onclick: prefill }, 'Lấy số liệu năm trước'),
      ),
    );
    formNode.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (await saveDraft()) done('Đã lưu bản nháp.');
    });
  }

  // Validation as one types: the API's own rules (POST …/validation saves nothing), a moment after
  // the last keystroke; "required" waits for the submission. Only what the person changed, and
  // errors this check showed, are updated: nothing moves the focus.
  const edited = new Set();
  const liveShown = new Set();
  let liveTimer;
  let liveSeq = 0;
  if (canEdit) {
    const changed = (event) => {
      const path = event.target?.name;
      if (!fields.has(path) || !(path.startsWith('figures.') || path.startsWith('narratives.'))) return;
      edited.add(path);
      clearTimeout(liveTimer);
      liveTimer = setTimeout(liveCheck, event.type === 'input' ? 400 : 0);
    };
    formNode.addEventListener('input', changed);
    formNode.addEventListener('change', changed);
  }

  async function liveCheck() {
    const seq = ++liveSeq;
    const touched = [...edited];
    edited.clear();
    let problems = [];
    try {
      await api('POST', `/api/reports/${report.id}/validation`, collect());
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) return;
      problems = error.fields.filter((f) => f.code !== 'required');
    }
    if (seq !== liveSeq) return; // a later check is on its way
    const byPath = new Map();
    for (const p of problems) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p.message]);
    for (const [path, field] of fields) {
      const messages = byPath.get(path);
      if (messages) {
        field.error.textContent = messages.join(' ');
        field.input.setAttribute('aria-invalid', 'true');
        liveShown.add(path);
      } else if (liveShown.has(path) || touched.includes(path)) {
        field.error.textContent = '';
        field.input.removeAttribute('aria-invalid');
        liveShown.delete(path);
      }
    }
  }

  const content = document.getElementById('content');
  content.replaceChildren(
    el('p', {}, 'Trạng thái: ', el('span', { class: 'badge', id: 'report-status' }, STATUS_LABELS[report.status] || report.status), report.currentVersion ? ` · Đã nộp ${report.currentVersion} lần` : '', ` · Cập nhật ${formatDateTime(report.updatedAt)}`),
    returnedPanel(),
    documentPanel(),
    canReview ? reviewPanel() : '',
    el('h2', {}, form.title),
    formNode,
    evidencePanel(),
    versionsPanel(),
    el('h2', {}, 'Bản in và quy trình'),
    el(
      'ul',
      {},
      hasRole(me, READERS, report.unitId) ? el('li', {}, el('a', { href: `/api/reports/${report.id}/preview`, target: '_blank', rel: 'noopener', id: 'preview-link' }, 'Xem bản DỰ THẢO (PDF, theo bản nháp đã lưu)')) : '',
      el('li', {}, el('a', { href: `/process?report=${report.id}`, id: 'process-link' }, 'Xem sơ đồ quy trình xử lý báo cáo')),
    ),
  );
  const pending = sessionStorage.getItem('report-message');
  if (pending) {
    sessionStorage.removeItem('report-message');
    announce(pending, 'ok');
  }

  function fieldRow(path, definition, value) {
    const inputId = `f-${path.replace(/\./g, '-')}`;
    const errorId = `${inputId}-error`;
    const required = definition.required ? ' *' : '';
    const describedBy = [errorId];
    const hintText = [definition.unit ? `Đơn vị tính: ${definition.unit}` : '', definition.type === 'date' ? 'dd/mm/yyyy' : '', definition.type === 'money' ? 'đồng' : ''].filter(Boolean).join(' · ');
    const hint = hintText ? el('p', { class: 'hint', id: `${inputId}-hint` }, hintText) : '';
    if (hint) describedBy.push(`${inputId}-hint`);
    const common = { id: inputId, name: path, disabled: !canEdit, 'aria-describedby': describedBy.join(' '), 'aria-required': definition.required ? 'true' : null };
    let input;
    switch (definition.type) {
      case 'boolean':
        input = el('select', common, el('option', { value: '' }, '— chọn —'), el('option', { value: 'true', selected: value === true }, 'Có'), el('option', { value: 'false', selected: value === false }, 'Không'));
        break;
      case 'choice':
        input = el('select', common, el('option', { value: '' }, '— chọn —'), definition.choices.map((c) => el('option', { value: c, selected: value === c }, c)));
        break;
      case 'integer':
      case 'money':
        input = el('input', { ...common, type: 'text', inputmode: 'numeric', autocomplete: 'off', value: typeof value === 'number' ? formatNumber(value) : (value ?? '') });
        break;
      case 'date':
        input = el('input', { ...common, type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: 'dd/mm/yyyy', value: typeof value === 'string' ? formatCivilDate(value) : '' });
        break;
      case 'narrative':
        input = el('textarea', { ...common, maxlength: definition.maxLength, rows: 5 }, value ?? '');
        break;
      default:
        input = (definition.maxLength ?? 0) > 300 ? el('textarea', { ...common, maxlength: definition.maxLength, rows: 3 }, value ?? '') : el('input', { ...common, type: 'text', maxlength: definition.maxLength, value: value ?? '' });
    }
    const error = el('p', { class: 'field-error', id: errorId });
    const wrapper = el('div', { class: 'field' }, el('label', { for: inputId }, definition.label, required), input, hint, error);
    if (previous) {
      const [kind, ...rest] = path.split('.');
      const before = kind === 'figures' ? previous.values.figures?.[rest[0]]?.[rest[1]] : previous.values.narratives?.[rest[0]];
      if (!same(before, value)) {
        wrapper.classList.add('changed');
        wrapper.append(el('p', { class: 'previous' }, `Đã sửa. Bản nộp lần ${previous.versionNo}: `, display(before, definition.type) || '(trống)'));
      }
    }
    fields.set(path, { input, error, definition });
    return wrapper;
  }

  function collect() {
    const values = { figures: {}, narratives: {} };
    for (const [path, { input, definition }] of fields) {
      if (!path.startsWith('figures.') && !path.startsWith('narratives.')) continue;
      const text = input.value;
      if (text.trim() === '') continue;
      const [kind, first, second] = path.split('.');
      let value;
      if (definition.type === 'boolean') value = text === 'true';
      else if (definition.type === 'integer' || definition.type === 'money') value = parseWholeNumber(text);
      else if (definition.type === 'date') value = parseCivilDate(text);
      else value = text;
      if (kind === 'figures') (values.figures[first] ??= {})[second] = value;
      else values.narratives[first] = value;
    }
    return values;
  }

  function clearErrors() {
    formErrors.replaceChildren();
    for (const { input, error } of fields.values()) {
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    }
  }

  /** Puts each of the API's field errors at its field; the others in a list above the buttons. */
  function showErrors(error) {
    clearErrors();
    const elsewhere = [];
    let first;
    for (const problem of error.fields) {
      const field = fields.get(problem.path);
      if (!field) {
        elsewhere.push(problem.message);
        continue;
      }
      field.error.textContent = field.error.textContent ? `${field.error.textContent} ${problem.message}` : problem.message;
      field.input.setAttribute('aria-invalid', 'true');
      first ??= field.input;
    }
    if (elsewhere.length) formErrors.replaceChildren(el('ul', { class: 'message message-error' }, elsewhere.map((m) => el('li', {}, m))));
    announce(error.fields.length ? `${error.message} (${error.fields.length} lỗi)` : error.message, 'error');
    first?.focus();
  }

  async function saveDraft() {
    // The save answers with every rule: a pending or running check as one types would only blur that.
    clearTimeout(liveTimer);
    liveSeq++;
    edited.clear();
    try {
      await api('PUT', `/api/reports/${report.id}/draft`, collect());
      clearErrors();
      return true;
    } catch (error) {
      if (error instanceof ApiError) showErrors(error);
      else throw error;
      return false;
    }
  }

  async function submitReport() {
    if (!(await saveDraft())) return;
    try {
      await api('POST', `/api/reports/${report.id}/submit`);
      done('Đã nộp báo cáo để xem xét.');
    } catch (error) {
      if (error instanceof ApiError) showErrors(error);
      else throw error;
    }
  }

  async function prefill() {
    if (!confirm('Thay số liệu trong bản nháp bằng số liệu báo cáo năm trước đã phê duyệt?')) return;
    try {
      await api('POST', `/api/reports/${report.id}/prefill`);
      done('Đã lấy số liệu năm trước vào bản nháp.');
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Không thực hiện được.', 'error');
    }
  }

  function returnedPanel() {
    const latest = reviews.find((r) => r.versionNo === report.currentVersion && r.decision === 'returned');
    if (!latest || report.status !== 'returned') return '';
    return el(
      'section',
      { class: 'panel returned', 'aria-labelledby': 'returned-title', id: 'returned-panel' },
      el('h2', { id: 'returned-title' }, 'Báo cáo bị trả lại'),
      el('p', {}, `${STAGES[latest.stage] || 'Người xem xét'} trả lại lúc ${formatDateTime(latest.decidedAt)} với ý kiến:`),
      el('blockquote', { id: 'review-comment' }, latest.comment),
      el('p', { class: 'hint' }, `Các ô đã sửa so với bản nộp lần ${latest.versionNo} được đánh dấu bên dưới.`),
    );
  }

  function reviewPanel() {
    const comment = el('textarea', { id: 'review-comment-input', name: 'comment', rows: 4, maxlength: 2000, 'aria-describedby': 'review-comment-error' });
    const error = el('p', { class: 'field-error', id: 'review-comment-error' });
    const decide = async (decision) => {
      error.textContent = '';
      comment.removeAttribute('aria-invalid');
      try {
        await api('POST', `/api/reports/${report.id}/review`, { decision, comment: comment.value });
        done(decision === 'approved' ? 'Đã phê duyệt báo cáo.' : 'Đã trả lại báo cáo kèm ý kiến.');
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const problem = e.fields.find((f) => f.path === 'comment');
        if (problem) {
          error.textContent = problem.message;
          comment.setAttribute('aria-invalid', 'true');
          comment.focus();
        }
        announce(problem ? problem.message : e.message, 'error');
      }
    };
    return el(
      'section',
      { class: 'panel', 'aria-labelledby': 'review-title', id: 'review-panel' },
      el('h2', { id: 'review-title' }, `Xem xét bản nộp lần ${report.currentVersion}`),
      el('p', {}, 'Đọc báo cáo bên dưới hoặc ', el('a', { href: `/api/reports/${report.id}/preview`, target: '_blank', rel: 'noopener' }, 'bản DỰ THẢO (PDF)'), ', rồi phê duyệt hoặc trả lại kèm ý kiến.'),
      el('div', { class: 'field' }, el('label', { for: 'review-comment-input' }, 'Ý kiến (bắt buộc khi trả lại)'), comment, error),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', id: 'approve', onclick: () => decide('approved') }, 'Phê duyệt'),
        el('button', { type: 'button', id: 'return', class: 'danger', onclick: () => decide('returned') }, 'Trả lại để sửa'),
      ),
    );
  }

  function documentPanel() {
    if (!report.issuedDocumentId) {
      return report.status === 'approved' ? el('p', { class: 'panel', id: 'document-pending' }, 'Báo cáo đã được phê duyệt; văn bản đang được cấp số và ban hành.') : '';
    }
    const doc = summary?.document;
    return el(
      'section',
      { class: 'panel', 'aria-labelledby': 'document-title', id: 'document-panel' },
      el('h2', { id: 'document-title' }, 'Văn bản đã ban hành'),
      el('p', {}, doc?.symbol ? `Số ${doc.symbol}` : 'Báo cáo', doc?.issueDate ? ` ngày ${formatCivilDate(doc.issueDate)}` : '', ' · ', el('a', { href: `/api/reports/${report.id}/document`, target: '_blank', rel: 'noopener', id: 'issued-document-link' }, 'Mở văn bản (PDF)')),
    );
  }

  function evidencePanel() {
    const list = evidence.length
      ? el('ul', { id: 'evidence-list' }, evidence.map((e) => el('li', {}, el('a', { href: `/api/reports/${report.id}/evidence/${e.id}` }, e.fileName), ` (${formatNumber(Math.ceil(e.sizeBytes / 1024))} KB, ${formatDateTime(e.uploadedAt)})`)))
      : el('p', { id: 'evidence-list' }, 'Chưa có tài liệu minh chứng.');
    let upload = '';
    if (isStaff) {
      const file = el('input', { id: 'evidence-file', name: 'file', type: 'file', accept: '.pdf,.jpg,.jpeg,.png,.docx,.xlsx', 'aria-describedby': 'evidence-hint' });
      upload = el(
        'form',
        {
          id: 'evidence-form',
          onsubmit: async (event) => {
            event.preventDefault();
            if (!file.files.length) return announce('Hãy chọn tệp cần đính kèm.', 'error');
            const body = new FormData();
            body.append('file', file.files[0]);
            try {
              await api('POST', `/api/reports/${report.id}/evidence`, body);
              done(`Đã đính kèm ${file.files[0].name}.`);
            } catch (error) {
              announce(error instanceof ApiError ? error.message : 'Không tải lên được.', 'error');
            }
          },
        },
        el('div', { class: 'field' }, el('label', { for: 'evidence-file' }, 'Đính kèm minh chứng'), file, el('p', { class: 'hint', id: 'evidence-hint' }, 'PDF, JPEG, PNG, DOCX hoặc XLSX; tối đa 10 MB.')),
        el('button', { type: 'submit', class: 'secondary' }, 'Tải lên'),
      );
    }
    return el('section', { 'aria-labelledby': 'evidence-title' }, el('h2', { id: 'evidence-title' }, 'Tài liệu minh chứng'), list, upload);
  }

  function versionsPanel() {
    if (!versions.length) return '';
    const rows = versions.map((v) =>
      el(
        'tr',
        {},
        el('td', {}, `Lần ${v.versionNo}`),
        el('td', {}, formatDateTime(v.submittedAt)),
        el('td', {}, reviews.filter((r) => r.versionNo === v.versionNo).map((r) => el('p', {}, `${STAGES[r.stage] || ''}: ${DECISIONS[r.decision] || r.decision} (${formatDateTime(r.decidedAt)})`, r.comment ? ` – “${r.comment}”` : ''))),
      ),
    );
    const section = el(
      'section',
      { 'aria-labelledby': 'versions-title' },
      el('h2', { id: 'versions-title' }, 'Các lần nộp'),
      el('div', { class: 'table-wrap' }, el('table', { id: 'versions' }, el('thead', {}, el('tr', {}, ['Bản', 'Nộp lúc', 'Kết quả xem xét'].map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows))),
    );
    if (versions.length >= 2) {
      const options = (selected) => versions.map((v) => el('option', { value: v.versionNo, selected: v.versionNo === selected }, `Lần ${v.versionNo}`));
      const from = el('select', { id: 'diff-from' }, options(versions[1].versionNo));
      const to = el('select', { id: 'diff-to' }, options(versions[0].versionNo));
      const result = el('div', { id: 'diff-result', 'aria-live': 'polite' });
      section.append(
        el(
          'form',
          {
            class: 'filters',
            id: 'diff-form',
            onsubmit: async (event) => {
              event.preventDefault();
              const changes = await api('GET', `/api/reports/${report.id}/diff?from=${from.value}&to=${to.value}`).catch((e) => (announce(e.message, 'error'), null));
              if (!changes) return;
              const type = (path) => fields.get(path)?.definition.type;
              result.replaceChildren(
                changes.length === 0
                  ? el('p', {}, 'Hai bản không khác nhau.')
                  : el(
                      'table',
                      { id: 'diff' },
                      el('caption', {}, `Khác nhau giữa lần ${from.value} và lần ${to.value}`),
                      el('thead', {}, el('tr', {}, ['Chỉ tiêu', `Lần ${from.value}`, `Lần ${to.value}`].map((h) => el('th', { scope: 'col' }, h)))),
                      el('tbody', {}, changes.map((c) => el('tr', {}, el('td', {}, c.label), el('td', {}, display(c.before, type(c.path))), el('td', {}, display(c.after, type(c.path)))))),
                    ),
              );
            },
          },
          el('div', { class: 'field' }, el('label', { for: 'diff-from' }, 'So sánh bản'), from),
          el('div', { class: 'field' }, el('label', { for: 'diff-to' }, 'với bản'), to),
          el('button', { type: 'submit', class: 'secondary' }, 'So sánh'),
        ),
        result,
      );
    }
    return section;
  }
});

function done(message) {
  sessionStorage.setItem('report-message', message);
  location.reload();
}

function filled(value) {
  return value !== undefined && value !== null && value !== '';
}

function same(a, b) {
  return (!filled(a) && !filled(b)) || a === b;
}

function display(value, type) {
  if (!filled(value)) return '';
  if (typeof value === 'boolean') return value ? 'Có' : 'Không';
  if (typeof value === 'number') return formatNumber(value);
  if (type === 'date') return formatCivilDate(value);
  return String(value);
}
