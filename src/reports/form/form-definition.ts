import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../shared/project-root';

/**
 * The yearly report's form, as data (data/forms/*.json), versioned by year: a new year's form is a
 * new file, and a report keeps the form it was started on. Each figure declares its type, its
 * validation and how it aggregates upward in a consolidated report.
 */
export type FieldType = 'boolean' | 'integer' | 'money' | 'date' | 'text' | 'choice';

/** How a figure adds up over the units below a consolidator. */
export type Aggregation = 'sum' | 'count-yes' | 'none';

export interface FieldDefinition {
  key: string;
  label: string;
  type: FieldType;
  /** Unit of measure printed beside the figure (TTHC, quy trình, người, đồng). */
  unit?: string;
  aggregate: Aggregation;
  required?: boolean;
  /** Required when the named field (`section.field`) is true or filled in. */
  requiredWhen?: string;
  min?: number;
  maxLength?: number;
  choices?: string[];
  /** A date that must fall inside the cycle's data period. */
  withinPeriod?: boolean;
  /** A date that must not be after the data period's end. */
  notAfterPeriodEnd?: boolean;
}

export interface SectionDefinition {
  key: string;
  title: string;
  fields: FieldDefinition[];
}

export interface NarrativeDefinition {
  key: string;
  label: string;
  required: boolean;
  maxLength: number;
}

/** A consistency rule between two figures: `field` must not exceed `limit`. */
export interface NotGreaterRule {
  kind: 'not-greater';
  field: string;
  limit: string;
}

export interface FormDefinition {
  id: string;
  validFromYear: number;
  title: string;
  basis: string;
  sections: SectionDefinition[];
  narratives: NarrativeDefinition[];
  rules: NotGreaterRule[];
}

/** A figure with its path (`section.field`) and section, for code that walks every figure. */
export interface FigureRef {
  path: string;
  section: SectionDefinition;
  field: FieldDefinition;
}

export function figuresOf(form: FormDefinition): FigureRef[] {
  return form.sections.flatMap((section) => section.fields.map((field) => ({ path: `${section.key}.${field.key}`, section, field })));
}

export class FormDefinitionError extends Error {
  constructor(formId: string, problem: string) {
    super(`form ${formId}: ${problem}`);
    this.name = 'FormDefinitionError';
  }
}

const FIELD_TYPES: FieldType[] = ['boolean', 'integer', 'money', 'date', 'text', 'choice'];
const AGGREGATIONS: Aggregation[] = ['sum', 'count-yes', 'none'];

/** Checks a definition's own consistency: unique keys, known types, references that resolve, aggregations that fit the type. */
export function checkFormDefinition(form: FormDefinition): FormDefinition {
  const fail = (problem: string): never => {
    throw new FormDefinitionError(form.id, problem);
  };
  const figures = figuresOf(form);
  const byPath = new Map<string, FieldDefinition>();
  for (const { path, field } of figures) {
    if (byPath.has(path)) fail(`${path} is defined twice`);
    byPath.set(path, field);
    if (!FIELD_TYPES.includes(field.type)) fail(`${path}: unknown type "${field.type}"`);
    if (!AGGREGATIONS.includes(field.aggregate)) fail(`${path}: unknown aggregation "${field.aggregate}"`);
    if (field.aggregate === 'sum' && !['integer', 'money'].includes(field.type)) fail(`${path}: only numbers can be summed`);
    if (field.aggregate === 'count-yes' && field.type !== 'boolean') fail(`${path}: only yes/no figures can be counted`);
    if (field.type === 'choice' && !field.choices?.length) fail(`${path}: a choice needs choices`);
  }
  for (const { path, field } of figures) {
    if (field.requiredWhen && !byPath.has(field.requiredWhen)) fail(`${path}: requiredWhen names unknown field ${field.requiredWhen}`);
  }
  for (const rule of form.rules) {
    for (const ref of [rule.field, rule.limit]) {
      const field = byPath.get(ref);
      if (!field) fail(`rule ${rule.kind} names unknown field ${ref}`);
      if (!['integer', 'money'].includes(field!.type)) fail(`rule ${rule.kind}: ${ref} is not a number`);
    }
  }
  const narrativeKeys = form.narratives.map((n) => n.key);
  if (new Set(narrativeKeys).size !== narrativeKeys.length) fail('a narrative key is defined twice');
  return form;
}

const formsDir = () => join(projectRoot(), 'data', 'forms');
let catalogue: FormDefinition[] | undefined;

/** Every form definition under data/forms, checked, newest first. */
export function allForms(): FormDefinition[] {
  catalogue ??= readdirSync(formsDir())
    .filter((name) => name.endsWith('.json'))
    .map((name) => checkFormDefinition(JSON.parse(readFileSync(join(formsDir(), name), 'utf8')) as FormDefinition))
    .sort((a, b) => b.validFromYear - a.validFromYear);
  return catalogue;
}

/** The form a new report for `year` is started on: the newest valid from that year or before. */
export function formForYear(year: number): FormDefinition {
  const form = allForms().find((f) => f.validFromYear <= year);
  if (!form) throw new FormDefinitionError('(none)', `no report form is valid for ${year}`);
  return form;
}

export function formById(id: string): FormDefinition {
  const form = allForms().find((f) => f.id === id);
  if (!form) throw new FormDefinitionError(id, 'no such form');
  return form;
}
