/**
 * Number formats of Vietnamese official documents: "." groups thousands, "," marks decimals
 * (1.234,5); document numbers and counts below 10 take a leading zero (05).
 */

/**
 * Formatters by fixed decimals ('auto': up to 2). Building an Intl.NumberFormat loads ICU's data for
 * the locale each time (~30 µs), more than formatting with one; a consolidated table formats thousands.
 */
const formatters = new Map<number | 'auto', Intl.NumberFormat>();

/** 1234.5 → "1.234,5"; `fractionDigits` fixes the decimals (default: as many as needed, up to 2). */
export function formatVietnameseNumber(value: number, fractionDigits?: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  const key = fractionDigits ?? 'auto';
  let formatter = formatters.get(key);
  if (!formatter) {
    const options: Intl.NumberFormatOptions =
      fractionDigits === undefined ? { maximumFractionDigits: 2 } : { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits };
    // de-DE has exactly the Vietnamese separators and, unlike vi-VN in some ICU builds, groups 4-digit numbers.
    formatters.set(key, (formatter = new Intl.NumberFormat('de-DE', { ...options, useGrouping: true })));
  }
  return formatter.format(value);
}

/** A document's number: 5 → "05", 4607 → "4607" (never grouped: it is a serial, not a quantity). */
export function documentNumber(value: number): string {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${value} is not a document number (a whole number from 1)`);
  return String(value).padStart(2, '0');
}

/** A count in text or tables: 5 → "05", 0 → "0", 1234 → "1.234". */
export function formatCount(value: number): string {
  if (!Number.isInteger(value)) throw new RangeError(`${value} is not a whole number`);
  if (value > 0 && value < 10) return `0${value}`;
  return formatVietnameseNumber(value, 0);
}

/** Upper case with Vietnamese rules (đ → Đ, ư → Ư, ỳ → Ỳ). */
export function vietnameseUpperCase(text: string): string {
  return text.toLocaleUpperCase('vi');
}
