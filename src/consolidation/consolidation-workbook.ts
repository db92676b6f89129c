import { excelJs } from '../shared/excel-js';
import { FormDefinition, figuresOf } from '../reports/form/form-definition';
import { figureAt } from '../reports/form/report-values';
import { UnitEntity } from '../organization/unit.entity';
import { ConsolidationSnapshot } from './consolidation.entity';

/**
 * The consolidated tables as a spreadsheet: one row per unit counted with every figure of the form
 * (values, not formatted text, so they can be summed again), the totals, and the late or missing units.
 * From the closed snapshot, or, while the period is open, from what has arrived so far.
 */
export async function consolidationWorkbook(input: { unit: UnitEntity; year: number; form: FormDefinition; snapshot: ConsolidationSnapshot; units: Map<number, UnitEntity>; closed: boolean }): Promise<Buffer> {
  const { form, snapshot, units } = input;
  const figures = figuresOf(form).filter(({ field }) => field.type !== 'text');
  const workbook = new (await excelJs()).Workbook();
  workbook.creator = 'iso-cycle';

  const table = workbook.addWorksheet('Từng đơn vị');
  table.addRow([`${input.unit.officialName.toLocaleUpperCase('vi')}: TỔNG HỢP KẾT QUẢ DUY TRÌ, CẢI TIẾN HTQLCL NĂM ${input.year}`]);
  table.addRow([input.closed ? `Số liệu chốt lúc ${snapshot.closedAt}` : `Số liệu tạm tính lúc ${snapshot.closedAt} (chưa chốt)`]);
  const header = table.addRow(['TT', 'Mã', 'Cơ quan, đơn vị', 'Số, ngày báo cáo', 'Tình trạng', ...figures.map(({ section, field }) => `${section.title}: ${field.label}`)]);
  header.font = { bold: true };
  snapshot.included.forEach((report, index) => {
    const unit = units.get(report.unitId);
    table.addRow([index + 1, unit?.code ?? '', unit?.officialName ?? '', report.reference, report.late ? 'Trễ hạn' : 'Đúng hạn', ...figures.map(({ path }) => figureAt({ figures: report.figures, narratives: {} }, path) ?? null)]);
  });
  table.views = [{ state: 'frozen', ySplit: 3, xSplit: 3 }];

  const totals = workbook.addWorksheet('Tổng hợp');
  totals.addRow(['Chỉ tiêu', 'Đơn vị tính', 'Tổng các đơn vị']).font = { bold: true };
  for (const { path, field, section } of figuresOf(form)) {
    if (field.aggregate === 'none') continue;
    totals.addRow([`${section.title}: ${field.label}`, field.unit ?? (field.aggregate === 'count-yes' ? 'đơn vị' : ''), snapshot.subtreeTotals[path] ?? 0]);
  }
  totals.addRow([]);
  totals.addRow(['Phải báo cáo', '', snapshot.counts.expected]);
  totals.addRow(['Đã báo cáo', '', snapshot.counts.submitted]);
  totals.addRow(['Trễ hạn', '', snapshot.counts.late]);
  totals.addRow(['Chưa báo cáo', '', snapshot.counts.missing]);

  const late = workbook.addWorksheet('Trễ hạn, chưa báo cáo');
  late.addRow(['TT', 'Cơ quan, đơn vị', 'Tình trạng', 'Ghi chú']).font = { bold: true };
  snapshot.lateOrMissing.forEach((entry, index) => late.addRow([index + 1, units.get(entry.unitId)?.officialName ?? '', entry.status === 'late' ? 'Trễ hạn' : 'Chưa báo cáo', entry.note]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
