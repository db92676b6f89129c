import ExcelJS from 'exceljs';
import { Role } from '../organization/roles';
import { parseRoles, readPeopleSheet } from './people-sheet';

/** Reading a people file as administrators produce them: Excel's CSV flavours, XLSX, Vietnamese typed in any form. */
describe('people sheet', () => {
  const csv = (text: string) => readPeopleSheet('nguoi-dung.csv', Buffer.from(text, 'utf8'));

  it('reads headings whatever their accents, case or spacing, and stores names in NFC', async () => {
    const nfd = 'Nguyễn Thị Hà'.normalize('NFD');
    const { rows, problems } = await csv(`\uFEFFHO VA TEN;ten dang nhap;Mã  đơn vị;VAI TRÒ\r\n${nfd};ha.nt;21211;chuyên viên\r\n;;;\r\n`);
    expect(problems).toEqual([]);
    expect(rows).toEqual([{ row: 2, fullName: 'Nguyễn Thị Hà', login: 'ha.nt', unitCode: '21211', roles: 'chuyên viên', email: '' }]);
    expect(rows[0].fullName).toBe('Nguyễn Thị Hà'.normalize('NFC'));
  });

  it('names every bad cell with its spreadsheet row, in Vietnamese', async () => {
    const { problems } = await csv(['Họ tên,Tên đăng nhập,Mã đơn vị,Vai trò,Email', 'A,Bad Login,21211,staff,', ',ok.one,,,not-an-address', 'Lê Lan,ok.one,21211,Thủ trưởng,'].join('\n'));
    expect(problems.map((p) => p.message)).toEqual([
      'Dòng 2: họ tên phải có từ 2 đến 120 ký tự',
      'Dòng 2: tên đăng nhập “Bad Login” không hợp lệ (chữ thường không dấu, số, dấu chấm, gạch; tối đa 120 ký tự)',
      'Dòng 3: thiếu họ tên',
      'Dòng 3: thiếu mã đơn vị',
      'Dòng 3: thiếu vai trò',
      'Dòng 3: thư điện tử “not-an-address” không hợp lệ',
      'Dòng 4: tên đăng nhập “ok.one” trùng với dòng 3',
    ]);
  });

  it('refuses what is not a people file', async () => {
    expect((await readPeopleSheet('a.xlsx', Buffer.from('not a zip'))).problems[0].message).toMatch(/^Không đọc được tệp XLSX/);
    expect((await csv('Họ tên,Tên đăng nhập,Mã đơn vị,Vai trò\n')).problems[0].message).toBe('Tệp không có dòng dữ liệu nào dưới dòng tiêu đề');
    expect((await readPeopleSheet('a.csv', Buffer.alloc(2 * 1024 * 1024 + 1, 'a'))).problems[0].message).toBe('Tệp quá lớn: tối đa 2 MB');
  });

  it('reads the first sheet of an XLSX, numbers as text', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('DS');
    sheet.addRow(['Họ tên', 'Tên đăng nhập', 'Mã đơn vị', 'Vai trò']);
    sheet.addRow(['Phan Quốc Trung', 'trung.pq', 21211, 'Văn thư | Cấp phó']);
    const { rows, problems } = await readPeopleSheet('DS.XLSX', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(problems).toEqual([]);
    expect(rows[0]).toEqual(expect.objectContaining({ unitCode: '21211', roles: 'Văn thư | Cấp phó' }));
  });

  it('knows roles by key or Vietnamese label, once each', () => {
    expect(parseRoles('Chuyên viên; staff, TRƯỞNG PHÒNG|quản trị viên')).toEqual({ roles: [Role.Staff, Role.DivisionHead, Role.Administrator], unknown: [] });
    expect(parseRoles('Giám đốc; head')).toEqual({ roles: [Role.Head], unknown: ['Giám đốc'] });
  });
});
