import { DateTime } from 'luxon';
import { FieldDefinition, FormDefinition, figuresOf } from './form-definition';
import { FigureValue, ReportValues, figureAt, isFilled } from './report-values';

/**
 * One rule set for the API and the web form. A draft may be incomplete but what it holds must be
 * well-formed; a submission must also be complete and consistent. Messages are in Vietnamese, for
 * the person filling in the form; `path` points at the field (`figures.internalAudit.date`).
 */
export type ValidationMode = 'draft' | 'submit';

export type ValidationCode = 'unknown-field' | 'type' | 'min' | 'max-length' | 'choice' | 'required' | 'not-greater' | 'outside-period';

export interface FieldError {
  path: string;
  code: ValidationCode;
  message: string;
}

/** The cycle's data period, as civil dates (YYYY-MM-DD), both ends included. */
export interface DataPeriod {
  start: string;
  end: string;
}

const MAX_MONEY = Number.MAX_SAFE_INTEGER;

export function validateReport(form: FormDefinition, values: unknown, mode: ValidationMode, period: DataPeriod): FieldError[] {
  const errors: FieldError[] = [];
  if (!isRecord(values)) return [{ path: '', code: 'type', message: 'Nội dung báo cáo phải là một đối tượng { figures, narratives }' }];
  const figures = values.figures ?? {};
  const narratives = values.narratives ?? {};
  if (!isRecord(figures)) errors.push({ path: 'figures', code: 'type', message: 'Phải là một đối tượng theo từng mục' });
  if (!isRecord(narratives)) errors.push({ path: 'narratives', code: 'type', message: 'Phải là một đối tượng theo từng phần' });
  if (errors.length > 0) return errors;
  for (const key of Object.keys(values)) {
    if (key !== 'figures' && key !== 'narratives') errors.push({ path: key, code: 'unknown-field', message: `Mục "${key}" không có trong mẫu báo cáo` });
  }

  // Whitelist: nothing the form does not define.
  const sections = new Map(form.sections.map((s) => [s.key, s]));
  for (const [sectionKey, sectionValues] of Object.entries(figures as Record<string, unknown>)) {
    const section = sections.get(sectionKey);
    if (!section) {
      errors.push({ path: `figures.${sectionKey}`, code: 'unknown-field', message: `Mục "${sectionKey}" không có trong mẫu báo cáo` });
      continue;
    }
    if (!isRecord(sectionValues)) {
      errors.push({ path: `figures.${sectionKey}`, code: 'type', message: 'Phải là một đối tượng theo từng chỉ tiêu' });
      continue;
    }
    const fields = new Set(section.fields.map((f) => f.key));
    for (const fieldKey of Object.keys(sectionValues)) {
      if (!fields.has(fieldKey)) errors.push({ path: `figures.${sectionKey}.${fieldKey}`, code: 'unknown-field', message: `Chỉ tiêu "${fieldKey}" không có trong mẫu báo cáo` });
    }
  }
  const narrativeKeys = new Set(form.narratives.map((n) => n.key));
  for (const [key, text] of Object.entries(narratives as Record<string, unknown>)) {
    if (!narrativeKeys.has(key)) errors.push({ path: `narratives.${key}`, code: 'unknown-field', message: `Phần "${key}" không có trong mẫu báo cáo` });
    else if (typeof text !== 'string') errors.push({ path: `narratives.${key}`, code: 'type', message: 'Phải là văn bản' });
  }
  if (errors.length > 0) return errors;

  const report = { figures, narratives } as ReportValues;
  const typed = new Set<string>();
  for (const { path, field } of figuresOf(form)) {
    const value = figureAt(report, path);
    if (!isFilled(value)) continue;
    const error = checkValue(field, value!, period);
    if (error) errors.push({ path: `figures.${path}`, ...error });
    else typed.add(path);
  }
  for (const narrative of form.narratives) {
    const text = report.narratives[narrative.key];
    if (typeof text === 'string' && text.length > narrative.maxLength) {
      errors.push({ path: `narratives.${narrative.key}`, code: 'max-length', message: `Không quá ${narrative.maxLength.toLocaleString('vi-VN')} ký tự` });
    }
  }
  if (mode === 'draft') return errors;

  for (const { path, field } of figuresOf(form)) {
    if (isFilled(figureAt(report, path))) continue;
    const when = field.requiredWhen ? figureAt(report, field.requiredWhen) : undefined;
    const requiredNow = field.required || (field.requiredWhen !== undefined && isFilled(when) && when !== false);
    if (requiredNow) errors.push({ path: `figures.${path}`, code: 'required', message: `Chưa nhập: ${field.label}` });
  }
  for (const narrative of form.narratives) {
    if (narrative.required && !isFilled(report.narratives[narrative.key])) {
      errors.push({ path: `narratives.${narrative.key}`, code: 'required', message: `Chưa nhập: ${narrative.label}` });
    }
  }
  const labels = new Map(figuresOf(form).map((f) => [f.path, f.field.label]));
  for (const rule of form.rules) {
    if (!typed.has(rule.field) || !typed.has(rule.limit)) continue;
    const value = figureAt(report, rule.field) as number;
    const limit = figureAt(report, rule.limit) as number;
    if (value > limit) {
      errors.push({ path: `figures.${rule.field}`, code: 'not-greater', message: `${labels.get(rule.field)} (${value}) không được lớn hơn ${labels.get(rule.limit)} (${limit})` });
    }
  }
  return errors;
}

function checkValue(field: FieldDefinition, value: FigureValue, period: DataPeriod): Omit<FieldError, 'path'> | null {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : { code: 'type', message: 'Phải chọn Có hoặc Không' };
    case 'integer':
    case 'money': {
      const limit = field.type === 'money' ? MAX_MONEY : 1_000_000_000;
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > limit) return { code: 'type', message: 'Phải là số nguyên' };
      if (field.min !== undefined && value < field.min) return { code: 'min', message: `Không được nhỏ hơn ${field.min}` };
      return null;
    }
    case 'text':
      if (typeof value !== 'string') return { code: 'type', message: 'Phải là văn bản' };
      if (field.maxLength !== undefined && value.length > field.maxLength) return { code: 'max-length', message: `Không quá ${field.maxLength.toLocaleString('vi-VN')} ký tự` };
      return null;
    case 'choice':
      return typeof value === 'string' && field.choices!.includes(value) ? null : { code: 'choice', message: `Phải là một trong: ${field.choices!.join(', ')}` };
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value).isValid) return { code: 'type', message: 'Phải là ngày hợp lệ (năm-tháng-ngày)' };
      const outside = (field.withinPeriod && (value < period.start || value > period.end)) || (field.notAfterPeriodEnd && value > period.end);
      if (outside) {
        const range = field.withinPeriod ? `trong kỳ báo cáo (${shortDate(period.start)} – ${shortDate(period.end)})` : `không sau ngày kết thúc kỳ báo cáo (${shortDate(period.end)})`;
        return { code: 'outside-period', message: `Ngày phải ${range}` };
      }
      return null;
    }
  }
}

function shortDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
