import { excelJs } from '../../shared/excel-js';
import { registerTitle } from './register-titles';
import { Register, printedDate } from './registers.service';

/**
 * A register as an XLSX workbook, one sheet: the unit and title, the cover (year, period, from/to
 * number), the numbered column headings (1)…(10), then one row per entry as text, exactly as printed.
 */
export async function registerWorkbook(register: Register): Promise<Buffer> {
  const workbook = new (await excelJs()).Workbook();
  workbook.creator = 'iso-cycle';
  const sheet = workbook.addWorksheet(register.kind === 'outgoing' ? 'Văn bản đi' : 'Văn bản đến', { pageSetup: { paperSize: 9, orientation: 'landscape' } });
  const title = registerTitle(register.kind);
  sheet.addRow([register.unit.officialName.toLocaleUpperCase('vi')]);
  sheet.addRow([`${title} NĂM ${register.year}`]);
  sheet.addRow([
    `Từ ngày ${printedDate(register.period.from)} đến ngày ${printedDate(register.period.to)}; từ số ${register.cover.fromNumber ?? '—'} đến số ${register.cover.toNumber ?? '—'}; ${register.cover.entries} văn bản${register.closing ? '; đã khóa sổ' : ''}`,
  ]);
  const header = sheet.addRow([...register.columns]);
  header.font = { bold: true };
  sheet.addRow(register.columns.map((_, i) => `(${i + 1})`));
  for (const row of register.rows) sheet.addRow(row);
  sheet.columns.forEach((column, i) => {
    column.width = [3, 5, 4].includes(i + 1) ? 40 : 16;
    column.alignment = { wrapText: true, vertical: 'top' };
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Header rows before the entries: unit, title, cover, headings, column numbers. */
export const WORKBOOK_HEADER_ROWS = 5;
