import { documentSymbol, numberAndSymbol, printedNumber } from './document-symbol';
import { DOCUMENT_TYPES } from './document-types';

describe('document numbers and symbols (Decree 30/2020, Appendix III)', () => {
  it('prints numbers below 10 with a leading zero and larger ones as they are', () => {
    expect([1, 5, 9, 10, 99, 4607].map(printedNumber)).toEqual(['01', '05', '09', '10', '99', '4607']);
    expect(() => printedNumber(0)).toThrow(RangeError);
  });

  it('writes typed documents as type-unit and letters as unit-division', () => {
    expect(numberAndSymbol(12, { documentType: 'bao-cao', unitSymbol: 'SKHCN' })).toBe('12/BC-SKHCN');
    expect(numberAndSymbol(5, { documentType: 'ke-hoach', unitSymbol: 'UBND' })).toBe('05/KH-UBND');
    expect(numberAndSymbol(4607, { documentType: 'cong-van', unitSymbol: 'UBND', divisionSymbol: 'KGVX' })).toBe('4607/UBND-KGVX');
    expect(numberAndSymbol(45, { documentType: 'cong-van', unitSymbol: 'SKHCN', divisionSymbol: 'TĐC' })).toBe('45/SKHCN-TĐC');
    expect(documentSymbol({ documentType: 'to-trinh', unitSymbol: 'SNgV' })).toBe('TTr-SNgV');
  });

  it('refuses a letter without a division and an unknown type', () => {
    expect(() => documentSymbol({ documentType: 'cong-van', unitSymbol: 'SKHCN' })).toThrow(/drafting division/);
    expect(() => documentSymbol({ documentType: 'thu-tinh', unitSymbol: 'SKHCN' })).toThrow(/not a document type/);
  });

  it('holds the whole abbreviation table, each abbreviation once', () => {
    const abbreviations = Object.values(DOCUMENT_TYPES).map((t) => t.abbreviation).filter((a) => a !== null);
    expect(abbreviations).toHaveLength(30);
    expect(new Set(abbreviations).size).toBe(30);
  });
});
