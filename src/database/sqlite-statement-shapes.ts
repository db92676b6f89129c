import { DataSource } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

/** The most statement texts kept before starting over (a text with values in it is new each time). */
const SHAPES_KEPT = 5000;
/** TypeORM's own pattern for a named parameter (`:id`, `:...ids`), wherever it stands in the text. */
const PARAMETER = /:(\.\.\.)?([A-Za-z0-9_.]+)/g;

type Part = string | { key: string; spread: boolean; text: string };
type Escape = (sql: string, parameters: Record<string, unknown> | undefined, nativeParameters: Record<string, unknown>) => [string, unknown[]];

let enabled = true;

/** Test-only: with `false`, every statement takes TypeORM's own path again (to compare the two). */
export function scanStatementShapesOnce(on: boolean): void {
  enabled = on;
}

/**
 * TypeORM's SQLite drivers find the named parameters of every statement by running a regular
 * expression over its whole text (1–2 KB for a find that lists every column): 18,000 scans, ~270 ms
 * of the 110-unit cycle's thread, for a few hundred texts. Here each text is split once into its
 * literal parts and parameter references, and each later call only fills them in, exactly as
 * TypeORM's replacement does (booleans as 0/1, dates as UTC datetime strings, `:...list` expanded).
 * A value TypeORM writes into the text itself (a number, a function) takes TypeORM's own path.
 * Apply before `bindNumbersAsParameters`, which then never passes a number.
 */
export function scanStatementsOnce(dataSource: DataSource): DataSource {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource;
  const driver = dataSource.driver as unknown as { escapeQueryWithParameters: Escape; createParameter(key: string, index: number): string };
  const escape: Escape = driver.escapeQueryWithParameters.bind(driver);
  const shapes = new Map<string, Part[]>();
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    if (!enabled || !parameters) return escape(sql, parameters, nativeParameters);
    const values = Object.values(parameters);
    // No parameters, or a value TypeORM writes into the text: its own path.
    if (!values.length || values.some((value) => typeof value === 'number' || typeof value === 'function')) return escape(sql, parameters, nativeParameters);
    // The native parameters' share, which does not depend on the text.
    const [, escaped] = escape(sql, {}, nativeParameters);
    let shape = shapes.get(sql);
    if (!shape) {
      if (shapes.size >= SHAPES_KEPT) shapes.clear();
      shapes.set(sql, (shape = partsOf(sql)));
    }
    let text = '';
    for (const part of shape) {
      if (typeof part === 'string') {
        text += part;
      } else if (!Object.prototype.hasOwnProperty.call(parameters, part.key)) {
        text += part.text;
      } else if (part.spread) {
        text += (parameters[part.key] as unknown[]).map((value) => driver.createParameter(part.key, escaped.push(value) - 1)).join(', ');
      } else {
        const value = parameters[part.key];
        escaped.push(typeof value === 'boolean' ? +value : value instanceof Date ? DateUtils.mixedDateToUtcDatetimeString(value) : value);
        text += driver.createParameter(part.key, escaped.length - 1);
      }
    }
    return [text, escaped];
  };
  return dataSource;
}

function partsOf(sql: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const match of sql.matchAll(PARAMETER)) {
    parts.push(sql.slice(at, match.index));
    parts.push({ key: match[2], spread: match[1] !== undefined, text: match[0] });
    at = match.index! + match[0].length;
  }
  parts.push(sql.slice(at));
  return parts;
}
