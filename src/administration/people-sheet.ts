import { excelJs } from '../shared/excel-js';
import { Role } from '../organization/roles';

/**
 * Reading a bulk import of people (CSV or XLSX): one header row, then one person per row with their
 * full name, login, unit code and roles (and optionally an e-mail address). Only reading and the
 * row-by-row checks that need no database live here; `PeopleImport` checks the rest.
 */
export interface SheetRow {
  /** The row's number as a spreadsheet shows it (the header is row 1). */
  row: number;
  fullName: string;
  login: string;
  unitCode: string;
  roles: string;
  email: string;
}

/** One problem of the file, in Vietnamese, tied to a row (0: the file as a whole) and a column. */
export interface SheetProblem {
  row: number;
  column: 'file' | 'fullName' | 'login' | 'unitCode' | 'roles' | 'email';
  message: string;
}

export const PEOPLE_SHEET_LIMITS = { maxBytes: 2 * 1024 * 1024, maxRows: 2000 };

/** Column headings accepted (compared without case, accents or spaces). */
const HEADINGS: Record<string, Exclude<SheetProblem['column'], 'file'>> = {
  hoten: 'fullName',
  hovaten: 'fullName',
  fullname: 'fullName',
  name: 'fullName',
  tendangnhap: 'login',
  login: 'login',
  madonvi: 'unitCode',
  unitcode: 'unitCode',
  unit: 'unitCode',
  donvi: 'unitCode',
  vaitro: 'roles',
  roles: 'roles',
  role: 'roles',
  email: 'email',
  thudientu: 'email',
};

export const COLUMN_LABELS: Record<SheetProblem['column'], string> = {
  file: 'Tệp',
  fullName: 'Họ tên',
  login: 'Tên đăng nhập',
  unitCode: 'Mã đơn vị',
  roles: 'Vai trò',
  email: 'Thư điện tử',
};

/** Roles by their key or their Vietnamese label, as an administrator types them. */
const ROLE_NAMES: Record<string, Role> = {
  'chuyen vien': Role.Staff,
  'truong phong': Role.DivisionHead,
  'thu truong': Role.Head,
  'cap pho': Role.Deputy,
  'van thu': Role.Clerk,
  'tong hop': Role.Consolidator,
  'quan tri': Role.Administrator,
  'quan tri vien': Role.Administrator,
  ...Object.fromEntries(Object.values(Role).map((r) => [r, r])),
};

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

export const LOGIN_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,118}[a-z0-9])?(?:@[a-z0-9](?:[a-z0-9.-]{0,60}[a-z0-9])?)?$/;
const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;

/** The roles a cell names ("Chuyên viên; Văn thư", "staff, clerk"), or the names it could not read. */
export function parseRoles(cell: string): { roles: Role[]; unknown: string[] } {
  const names = cell.split(/[,;|]/).map((n) => n.trim()).filter(Boolean);
  const roles: Role[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const role = ROLE_NAMES[fold(name)];
    if (role) {
      if (!roles.includes(role)) roles.push(role);
    } else unknown.push(name);
  }
  return { roles, unknown };
}

/** Reads the file as its name says (.csv or .xlsx); throws SheetError with a Vietnamese message when unreadable. */
export async function readPeopleSheet(fileName: string, content: Buffer): Promise<{ rows: SheetRow[]; problems: SheetProblem[] }> {
  if (content.length > PEOPLE_SHEET_LIMITS.maxBytes) return fileProblem(`Tệp quá lớn: tối đa ${PEOPLE_SHEET_LIMITS.maxBytes / 1024 / 1024} MB`);
  const lower = fileName.toLowerCase();
  let table: string[][];
  if (lower.endsWith('.csv')) table = parseCsv(content.toString('utf8'));
  else if (lower.endsWith('.xlsx')) {
    try {
      table = await xlsxTable(content);
    } catch {
      return fileProblem('Không đọc được tệp XLSX (tệp hỏng hoặc không phải định dạng Excel .xlsx)');
    }
  } else return fileProblem('Chỉ nhận tệp .csv hoặc .xlsx');
  const headerIndex = table.findIndex((cells) => cells.some((c) => c.trim() !== ''));
  if (headerIndex < 0) return fileProblem('Tệp không có dữ liệu');
  const columns = table[headerIndex].map((h) => HEADINGS[fold(h).replace(/[\s_-]/g, '')]);
  const missing = (['fullName', 'login', 'unitCode', 'roles'] as const).filter((c) => !columns.includes(c));
  if (missing.length > 0) return fileProblem(`Dòng ${headerIndex + 1} (tiêu đề) thiếu cột: ${missing.map((c) => COLUMN_LABELS[c]).join(', ')}`);
  const rows: SheetRow[] = [];
  for (let i = headerIndex + 1; i < table.length; i++) {
    const cells = table[i];
    if (cells.every((c) => c.trim() === '')) continue;
    const row: SheetRow = { row: i + 1, fullName: '', login: '', unitCode: '', roles: '', email: '' };
    columns.forEach((column, j) => {
      if (column) row[column] = (cells[j] ?? '').normalize('NFC').trim();
    });
    rows.push(row);
  }
  if (rows.length === 0) return fileProblem('Tệp không có dòng dữ liệu nào dưới dòng tiêu đề');
  if (rows.length > PEOPLE_SHEET_LIMITS.maxRows) return fileProblem(`Tệp có ${rows.length} dòng: tối đa ${PEOPLE_SHEET_LIMITS.maxRows} dòng mỗi lần nhập`);
  return { rows, problems: checkRows(rows) };
}

function fileProblem(message: string) {
  return { rows: [], problems: [{ row: 0, column: 'file' as const, message }] };
}

/** The checks each row passes on its own, and duplicate logins within the file. */
export function checkRows(rows: SheetRow[]): SheetProblem[] {
  const problems: SheetProblem[] = [];
  const firstRowOfLogin = new Map<string, number>();
  for (const r of rows) {
    const at = (column: SheetProblem['column'], message: string) => problems.push({ row: r.row, column, message: `Dòng ${r.row}: ${message}` });
    if (r.fullName.length < 2 || r.fullName.length > 120) at('fullName', r.fullName ? 'họ tên phải có từ 2 đến 120 ký tự' : 'thiếu họ tên');
    else if (/[\u0000-\u001f\u007f<>]/.test(r.fullName)) at('fullName', 'họ tên có ký tự không hợp lệ');
    if (!r.login) at('login', 'thiếu tên đăng nhập');
    else if (!LOGIN_PATTERN.test(r.login)) at('login', `tên đăng nhập “${r.login}” không hợp lệ (chữ thường không dấu, số, dấu chấm, gạch; tối đa 120 ký tự)`);
    else if (firstRowOfLogin.has(r.login)) at('login', `tên đăng nhập “${r.login}” trùng với dòng ${firstRowOfLogin.get(r.login)}`);
    else firstRowOfLogin.set(r.login, r.row);
    if (!r.unitCode) at('unitCode', 'thiếu mã đơn vị');
    const { roles, unknown } = parseRoles(r.roles);
    if (unknown.length > 0) at('roles', `vai trò không có: ${unknown.map((u) => `“${u}”`).join(', ')}`);
    else if (roles.length === 0) at('roles', 'thiếu vai trò');
    if (r.email && (r.email.length > 254 || !EMAIL_PATTERN.test(r.email))) at('email', `thư điện tử “${r.email}” không hợp lệ`);
  }
  return problems;
}

/** RFC 4180 CSV, with the delimiter of the header line (`,` or `;`, which Excel writes in Vietnamese settings); a UTF-8 BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const source = text.replace(/^\uFEFF/, '');
  const firstLine = source.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

async function xlsxTable(content: Buffer): Promise<string[][]> {
  const workbook = new (await excelJs()).Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(row.getCell(c).text ?? '');
    table[number - 1] = cells;
  });
  for (let i = 0; i < table.length; i++) table[i] ??= [];
  return table;
}
