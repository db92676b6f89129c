import Handlebars from 'handlebars';
import { registerDocumentHelpers } from './template-helpers';

const handlebars = Handlebars.create();
registerDocumentHelpers(handlebars, 'Asia/Ho_Chi_Minh');
const render = (source: string, context: unknown = {}, data: Record<string, unknown> = {}) => handlebars.compile(source, { strict: true })(context, { data });

describe('official dates (Decree 30/2020), computed in Asia/Ho_Chi_Minh', () => {
  test.each([
    ['2026-01-05', 'ngày 05 tháng 01 năm 2026'],
    ['2026-02-28', 'ngày 28 tháng 02 năm 2026'],
    ['2021-09-09', 'ngày 09 tháng 9 năm 2021'],
    ['2026-03-01', 'ngày 01 tháng 3 năm 2026'],
    ['2026-12-31', 'ngày 31 tháng 12 năm 2026'],
  ])('%s → %s', (date, expected) => {
    expect(render('{{officialDate d}}', { d: date })).toBe(expected);
  });

  test('an instant is read in Vietnam time, not in UTC nor in the server zone', () => {
    // 18:00 UTC on 4 January is 01:00 on 5 January in Vietnam.
    expect(render('{{officialDate d}}', { d: '2026-01-04T18:00:00Z' })).toBe('ngày 05 tháng 01 năm 2026');
    expect(render('{{shortDate d}}', { d: '2026-11-14T23:59:59+07:00' })).toBe('14/11/2026');
    expect(render('{{shortDate d}}', { d: '2014-03-05' })).toBe('05/3/2014');
  });

  test('a local time without offset is refused: it would depend on the server', () => {
    expect(() => render('{{officialDate d}}', { d: '2026-01-04T18:00:00' })).toThrow(/offset/);
    expect(() => render('{{officialDate d}}', { d: '2026-02-30' })).toThrow(/not a calendar date/);
  });

  test('the date line; a draft leaves day and month blank', () => {
    expect(render('{{placeDate p d}}', { p: 'Quảng Ngãi', d: '2026-01-05' })).toBe('Quảng Ngãi, ngày 05 tháng 01 năm 2026');
    expect(render('{{placeDate p d}}', { p: 'Quảng Ngãi', d: '2026-01-05' }, { draft: true })).toBe('Quảng Ngãi, ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0năm 2026');
  });
});

describe('numbers and symbols', () => {
  test('number and symbol; a draft has no number', () => {
    expect(render('{{numberSymbol n s}}', { n: 5, s: 'BC-SKHCN' })).toBe('05/BC-SKHCN');
    expect(render('{{numberSymbol n s}}', { n: 4607, s: 'UBND-KGVX' })).toBe('4607/UBND-KGVX');
    expect(render('{{numberSymbol n s}}', { s: 'BC-SKHCN' }, { draft: true })).toMatch(/^\u00a0+\/BC-SKHCN$/);
  });

  test('figures of report tables', () => {
    expect(render('{{figure v}}', { v: 7 })).toBe('07');
    expect(render('{{figure v}}', { v: 12557 })).toBe('12.557');
    expect(render('{{figure v}}', { v: 1234.5 })).toBe('1.234,5');
    expect(render('{{figure v}}', { v: true })).toBe('Có');
    expect(render('{{figure v}}', { v: null })).toBe('-');
    expect(render('{{figure v}}', { v: '2023-03-12' })).toBe('12/3/2023');
    expect(render('{{percent a b}}', { a: 6, b: 7 })).toBe('85,7%');
  });
});

describe('text', () => {
  test('user text is escaped, also inside helpers that return HTML', () => {
    expect(render('{{x}}', { x: '<img src=x>{{y}}' })).toBe('&lt;img src&#x3D;x&gt;{{y}}');
    expect(render('{{paragraph b}}', { b: '<b>x</b>' })).toBe('<p class="para">&lt;b&gt;x&lt;/b&gt;</p>');
    expect(render('{{lines v upper=true}}', { v: ['Sở <i>', 'và'] })).toBe('SỞ &lt;I&gt;<br>VÀ');
  });

  test('the body ends with "./." whatever the last sentence ends with', () => {
    expect(render('{{paragraphs b closing=true}}', { b: ['Một.', 'Thực hiện.'] })).toBe('<p class="para">Một.</p>\n<p class="para">Thực hiện./.</p>');
    expect(render('{{paragraph b closing=true}}', { b: 'Thực hiện;' })).toBe('<p class="para">Thực hiện./.</p>');
    expect(render('{{paragraph b closing=true}}', { b: { runs: [{ text: 'A ' }, { text: 'b', italic: true }] } })).toBe('<p class="para">A <em>b./.</em></p>');
  });

  test('list items end with ";" and the last with "."', () => {
    expect(render('{{#each xs}}{{listItem this}}|{{/each}}', { xs: ['Các sở, ban, ngành;', 'UBND các huyện'] })).toBe('- Các sở, ban, ngành;|- UBND các huyện.|');
  });

  test('the archive line closes the recipients', () => {
    expect(render('{{archiveLine d}}', { d: 'TĐC' })).toBe('- Lưu: VT, TĐC.');
    expect(render('{{archiveLine d i}}', { d: 'KGVX', i: 'Tr' })).toBe('- Lưu: VT, KGVX.Tr');
  });

  test('widths from the data cannot carry CSS', () => {
    expect(render('{{cssLength w}}', { w: '16mm' })).toBe('16mm');
    expect(() => render('{{cssLength w}}', { w: '1mm;background:url(http://x)' })).toThrow(/cssLength/);
  });
});
