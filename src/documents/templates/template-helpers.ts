import Handlebars from 'handlebars';
import { civilDateFromIso, officialDateText, officialShortDate } from '../../shared/civil-date';
import { Signer, signerAuthorityLines } from './signer';
import { documentNumber, formatCount, formatVietnameseNumber, vietnameseUpperCase } from './vietnamese-format';

/**
 * Helpers shared by every template. Each one escapes user text itself before returning HTML; the
 * civil-date ones read ISO dates or instants in the configured zone (Asia/Ho_Chi_Minh).
 */
type HelperOptions = Handlebars.HelperOptions;

/** A paragraph of running text: plain, or runs some of which are italic or bold. */
export type TextBlock = string | { runs: Array<{ text: string; italic?: boolean; bold?: boolean }> } | { heading: string };

/** Room left for the clerk to write in (no-break spaces: HTML would collapse ordinary ones). */
const BLANK = '\u00a0'.repeat(8);

const escape = (text: unknown) => Handlebars.escapeExpression(String(text));

export class TemplateHelperError extends Error {
  /** Where the failing helper call stands in its template (content.hbs or a partial). */
  loc?: { line: number; column: number };
  constructor(message: string) {
    super(message);
    this.name = 'TemplateHelperError';
  }
}

function requireString(helper: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TemplateHelperError(`${helper}: ${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function requireNumber(helper: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TemplateHelperError(`${helper}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

/** Text given as one string or as explicit lines. */
function linesOf(value: unknown, helper: string): string[] {
  if (Array.isArray(value)) return value.map((line) => requireString(helper, line, 'each line'));
  return [requireString(helper, value, 'the text')];
}

/** Removes the sentence's final punctuation so that the document's closing mark replaces it. */
function withClosingMark(text: string): string {
  return `${text.replace(/[\s.;,:]+$/u, '')}./.`;
}

function blockHtml(block: TextBlock, closing: boolean): string {
  if (typeof block === 'string') return `<p class="para">${escape(closing ? withClosingMark(block) : block)}</p>`;
  if (block && typeof block === 'object' && 'heading' in block) return `<p class="heading">${escape(requireString('paragraph', block.heading, 'heading'))}</p>`;
  if (block && typeof block === 'object' && 'runs' in block && Array.isArray(block.runs) && block.runs.length > 0) {
    const last = block.runs.length - 1;
    const runs = block.runs.map((run, index) => {
      const text = requireString('paragraph', run.text, 'run.text');
      let html = escape(closing && index === last ? withClosingMark(text) : text);
      if (run.italic) html = `<em>${html}</em>`;
      if (run.bold) html = `<strong>${html}</strong>`;
      return html;
    });
    return `<p class="para">${runs.join('')}</p>`;
  }
  throw new TemplateHelperError(`paragraph: expected a string, {runs: [...]} or {heading}, got ${JSON.stringify(block)}`);
}

export function registerDocumentHelpers(handlebars: typeof Handlebars, zone: string): void {
  /** Registers a helper whose errors carry the call's position, so the catalogue can quote it. */
  const register = (name: string, fn: (...args: any[]) => unknown) =>
    handlebars.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      try {
        return fn.apply(this, args);
      } catch (error) {
        const options = args[args.length - 1] as HelperOptions & { loc?: { start: { line: number; column: number } } };
        if (error instanceof TemplateHelperError && options?.loc) error.loc = options.loc.start;
        throw error;
      }
    });

  const civil = (helper: string, value: unknown) => {
    const iso = requireString(helper, value, 'the date (ISO YYYY-MM-DD or an instant with offset)');
    try {
      return civilDateFromIso(iso, zone);
    } catch (error) {
      throw new TemplateHelperError(`${helper}: ${(error as Error).message}`);
    }
  };

  /** "ngày 09 tháng 9 năm 2021" */
  register('officialDate', (value: unknown) => officialDateText(civil('officialDate', value)));
  /** "05/3/2014" */
  register('shortDate', (value: unknown) => officialShortDate(civil('shortDate', value)));
  /** The year of a date: "2026". */
  register('yearOf', (value: unknown) => String(civil('yearOf', value).year));

  /**
   * The date line "Quảng Ngãi, ngày 05 tháng 01 năm 2026". A draft has no date yet: the day and
   * month stay blank for the clerk, the year is the draft's.
   */
  register('placeDate', function (this: unknown, place: unknown, date: unknown, options: HelperOptions) {
    const name = requireString('placeDate', place, 'the place');
    if (options.data?.draft) {
      const year = typeof date === 'string' && date !== '' ? civil('placeDate', date).year : '…';
      return `${name}, ngày${BLANK}tháng${BLANK}năm ${year}`;
    }
    return `${name}, ${officialDateText(civil('placeDate', date))}`;
  });

  /** "4607/UBND-KGVX", "05/BC-SKHCN"; a draft has no number: "     /BC-SKHCN". */
  register('numberSymbol', (number: unknown, symbol: unknown, options: HelperOptions) => {
    const sym = requireString('numberSymbol', symbol, 'the symbol');
    if (options.data?.draft) return `${BLANK}/${sym}`;
    return `${documentNumber(requireNumber('numberSymbol', number))}/${sym}`;
  });

  /** 1234.5 → "1.234,5"; an optional second argument fixes the decimals. */
  register('num', (value: unknown, ...rest: unknown[]) => {
    const digits = rest.length > 1 && typeof rest[0] === 'number' ? rest[0] : undefined;
    return formatVietnameseNumber(requireNumber('num', value), digits);
  });
  /** Counts: 5 → "05", 1234 → "1.234". */
  register('count', (value: unknown) => formatCount(requireNumber('count', value)));
  /** part of whole as a percentage with one decimal: "85,7%"; "-" when the whole is 0. */
  register('percent', (part: unknown, whole: unknown) => {
    const p = requireNumber('percent', part);
    const w = requireNumber('percent', whole);
    return w === 0 ? '-' : `${formatVietnameseNumber((100 * p) / w, 1)}%`;
  });
  /**
   * A figure of a report table: whole numbers as counts ("05"), decimals as "1.234,5", yes/no as
   * "Có"/"Không", text as given, no value (null) as "-". An ISO date is shown as "05/3/2026".
   */
  register('figure', (value: unknown) => {
    if (value === null) return '-';
    if (typeof value === 'boolean') return value ? 'Có' : 'Không';
    if (typeof value === 'number') return Number.isInteger(value) ? formatCount(value) : formatVietnameseNumber(value);
    if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? officialShortDate(civil('figure', value)) : value;
    throw new TemplateHelperError(`figure: expected a number, a boolean, a string or null, got ${JSON.stringify(value)}`);
  });
  register('yesNo', (value: unknown) => (value ? 'Có' : 'Không'));
  register('upper', (value: unknown) => vietnameseUpperCase(requireString('upper', value, 'the text')));
  /** Text that may be given as explicit lines, joined by line breaks; `upper=true` capitalises. */
  register('lines', (value: unknown, options: HelperOptions) => {
    const lines = linesOf(value, 'lines').map((line) => (options.hash?.upper ? vietnameseUpperCase(line) : line));
    return new handlebars.SafeString(lines.map(escape).join('<br>'));
  });
  /** Index from 1 in lists and tables. */
  register('inc', (value: unknown) => String(requireNumber('inc', value) + 1));
  /** A table row's number from 1, after `from` rows printed before it (a group going on from an earlier part). */
  register('rowNumber', (index: unknown, from: unknown) => String(requireNumber('rowNumber', index) + 1 + (from === undefined ? 0 : requireNumber('rowNumber', from))));
  /** A column width from the data, checked so that it cannot carry other CSS: "16mm", "12.5%". */
  register('cssLength', (value: unknown) => {
    if (typeof value !== 'string' || !/^\d+(\.\d+)?(mm|cm|pt|%)$/.test(value)) throw new TemplateHelperError(`cssLength: expected a length such as "16mm" or "12%", got ${JSON.stringify(value)}`);
    return value;
  });
  register('add', (a: unknown, b: unknown) => requireNumber('add', a) + requireNumber('add', b));
  register('eq', (a: unknown, b: unknown) => a === b);
  register('gt', (a: unknown, b: unknown) => requireNumber('gt', a) > requireNumber('gt', b));
  register('length', (value: unknown) => (Array.isArray(value) ? value.length : 0));

  /** A text block; `closing=true` ends it with the body's closing mark "./.". */
  register('paragraph', (block: TextBlock, options: HelperOptions) => new handlebars.SafeString(blockHtml(block, options.hash?.closing === true)));
  /** Several blocks, the last one closing the body when `closing=true`. */
  register('paragraphs', (blocks: unknown, options: HelperOptions) => {
    const closing = options.hash?.closing === true;
    if (!Array.isArray(blocks) || (closing && blocks.length === 0)) {
      throw new TemplateHelperError(`paragraphs: expected a${closing ? ' non-empty' : ''} list of text blocks, got ${JSON.stringify(blocks)}`);
    }
    return new handlebars.SafeString(blocks.map((block, index) => blockHtml(block as TextBlock, closing && index === blocks.length - 1)).join('\n'));
  });
  register('allButLast', (list: unknown) => (Array.isArray(list) ? list.slice(0, -1) : []));
  register('lastOf', (list: unknown) => (Array.isArray(list) ? list.slice(-1) : []));
  /** "- item;" for every item but the last, "- item." for the last. */
  register('listItem', (text: unknown, options: HelperOptions) => {
    const item = requireString('listItem', text, 'the item').replace(/[\s.;,]+$/u, '');
    return `- ${item}${options.data?.last ? '.' : ';'}`;
  });
  register('signerLines', (signer: Signer) => {
    try {
      return signerAuthorityLines(signer);
    } catch (error) {
      throw new TemplateHelperError(`signer: ${(error as Error).message}`);
    }
  });
  /** "- Lưu: VT, KGVX." — or with the drafter's initials after the division: "- Lưu: VT, KGVX.Tr". */
  register('archiveLine', (division: unknown, initials: unknown) => {
    const unit = requireString('archiveLine', division, 'recipients.archiveDivision');
    return `- Lưu: VT, ${unit}.${typeof initials === 'string' ? initials : ''}`;
  });
}
