import { signerAuthorityLines, SignerBlockError } from './signer';

describe('signer block authority lines', () => {
  test('the head signing for himself: his title only', () => {
    expect(signerAuthorityLines({ title: 'Giám đốc', name: 'A' })).toEqual(['GIÁM ĐỐC']);
  });

  test('a deputy signing for the head (KT.), as in letter 4607', () => {
    expect(signerAuthorityLines({ prefix: 'KT.', headTitle: 'Chủ tịch', title: 'Phó Chủ tịch', name: 'Trần Phước Hiền' })).toEqual(['KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH']);
  });

  test('a People’s Committee decision signed by a vice-chair: TM. above KT.', () => {
    expect(signerAuthorityLines({ onBehalfOf: 'Ủy ban nhân dân', prefix: 'KT.', headTitle: 'Chủ tịch', title: 'Phó Chủ tịch', name: 'B' })).toEqual([
      'TM. ỦY BAN NHÂN DÂN',
      'KT. CHỦ TỊCH',
      'PHÓ CHỦ TỊCH',
    ]);
    expect(signerAuthorityLines({ onBehalfOf: 'Ủy ban nhân dân', title: 'Chủ tịch', name: 'B' })).toEqual(['TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH']);
  });

  test('acting (Q.), by order (TL.) and by authorisation (TUQ.)', () => {
    expect(signerAuthorityLines({ prefix: 'Q.', title: 'Giám đốc', name: 'C' })).toEqual(['Q. GIÁM ĐỐC']);
    expect(signerAuthorityLines({ prefix: 'TL.', headTitle: 'Giám đốc', title: 'Chánh Văn phòng', name: 'D' })).toEqual(['TL. GIÁM ĐỐC', 'CHÁNH VĂN PHÒNG']);
    expect(signerAuthorityLines({ prefix: 'TUQ.', headTitle: 'Chủ tịch', title: 'Giám đốc Sở Nội vụ', name: 'E' })).toEqual(['TUQ. CHỦ TỊCH', 'GIÁM ĐỐC SỞ NỘI VỤ']);
  });

  test('inconsistent signers are refused with the reason', () => {
    expect(() => signerAuthorityLines({ prefix: 'KT.', title: 'Phó Giám đốc', name: 'F' })).toThrow(/headTitle is required with KT\./);
    expect(() => signerAuthorityLines({ headTitle: 'Giám đốc', title: 'Phó Giám đốc', name: 'F' })).toThrow(SignerBlockError);
    expect(() => signerAuthorityLines({ prefix: 'TM.' as never, title: 'Chủ tịch', name: 'F' })).toThrow(/onBehalfOf/);
    expect(() => signerAuthorityLines({ title: ' ', name: 'F' })).toThrow(/title/);
  });
});
