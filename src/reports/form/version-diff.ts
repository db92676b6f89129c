import { FormDefinition, figuresOf } from './form-definition';
import { FigureValue, ReportValues, figureAt, isFilled } from './report-values';

/** One field that differs between two versions of a report. */
export interface FieldChange {
  path: string;
  label: string;
  before: FigureValue | undefined;
  after: FigureValue | undefined;
}

/** Field-by-field differences between two versions, in the form's order. */
export function diffVersions(form: FormDefinition, before: ReportValues, after: ReportValues): FieldChange[] {
  const changes: FieldChange[] = [];
  const same = (a: FigureValue | undefined, b: FigureValue | undefined) => (!isFilled(a) && !isFilled(b)) || a === b;
  for (const { path, field } of figuresOf(form)) {
    const a = figureAt(before, path);
    const b = figureAt(after, path);
    if (!same(a, b)) changes.push({ path: `figures.${path}`, label: field.label, before: a, after: b });
  }
  for (const narrative of form.narratives) {
    const a = before.narratives[narrative.key];
    const b = after.narratives[narrative.key];
    if (!same(a, b)) changes.push({ path: `narratives.${narrative.key}`, label: narrative.label, before: a, after: b });
  }
  return changes;
}
