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
  const simple = simpleFeel(expression);
  const answer = simple ? simple(variables) : ASK_FEELIN;
  if (answer !== ASK_FEELIN) return answer;
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

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const NAME_ONLY = new RegExp(`^${NAME}$`);
const NAME_LIST = new RegExp(`^\\[\\s*(${NAME}(?:\\s*,\\s*${NAME})*)\\s*\\]$`);
const NAME_EQUALS = new RegExp(`^(${NAME})\\s*=\\s*(true|false|-?(?:0|[1-9]\\d*)|"[^"\\\\]*")$`);
/** FEEL's literals and the words a plain name cannot be. */
const RESERVED = new Set(['true', 'false', 'null', 'not', 'if', 'then', 'else', 'for', 'in', 'return', 'some', 'every', 'satisfies', 'and', 'or', 'between', 'instance', 'of', 'function', 'external']);
/** A simple form's answer when this evaluation is feelin's after all (a missing name may be a built-in function). */
const ASK_FEELIN = Symbol('ask feelin');
type SimpleForm = (variables: Variables) => unknown;
const simpleForms = new Map<string, SimpleForm | null>();
const has = (variables: Variables, name: string) => Object.prototype.hasOwnProperty.call(variables, name);

/**
 * The shapes the product's processes write — `=name`, `=[name, …]`, `=name = true`, `= "text"` or
 * `= 12` — evaluated without the FEEL parser, which feelin runs on every evaluation (~4 % of the
 * cycle's opening). The results are feelin's (feel-expressions.spec.ts compares them); a missing name
 * or a list or context value goes to feelin, as does every other expression (null here).
 */
function simpleFeel(expression: string): SimpleForm | null {
  let form = simpleForms.get(expression);
  if (form !== undefined) return form;
  const list = NAME_LIST.exec(expression);
  const equals = NAME_EQUALS.exec(expression);
  if (NAME_ONLY.test(expression) && !RESERVED.has(expression)) {
    form = (variables) => (has(variables, expression) ? toPlain(variables[expression]) : ASK_FEELIN);
  } else if (list && list[1].split(',').every((name) => !RESERVED.has(name.trim()))) {
    const names = list[1].split(',').map((name) => name.trim());
    form = (variables) => (names.every((name) => has(variables, name)) ? names.map((name) => toPlain(variables[name])) : ASK_FEELIN);
  } else if (equals && !RESERVED.has(equals[1])) {
    const [, name, literal] = equals;
    const expected: unknown = literal.startsWith('"') ? literal.slice(1, -1) : JSON.parse(literal);
    form = (variables) => {
      if (!has(variables, name)) return ASK_FEELIN;
      const actual = variables[name];
      if (actual === null || actual === undefined) return false;
      if (typeof actual === 'object') return ASK_FEELIN; // a one-item list equals its item in FEEL
      return typeof actual === typeof expected ? actual === expected : null;
    };
  } else {
    form = null;
  }
  if (simpleForms.size < 1000) simpleForms.set(expression, form);
  return form;
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
