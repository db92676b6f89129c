/** A report's content: figures by section and field, and narrative texts. */
export type FigureValue = boolean | number | string | null;

export interface ReportValues {
  figures: Record<string, Record<string, FigureValue>>;
  narratives: Record<string, string>;
}

export const emptyReportValues = (): ReportValues => ({ figures: {}, narratives: {} });

export function figureAt(values: ReportValues, path: string): FigureValue | undefined {
  const [section, field] = path.split('.');
  return values.figures[section]?.[field];
}

/** A value that counts as given: not missing, not null, not blank text. */
export function isFilled(value: FigureValue | undefined): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}
