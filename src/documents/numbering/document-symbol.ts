import { documentType } from './document-types';

/** A document number as printed: 5 → "05", 4607 → "4607" (a serial, never grouped). */
export function printedNumber(number: number): string {
  if (!Number.isInteger(number) || number < 1) throw new RangeError(`${number} is not a document number (a whole number from 1)`);
  return String(number).padStart(2, '0');
}

export interface SymbolParts {
  documentType: string;
  /** The issuing unit's abbreviation (SKHCN, UBND). */
  unitSymbol: string;
  /** The drafting division's abbreviation (TĐC, KGVX): required for a letter, unused otherwise. */
  divisionSymbol?: string | null;
}

/**
 * "BC-SKHCN" for a typed document, "SKHCN-TĐC" for a letter (công văn), which carries no type
 * abbreviation but the drafting division's.
 */
export function documentSymbol(parts: SymbolParts): string {
  const { abbreviation } = documentType(parts.documentType);
  if (abbreviation !== null) return `${abbreviation}-${parts.unitSymbol}`;
  if (!parts.divisionSymbol) throw new RangeError(`a letter (công văn) of ${parts.unitSymbol} needs its drafting division's symbol`);
  return `${parts.unitSymbol}-${parts.divisionSymbol}`;
}

/** "12/BC-SKHCN", "45/SKHCN-TĐC": the text after "Số: ". */
export function numberAndSymbol(number: number, parts: SymbolParts): string {
  return `${printedNumber(number)}/${documentSymbol(parts)}`;
}
