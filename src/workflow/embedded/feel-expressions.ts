import { evaluate } from '@bpmn-io/feelin';
import type { Variables } from '../workflow-engine';

/**
 * FEEL as Camunda 8 writes it: a value starting with `=` is an expression, anything else a literal.
 * Results are turned into plain JSON (FEEL dates and durations are luxon objects: ISO 8601 strings).
 */
export function isFeel(value: unknown): value is `=${string}` {
  return typeof value === 'string' && value.startsWith('=');
}

export class FeelEvaluationError extends Error {
  constructor(expression: string, cause: unknown) {
    super(`FEEL expression ${JSON.stringify(expression)} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'FeelEvaluationError';
  }
}

/** Evaluates `=expression` against the variables; a literal is returned as is. */
export function evaluateFeel(value: string, variables: Variables): unknown {
  if (!isFeel(value)) return value;
  const expression = value.slice(1).trim();
  try {
    return toPlain(evaluate(expression, variables).value);
  } catch (error) {
    throw new FeelEvaluationError(value, error);
  }
}

/** A FEEL value as a string (timers, correlation keys); null stays null. */
export function evaluateFeelString(value: string | undefined, variables: Variables): string | null {
  if (value === undefined || value === '') return null;
  const result = evaluateFeel(value, variables);
  return result === null || result === undefined ? null : String(result);
}

/** A list given as FEEL (`=["a","b"]`) or as Camunda's comma-separated literal (`a, b`). */
export function evaluateFeelList(value: string | undefined, variables: Variables): string[] {
  if (!value) return [];
  if (!isFeel(value)) return value.split(',').map((item) => item.trim()).filter(Boolean);
  const result = evaluateFeel(value, variables);
  if (result === null || result === undefined) return [];
  return (Array.isArray(result) ? result : [result]).map(String);
}

function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const candidate = value as { toISO?: () => string | null };
    if (typeof candidate.toISO === 'function') return candidate.toISO();
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
