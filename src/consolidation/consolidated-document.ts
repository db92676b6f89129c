import { Signer } from '../documents/templates/signer';
import { UnitEntity } from '../organization/unit.entity';
import { FormDefinition, figuresOf } from '../reports/form/form-definition';
import { DataPeriod } from '../reports/form/report-validation';
import { ReportValues, figureAt, isFilled } from '../reports/form/report-values';
import { reportNarratives } from '../reports/report-document';
import { ConsolidationSnapshot } from './consolidation.entity';

/** Figures shown per unit in the consolidated report's unit table (numbers that add up across units). */
const UNIT_TABLE_FIGURES = ['procedures.underAuthority', 'procedures.coveredByQms', 'procedures.documentedProcedures', 'internalAudit.nonconformitiesFound'];
const UNIT_TABLE_LABELS: Record<string, string> = {
  'procedures.underAuthority': 'TTHC thuộc thẩm quyền',
  'procedures.coveredByQms': 'TTHC áp dụng HTQLCL',
  'procedures.documentedProcedures': 'Quy trình',
  'internalAudit.nonconformitiesFound': 'Điểm không phù hợp',
};

export const CONSOLIDATED_REPORT_KIND = 'consolidated-report';
export const consolidatedReportSubject = (year: number) =>
  `Kết quả duy trì, cải tiến Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 năm ${year} và tổng hợp kết quả của các cơ quan, đơn vị báo cáo`;

/** A figure's value in one set of figures (null when blank). */
const valueAt = (figures: ReportValues['figures'], path: string) => {
  const value = figureAt({ figures, narratives: {} }, path);
  return isFilled(value) ? value : null;
};

/**
 * The grand total of one figure: the unit's own value plus its subtree's total, by the figure's
 * aggregation (a yes counts one). Null when the figure is not totalled.
 */
export function grandTotal(aggregation: string, own: unknown, subtree: number | undefined): number | null {
  if (aggregation === 'none' || subtree === undefined) return null;
  if (aggregation === 'count-yes') return subtree + (own === true ? 1 : 0);
  return subtree + (typeof own === 'number' ? own : 0);
}

/** Every totalled figure of the province (or district): own + subtree, by path. */
export function consolidatedTotals(form: FormDefinition, own: ReportValues, snapshot: ConsolidationSnapshot): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const { path, field } of figuresOf(form)) {
    const total = grandTotal(field.aggregate, figureAt(own, path), snapshot.subtreeTotals[path]);
    if (total !== null) totals[path] = total;
  }
  return totals;
}

/**
 * The consolidated-report template's content for a consolidating unit's own report: its own figures,
 * its subtree's totals beside them (never mixed) and the grand total, the per-unit table of what the
 * closed period counted, the late and missing units, and its own narratives as the assessment.
 */
export function consolidatedReportContent(input: {
  form: FormDefinition;
  values: ReportValues;
  snapshot: ConsolidationSnapshot;
  /** Every unit the snapshot names, by id. */
  units: Map<number, UnitEntity>;
  unit: UnitEntity;
  consolidatingUnit: UnitEntity | null;
  period: DataPeriod;
  year: number;
  signer: Signer;
  archiveDivision: string;
}): Record<string, unknown> {
  const { form, values, snapshot, units, unit } = input;
  const totals = form.sections
    .map((section) => ({
      title: section.title,
      rows: section.fields
        .filter((field) => field.aggregate !== 'none')
        .map((field) => {
          const path = `${section.key}.${field.key}`;
          const own = valueAt(values.figures, path);
          return { label: field.label, unit: field.unit ?? (field.aggregate === 'count-yes' ? 'đơn vị' : ''), value: own, subtree: snapshot.subtreeTotals[path] ?? 0, total: grandTotal(field.aggregate, own, snapshot.subtreeTotals[path]) };
        }),
    }))
    .filter((group) => group.rows.length > 0);

  const lateIds = new Set(snapshot.lateOrMissing.filter((l) => l.status === 'late').map((l) => l.unitId));
  const includedByUnit = new Map(snapshot.included.map((r) => [r.unitId, r]));
  const rowOf = (unitId: number) => {
    const included = includedByUnit.get(unitId);
    const name = units.get(unitId)?.officialName ?? String(unitId);
    if (!included) return { name, values: ['-', ...UNIT_TABLE_FIGURES.map(() => null), 'Không báo cáo'] };
    return { name, values: [included.reference, ...UNIT_TABLE_FIGURES.map((path) => valueAt(included.figures, path)), lateIds.has(unitId) ? 'Trễ hạn' : 'Đúng hạn'] };
  };
  const named = [...new Set([...snapshot.included.map((r) => r.unitId), ...snapshot.lateOrMissing.map((l) => l.unitId)])];
  const groupsByReceiver = new Map<number, number[]>();
  for (const id of named) {
    const receiver = units.get(id)?.reportsToId ?? unit.id;
    const group = groupsByReceiver.get(receiver);
    if (group) group.push(id);
    else groupsByReceiver.set(receiver, [id]);
  }
  const order = (ids: number[]) => ids.sort((a, b) => (units.get(a)?.sortOrder ?? 0) - (units.get(b)?.sortOrder ?? 0));
  const groups = [...groupsByReceiver.entries()]
    .sort(([a], [b]) => (a === unit.id ? -1 : b === unit.id ? 1 : (units.get(a)?.sortOrder ?? 0) - (units.get(b)?.sortOrder ?? 0)))
    .map(([receiver, ids], index) => ({
      title: receiver === unit.id ? `${letter(index)}. Các cơ quan, đơn vị báo cáo ${unit.officialName}` : `${letter(index)}. Các đơn vị báo cáo ${units.get(receiver)?.officialName ?? ''}`,
      units: order(ids).map(rowOf),
    }));

  const receiver = input.consolidatingUnit?.officialName;
  return {
    period: { from: input.period.start, to: input.period.end },
    introduction: [
      `Thực hiện chế độ báo cáo hằng năm về việc duy trì, cải tiến Hệ thống quản lý chất lượng (HTQLCL) theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 năm ${input.year}, ${unit.officialName} báo cáo kết quả của đơn vị mình và tổng hợp kết quả của các cơ quan, đơn vị báo cáo về ${unit.officialName} như sau:`,
    ],
    summary: { ...snapshot.counts, closedAt: snapshot.closedAt },
    ownColumn: 'Của đơn vị',
    subtreeColumn: 'Các đơn vị báo cáo',
    totalColumn: 'Tổng cộng',
    totals,
    unitTable: {
      landscape: false,
      columns: [
        { label: 'Số, ngày báo cáo', align: 'left', width: '30mm' },
        ...UNIT_TABLE_FIGURES.map((path) => ({ label: UNIT_TABLE_LABELS[path], align: 'right', width: '16mm' })),
        { label: 'Tình trạng', align: 'center', width: '19mm' },
      ],
      groups,
    },
    lateOrMissing: snapshot.lateOrMissing.map((l) => ({ name: units.get(l.unitId)?.officialName ?? String(l.unitId), status: l.status === 'late' ? 'Trễ hạn' : 'Chưa báo cáo', note: l.note })),
    assessment: reportNarratives(values),
    signer: input.signer,
    recipients: { list: receiver ? [receiver] : [], archiveDivision: input.archiveDivision },
  };
}

const letter = (index: number) => String.fromCharCode(65 + index);
