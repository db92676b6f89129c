import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DocumentIncidentError, IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { WORKBOOK_HEADER_ROWS, registerWorkbook } from '../../src/documents/registers/register-workbook';
import { INCOMING_COLUMNS, OUTGOING_COLUMNS, RegisterClosingRefusedError, RegistersService } from '../../src/documents/registers/registers.service';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { PersonEntity } from '../../src/organization/person.entity';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { FakeIssueRenderer } from './support/fake-issue-renderer';
import { SeededUnits, approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

/** "05/01/2026", "09/9/2026": the register's date, computed here independently of the service. */
const dmy = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${String(d).padStart(2, '0')}/${m <= 2 ? String(m).padStart(2, '0') : m}/${y}`;
};

describe.each(TEST_DATABASE_KINDS)('outgoing and incoming registers [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let units: SeededUnits;
  let root: string;
  let clerk: number;
  const clock = new ControlledClock('2026-01-05T02:00:00Z');
  const renderer = new FakeIssueRenderer();
  let pipeline: IssuePipeline;
  let registers: RegistersService;
  let voidedId: string;

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    units = await seedQuangNgai2025(dataSource);
    root = mkdtempSync(join(tmpdir(), 'iso-registers-'));
    pipeline = new IssuePipeline(dataSource, clock, new NumberingService(dataSource, clock), renderer, new FilesystemDocumentStore(root), { maxAttempts: 1 });
    registers = new RegistersService(dataSource, clock);
    clerk = (await dataSource.getRepository(PersonEntity).findOneByOrFail({ login: 'clerk.skhcn@quang-ngai-2025' })).id;

    // A year of the standing agency: reports to the province, a letter to a commune, one voided number.
    clock.set('2026-01-05T02:00:00Z');
    await pipeline.issue(approvedReport(units, { subject: 'Kết quả năm 2025', copies: 2 }));
    clock.set('2026-03-09T02:00:00Z');
    await pipeline.issue(approvedReport(units, { documentType: 'cong-van', templateKind: 'letter', subject: 'đôn đốc báo cáo', recipients: [{ unitId: units.commune.id, name: 'UBND xã Tịnh Khê' }, { name: 'Lưu: VT, TĐC' }] }));
    renderer.failure = 'template error';
    const doomed = approvedReport(units, { subject: 'Báo cáo bị hủy' });
    voidedId = doomed.id;
    await expect(pipeline.issue(doomed)).rejects.toThrow(DocumentIncidentError);
    renderer.failure = null;
    clock.set('2026-11-14T09:00:00Z');
    await pipeline.issue(approvedReport(units, { subject: 'Kết quả năm 2026' }));
  });
  afterAll(async () => {
    await close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists every number of the year in the outgoing register, as the documents say', async () => {
    await pipeline.voidDocument(voidedId, clerk, 'Sai mẫu');
    const documents = await dataSource.getRepository(IssuedDocumentEntity).find({ where: { unitId: units.skhcn.id, year: 2026 }, order: { number: 'ASC' } });
    const register = await registers.outgoing(units.skhcn.id, 2026);
    expect(register.columns).toEqual(OUTGOING_COLUMNS);
    expect(register.rows).toEqual(
      documents.map((d) => [
        d.symbol,
        dmy(d.issueDate!),
        d.documentType === 'cong-van' ? `Công văn V/v ${d.subject}` : `Báo cáo ${d.subject}`,
        d.signerName,
        d.recipients.map((r) => r.name).join('; '),
        'VT, TĐC',
        String(d.copies),
        d.voidedAt ? '' : dmy(d.issueDate!),
        '',
        d.voidedAt ? `Hủy số: ${d.voidNote}` : '',
      ]),
    );
    expect(register.rows.map((r) => r[0])).toEqual(['01/BC-SKHCN', '02/SKHCN-TĐC', '03/BC-SKHCN', '04/BC-SKHCN']);
    expect(register.rows[1][1]).toBe('09/3/2026');
    expect(register.cover).toEqual({ fromNumber: 1, toNumber: 4, fromDate: '2026-01-05', toDate: '2026-11-14', entries: 4 });
  });

  it('shows a period of the year', async () => {
    const spring = await registers.outgoing(units.skhcn.id, 2026, { from: '2026-03-01', to: '2026-06-30' });
    expect(spring.rows.map((r) => r[0])).toEqual(['02/SKHCN-TĐC', '03/BC-SKHCN']);
    await expect(registers.outgoing(units.skhcn.id, 2026, { from: '2025-12-01' })).rejects.toThrow(/not a date of 2026/);
  });

  it('numbers incoming documents per receiving unit', async () => {
    const province = await registers.incoming(units.province.id, 2026);
    expect(province.columns).toEqual(INCOMING_COLUMNS);
    expect(province.rows).toEqual([
      ['05/01/2026', '1', 'Sở Khoa học và Công nghệ', '01/BC-SKHCN', '05/01/2026', 'Báo cáo Kết quả năm 2025', '', '', '', ''],
      ['14/11/2026', '2', 'Sở Khoa học và Công nghệ', '04/BC-SKHCN', '14/11/2026', 'Báo cáo Kết quả năm 2026', '', '', '', ''],
    ]);
    const commune = await registers.incoming(units.commune.id, 2026);
    expect(commune.rows.map((r) => [r[1], r[3], r[5]])).toEqual([['1', '02/SKHCN-TĐC', 'Công văn V/v đôn đốc báo cáo']]);
  });

  it('exports a register to XLSX that opens and holds the same rows', async () => {
    const cases = [
      { register: await registers.outgoing(units.skhcn.id, 2026), unit: 'SỞ KHOA HỌC VÀ CÔNG NGHỆ', title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2026' },
      { register: await registers.incoming(units.province.id, 2026), unit: 'ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI', title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2026' },
    ];
    for (const { register, unit, title } of cases) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await registerWorkbook(register)) as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const text = (rowNumber: number) => register.columns.map((_, i) => String(sheet.getRow(rowNumber).getCell(i + 1).value ?? ''));
      expect([sheet.getRow(1).getCell(1).value, sheet.getRow(2).getCell(1).value]).toEqual([unit, title]);
      expect(text(WORKBOOK_HEADER_ROWS - 1)).toEqual([...register.columns]);
      const rows = Array.from({ length: sheet.rowCount - WORKBOOK_HEADER_ROWS }, (_, i) => text(WORKBOOK_HEADER_ROWS + 1 + i));
      expect(rows).toEqual(register.rows);
    }
  });

  it('closes the year only after it has ended, by a clerk, with every document finished', async () => {
    clock.set('2026-12-31T16:59:00Z'); // 31/12 23:59 in Vietnam: the year is not over
    await expect(registers.closeYear(units.skhcn.id, 'outgoing', 2026, clerk)).rejects.toThrow(RegisterClosingRefusedError);
    clock.set('2026-12-31T17:00:00Z'); // 01/01/2027 00:00 in Vietnam
    const staff = (await dataSource.getRepository(PersonEntity).findOneByOrFail({ login: 'staff.skhcn@quang-ngai-2025' })).id;
    await expect(registers.closeYear(units.skhcn.id, 'outgoing', 2026, staff)).rejects.toThrow(/not a clerk/);

    // A document stuck between two steps keeps the register open until it is issued or voided.
    renderer.failure = 'Chromium is not reachable';
    clock.set('2026-12-31T10:00:00Z');
    const stuck = approvedReport(units, { subject: 'Báo cáo cuối năm' });
    await expect(pipeline.issue(stuck)).rejects.toThrow(DocumentIncidentError);
    clock.set('2026-12-31T17:00:00Z');
    await expect(registers.closeYear(units.skhcn.id, 'outgoing', 2026, clerk)).rejects.toThrow(/05\/BC-SKHCN not finished/);
    await pipeline.voidDocument(stuck.id, clerk, 'Không in được');
    renderer.failure = null;

    const closing = await registers.closeYear(units.skhcn.id, 'outgoing', 2026, clerk);
    expect([closing.entryCount, closing.firstNumber, closing.lastNumber, closing.firstDate, closing.lastDate]).toEqual([5, 1, 5, '2026-01-05', '2026-12-31']);
    expect((await registers.closeYear(units.skhcn.id, 'outgoing', 2026, clerk)).closedAt).toEqual(closing.closedAt);
    expect((await registers.outgoing(units.skhcn.id, 2026)).closing).not.toBeNull();
  });
});
