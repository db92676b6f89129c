import { FormDefinition, figuresOf } from './form-definition';
import { ReportValues } from './report-values';

/**
 * Totals of approved reports by each figure's declared aggregation: `sum` adds numbers, `count-yes`
 * counts units that answered yes, `none` is not totalled. A missing figure adds nothing.
 */
export type Totals = Record<string, number>;

export function aggregate(form: FormDefinition, reports: ReportValues[]): Totals {
  const totals: Totals = {};
  for (const { path, field } of figuresOf(form)) {
    if (field.aggregate === 'none') continue;
    let total = 0;
    const [section, key] = path.split('.'); // once per figure, not once per figure and report
    for (const report of reports) {
      const value = report.figures[section]?.[key];
      if (field.aggregate === 'sum' && typeof value === 'number') total += value;
      if (field.aggregate === 'count-yes' && value === true) total += 1;
    }
    totals[path] = total;
  }
  return totals;
}

/** Adds totals computed elsewhere (a district's subtree) to these, figure by figure. */
export function addTotals(into: Totals, more: Totals): Totals {
  for (const [path, value] of Object.entries(more)) into[path] = (into[path] ?? 0) + value;
  return into;
}
