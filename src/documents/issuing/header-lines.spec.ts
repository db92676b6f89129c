import { headerLines } from './header-lines';

describe('issuer names in the header', () => {
  it.each([
    ['Ủy ban nhân dân tỉnh Quảng Ngãi', ['Ủy ban nhân dân', 'tỉnh Quảng Ngãi']],
    ['Ủy ban nhân dân xã Tịnh Khê', ['Ủy ban nhân dân', 'xã Tịnh Khê']],
    ['Sở Khoa học và Công nghệ', ['Sở Khoa học', 'và Công nghệ']],
    ['Sở Văn hóa, Thể thao và Du lịch', ['Sở Văn hóa, Thể thao', 'và Du lịch']],
    ['Sở Tư pháp', ['Sở Tư pháp']],
    ['Thanh tra tỉnh', ['Thanh tra tỉnh']],
  ])('breaks %s as %j', (name, lines) => {
    expect(headerLines(name)).toEqual(lines);
  });
});
