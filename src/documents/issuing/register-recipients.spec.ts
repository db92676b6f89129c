import { registerRecipients } from './issue-pipeline';

describe("the outgoing register's recipients column", () => {
  it('lists the recipients when they fit', () => {
    expect(registerRecipients(['Sở Khoa học và Công nghệ', 'Lưu: VT, TĐC'])).toBe('Sở Khoa học và Công nghệ; Lưu: VT, TĐC');
  });

  it('names the first ones and counts the rest when a letter goes to more units than the column holds', () => {
    const names = Array.from({ length: 109 }, (_, i) => `Ủy ban nhân dân xã Số ${i + 1}`);
    const text = registerRecipients(names);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.startsWith('Ủy ban nhân dân xã Số 1; Ủy ban nhân dân xã Số 2;')).toBe(true);
    const shown = text.split('; ').length - 1;
    expect(text.endsWith(`và ${109 - shown} đơn vị khác`)).toBe(true);
  });
});
