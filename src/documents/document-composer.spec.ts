import { documentMetadata } from './document-composer';
import { TemplateDataError } from './templates/template-catalogue';

const head = {
  issuer: { parent: 'UBND tỉnh Quảng Ngãi', name: ['Sở Khoa học', 'và Công nghệ'] },
  document: { number: 5, symbol: 'BC-SKHCN', place: 'Quảng Ngãi', date: '2026-01-05' },
  typeName: 'Báo cáo',
  subject: 'Kết quả duy trì HTQLCL năm 2026',
};

describe('PDF metadata of a document', () => {
  test('a report: title with type, number and subject; author the issuing unit; keywords the number and symbol', () => {
    expect(documentMetadata('unit-report', head, false)).toEqual({
      title: 'Báo cáo 05/BC-SKHCN: Kết quả duy trì HTQLCL năm 2026',
      author: 'Sở Khoa học và Công nghệ',
      subject: 'Kết quả duy trì HTQLCL năm 2026',
      keywords: ['05/BC-SKHCN'],
    });
  });

  test('a letter: "Công văn", subject with V/v', () => {
    const letter = { ...head, typeName: undefined, document: { ...head.document, number: 4607, symbol: 'UBND-KGVX' }, subject: 'duy trì HTQLCL' };
    expect(documentMetadata('letter', letter, false)).toMatchObject({ title: 'Công văn 4607/UBND-KGVX: V/v duy trì HTQLCL', subject: 'V/v duy trì HTQLCL' });
  });

  test('a draft has no number; an issued document must have one', () => {
    const draft = { ...head, document: { ...head.document, number: undefined } };
    expect(documentMetadata('unit-report', draft, true)).toMatchObject({ title: 'DỰ THẢO - Báo cáo Kết quả duy trì HTQLCL năm 2026', keywords: ['DỰ THẢO', 'BC-SKHCN'] });
    expect(() => documentMetadata('unit-report', draft, false)).toThrow(TemplateDataError);
  });
});
