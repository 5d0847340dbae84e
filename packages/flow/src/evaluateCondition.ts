import { BUILTIN_FIELDS, type Comparison, type ConditionGroup, type FieldDef, LIMITS } from './schemaBase.ts';
import type { ComparisonTrace, TicketData } from './types.ts';
import { parseIsoTime } from './isoTime.ts';

/*
 * Conditions are data, evaluated by a total function: whatever the group and the ticket hold (wrong
 * types, missing fields, NaN, garbage from an old row), evaluation returns a result and never throws.
 * Nothing here reads a clock or calls eval.
 */

/** The result of evaluating a condition group, with one trace per comparison for the "why" view. */
export type ConditionResult = { matched: boolean; comparisons: ComparisonTrace[] };

const hasOwn = Object.hasOwn;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a field of a ticket by key: built-ins (`channel`, `priority`, `category`, `subject`, `tags`,
 * `customer.tier`, `customer.email`, `customer.name`) from the ticket itself, any other key from
 * `ticket.fields` (own properties only, so `constructor` or `__proto__` never reach the prototype).
 * Returns `undefined` when the field is absent or the ticket is not an object.
 */
export function readField(ticket: TicketData, key: string): unknown {
  const t: unknown = ticket;
  if (!isRecord(t) || typeof key !== 'string') return undefined;
  switch (key) {
    case 'channel':
    case 'priority':
    case 'category':
    case 'subject':
    case 'tags':
      return hasOwn(t, key) ? t[key] : undefined;
    case 'customer.tier':
    case 'customer.email':
    case 'customer.name': {
      const customer = hasOwn(t, 'customer') ? t.customer : undefined;
      const sub = key.slice(9);
      return isRecord(customer) && hasOwn(customer, sub) ? customer[sub] : undefined;
    }
    default: {
      const fields = hasOwn(t, 'fields') ? t.fields : undefined;
      return isRecord(fields) && hasOwn(fields, key) ? fields[key] : undefined;
    }
  }
}

/** Empty means: null, undefined, NaN, a blank string or an empty array. */
function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (typeof value === 'number') return Number.isNaN(value);
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** A finite number from a number or a numeric string; NaN otherwise. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return Number.NaN;
    const n = Number(s);
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return Number.NaN;
}

/** Milliseconds of an ISO date or date-time (zone-less read as UTC, see parseIsoTime); NaN otherwise. */
function toTime(value: unknown): number {
  if (typeof value !== 'string' || value.length > 40) return Number.NaN;
  return parseIsoTime(value);
}

/** Scalar equality: numbers numerically (numeric strings coerced), strings trimmed and case-insensitive. */
function scalarEquals(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' && tb === 'string') {
    return (a as string).trim().toLowerCase() === (b as string).trim().toLowerCase();
  }
  if (ta === 'number' || tb === 'number') {
    if ((ta !== 'number' && ta !== 'string') || (tb !== 'number' && tb !== 'string')) return false;
    const na = toNumber(a);
    const nb = toNumber(b);
    return !Number.isNaN(na) && na === nb;
  }
  if (ta === 'boolean' && tb === 'boolean') return a === b;
  if (ta === 'boolean' && tb === 'string') return String(a) === (b as string).trim().toLowerCase();
  if (ta === 'string' && tb === 'boolean') return (a as string).trim().toLowerCase() === String(b);
  return false;
}

/** An actual value equals the expected one; a list-valued field (tags) equals a value it holds. */
function valueEquals(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return valueIn(actual, expected);
  if (Array.isArray(actual)) {
    for (const item of actual) if (scalarEquals(item, expected)) return true;
    return false;
  }
  return scalarEquals(actual, expected);
}

function valueIn(actual: unknown, expected: unknown): boolean {
  const list: readonly unknown[] = Array.isArray(expected)
    ? expected
    : expected === undefined
      ? []
      : [expected];
  if (Array.isArray(actual)) {
    for (const item of actual) for (const candidate of list) if (scalarEquals(item, candidate)) return true;
    return false;
  }
  for (const candidate of list) if (scalarEquals(actual, candidate)) return true;
  return false;
}

function valueContains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) {
    for (const item of actual) if (scalarEquals(item, expected)) return true;
    return false;
  }
  const haystack = typeof actual === 'string' ? actual : typeof actual === 'number' ? String(actual) : null;
  const needle =
    typeof expected === 'string'
      ? expected
      : typeof expected === 'number' || typeof expected === 'boolean'
        ? String(expected)
        : null;
  if (haystack === null || needle === null) return false;
  return haystack.toLowerCase().includes(needle.trim().toLowerCase());
}

/** -1 / 0 / 1 when both are numbers (or numeric strings) or both ISO dates; NaN when not comparable. */
function compare(actual: unknown, expected: unknown): number {
  const na = toNumber(actual);
  const nb = toNumber(expected);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return Math.sign(na - nb);
  const da = toTime(actual);
  const db = toTime(expected);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return Math.sign(da - db);
  return Number.NaN;
}

function evaluateComparison(operator: unknown, actual: unknown, expected: unknown): boolean {
  switch (operator) {
    case 'equals':
      return valueEquals(actual, expected);
    case 'not_equals':
      return !valueEquals(actual, expected);
    case 'in':
      return valueIn(actual, expected);
    case 'not_in':
      return !valueIn(actual, expected);
    case 'contains':
      return valueContains(actual, expected);
    case 'greater_than':
      return compare(actual, expected) > 0;
    case 'less_than':
      return compare(actual, expected) < 0;
    case 'is_set':
      return !isEmptyValue(actual);
    case 'is_empty':
      return isEmptyValue(actual);
    default:
      return false;
  }
}

function isGroupLike(value: unknown): value is { kind: 'group'; combinator: unknown; rules: unknown } {
  return isRecord(value) && value.kind === 'group';
}

function evaluateRule(rule: unknown, ticket: TicketData, depth: number, traces: ComparisonTrace[]): boolean {
  if (!isRecord(rule)) return false;
  if (rule.kind === 'comparison') {
    const field = typeof rule.field === 'string' ? rule.field : '';
    const actual = field === '' ? undefined : readField(ticket, field);
    const expected = rule.value as Comparison['value'];
    const result = field !== '' && evaluateComparison(rule.operator, actual, expected);
    traces.push({ field, operator: String(rule.operator), expected, actual, result });
    return result;
  }
  if (rule.kind === 'group') return evaluateGroup(rule, ticket, depth + 1, traces);
  return false;
}

function evaluateGroup(
  group: unknown,
  ticket: TicketData,
  depth: number,
  traces: ComparisonTrace[],
): boolean {
  // Parsed documents never nest deeper than the limit; garbage that does (or a cyclic object) is no match
  // rather than a stack overflow.
  if (depth > LIMITS.maxConditionDepth || !isGroupLike(group) || !Array.isArray(group.rules)) return false;
  const rules: readonly unknown[] = group.rules;
  if (group.combinator === 'any') {
    let matched = false;
    for (const rule of rules) if (evaluateRule(rule, ticket, depth, traces)) matched = true;
    return matched;
  }
  if (group.combinator !== 'all') return false;
  let matched = true;
  // Every comparison is evaluated (no short-circuit) so the trace explains the whole group.
  for (const rule of rules) if (!evaluateRule(rule, ticket, depth, traces)) matched = false;
  return matched;
}

/**
 * Evaluates a condition group against a ticket. Total and deterministic: never throws, whatever the
 * input. An empty `all` group matches, an empty `any` group does not; a malformed group or one nested
 * deeper than `LIMITS.maxConditionDepth` does not match.
 *
 * Operators: `equals`/`not_equals` (strings trimmed and case-insensitive, numbers numerically, numeric
 * strings coerced, a list field equals a value it holds), `in`/`not_in` (a non-list value is a list of
 * one), `contains` (substring, case-insensitive; list fields: holds the element), `greater_than`/
 * `less_than` (numbers, or ISO dates as dates; anything else is false), `is_set`/`is_empty` (empty:
 * null, undefined, NaN, blank string, empty list).
 */
export function evaluateCondition(group: ConditionGroup, ticket: TicketData): ConditionResult {
  const comparisons: ComparisonTrace[] = [];
  let matched = false;
  try {
    matched = evaluateGroup(group, ticket, 1, comparisons);
  } catch {
    // Only a hostile object (a throwing getter or proxy) gets here; a condition that cannot be read never matches.
    matched = false;
  }
  return { matched, comparisons };
}

const OPERATOR_WORDS: Record<string, string> = {
  equals: 'is',
  not_equals: 'is not',
  in: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  greater_than: 'is greater than',
  less_than: 'is less than',
  is_set: 'is set',
  is_empty: 'is empty',
};

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => describeValue(v)).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  return '?';
}

/** A field named by its label: a custom field, or a step's form field (their values land in the ticket's fields). */
export type FieldName = Pick<FieldDef, 'key' | 'label'> & Partial<Omit<FieldDef, 'key' | 'label'>>;

function fieldWords(key: string, fields: readonly FieldName[] | undefined): string {
  for (const def of BUILTIN_FIELDS) if (def.key === key) return def.label.toLowerCase();
  if (fields) for (const def of fields) if (def.key === key && def.label.trim() !== '') return def.label;
  return key;
}

function describeRule(rule: unknown, depth: number, fields: readonly FieldName[] | undefined): string {
  if (!isRecord(rule)) return '?';
  if (rule.kind === 'group') return `(${describeGroup(rule, depth + 1, fields)})`;
  if (rule.kind !== 'comparison') return '?';
  const field = fieldWords(typeof rule.field === 'string' ? rule.field : '?', fields);
  const operator = typeof rule.operator === 'string' ? rule.operator : '';
  const words = OPERATOR_WORDS[operator] ?? operator;
  if (operator === 'is_set' || operator === 'is_empty') return `${field} ${words}`;
  return `${field} ${words} ${describeValue(rule.value)}`;
}

function describeGroup(group: unknown, depth: number, fields: readonly FieldName[] | undefined): string {
  if (depth > LIMITS.maxConditionDepth) return '…';
  if (!isGroupLike(group) || !Array.isArray(group.rules)) return '?';
  const any = group.combinator === 'any';
  if (group.rules.length === 0) return any ? 'never' : 'always';
  return group.rules.map((rule: unknown) => describeRule(rule, depth, fields)).join(any ? ' or ' : ' and ');
}

/**
 * Describes a condition group in words for node summaries, e.g. "priority is urgent and customer tier
 * is one of vip, existing". Nested groups are parenthesised; an empty `all` group reads "always", an
 * empty `any` group "never". Pass the document's fields to name custom fields by their label.
 */
export function describeCondition(group: ConditionGroup, fields?: readonly FieldName[]): string {
  try {
    return describeGroup(group, 1, fields);
  } catch {
    return '?';
  }
}
