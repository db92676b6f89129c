import { documentNumber, formatCount, formatVietnameseNumber, vietnameseUpperCase } from './vietnamese-format';

describe('Vietnamese number formats', () => {
  test.each([
    [1234.5, undefined, '1.234,5'],
    [1234567, undefined, '1.234.567'],
    [0.25, undefined, '0,25'],
    [85.714, 1, '85,7'],
    [1234, 2, '1.234,00'],
    [-1234.5, undefined, '-1.234,5'],
  ])('%p with %p decimals → %p', (value, digits, expected) => {
    expect(formatVietnameseNumber(value, digits)).toBe(expected);
  });

  test('document numbers take a leading zero below 10 and are never grouped', () => {
    expect(documentNumber(5)).toBe('05');
    expect(documentNumber(10)).toBe('10');
    expect(documentNumber(4607)).toBe('4607');
    expect(() => documentNumber(0)).toThrow(RangeError);
    expect(() => documentNumber(1.5)).toThrow(RangeError);
  });

  test('counts below 10 take a leading zero, larger ones are grouped', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(7)).toBe('07');
    expect(formatCount(12)).toBe('12');
    expect(formatCount(12557)).toBe('12.557');
    expect(() => formatCount(Number.NaN)).toThrow(RangeError);
  });

  test('upper case keeps Vietnamese letters', () => {
    expect(vietnameseUpperCase('Ủy ban nhân dân tỉnh Quảng Ngãi')).toBe('ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI');
    expect(vietnameseUpperCase('đặc khu Lý Sơn, xã Đặng Thùy Trâm, ư ơ ỹ')).toBe('ĐẶC KHU LÝ SƠN, XÃ ĐẶNG THÙY TRÂM, Ư Ơ Ỹ');
  });
});
