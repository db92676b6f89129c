/**
 * Kinds of administrative documents and their abbreviations (Decree 30/2020, Appendix III). The one
 * place the table lives: symbols, registers and templates read it from here.
 */
export interface DocumentType {
  /** Name as printed above the subject (and in the register's "type and subject" column). */
  name: string;
  /** Abbreviation in the symbol ("BC" in 12/BC-SKHCN); null for a letter, which has none. */
  abbreviation: string | null;
}

export const DOCUMENT_TYPES = {
  'nghi-quyet': { name: 'Nghị quyết', abbreviation: 'NQ' },
  'quyet-dinh': { name: 'Quyết định', abbreviation: 'QĐ' },
  'chi-thi': { name: 'Chỉ thị', abbreviation: 'CT' },
  'quy-che': { name: 'Quy chế', abbreviation: 'QC' },
  'quy-dinh': { name: 'Quy định', abbreviation: 'QyĐ' },
  'thong-cao': { name: 'Thông cáo', abbreviation: 'TC' },
  'thong-bao': { name: 'Thông báo', abbreviation: 'TB' },
  'huong-dan': { name: 'Hướng dẫn', abbreviation: 'HD' },
  'chuong-trinh': { name: 'Chương trình', abbreviation: 'CTr' },
  'ke-hoach': { name: 'Kế hoạch', abbreviation: 'KH' },
  'phuong-an': { name: 'Phương án', abbreviation: 'PA' },
  'de-an': { name: 'Đề án', abbreviation: 'ĐA' },
  'du-an': { name: 'Dự án', abbreviation: 'DA' },
  'bao-cao': { name: 'Báo cáo', abbreviation: 'BC' },
  'bien-ban': { name: 'Biên bản', abbreviation: 'BB' },
  'to-trinh': { name: 'Tờ trình', abbreviation: 'TTr' },
  'hop-dong': { name: 'Hợp đồng', abbreviation: 'HĐ' },
  'cong-dien': { name: 'Công điện', abbreviation: 'CĐ' },
  'ban-ghi-nho': { name: 'Bản ghi nhớ', abbreviation: 'BGN' },
  'ban-thoa-thuan': { name: 'Bản thỏa thuận', abbreviation: 'BTT' },
  'giay-uy-quyen': { name: 'Giấy ủy quyền', abbreviation: 'GUQ' },
  'giay-moi': { name: 'Giấy mời', abbreviation: 'GM' },
  'giay-gioi-thieu': { name: 'Giấy giới thiệu', abbreviation: 'GGT' },
  'giay-nghi-phep': { name: 'Giấy nghỉ phép', abbreviation: 'GNP' },
  'phieu-gui': { name: 'Phiếu gửi', abbreviation: 'PG' },
  'phieu-chuyen': { name: 'Phiếu chuyển', abbreviation: 'PC' },
  'phieu-bao': { name: 'Phiếu báo', abbreviation: 'PB' },
  'ban-sao-y': { name: 'Bản sao y', abbreviation: 'SY' },
  'ban-sao-luc': { name: 'Bản sao lục', abbreviation: 'SL' },
  'ban-trich-sao': { name: 'Bản trích sao', abbreviation: 'TrS' },
  /** Công văn: no type abbreviation; its symbol names the drafting division instead. */
  'cong-van': { name: 'Công văn', abbreviation: null },
} as const satisfies Record<string, DocumentType>;

export type DocumentTypeCode = keyof typeof DOCUMENT_TYPES;

export function isDocumentTypeCode(code: string): code is DocumentTypeCode {
  return Object.prototype.hasOwnProperty.call(DOCUMENT_TYPES, code);
}

export function documentType(code: string): DocumentType {
  if (!isDocumentTypeCode(code)) throw new RangeError(`"${code}" is not a document type (one of ${Object.keys(DOCUMENT_TYPES).join(', ')})`);
  return DOCUMENT_TYPES[code];
}
