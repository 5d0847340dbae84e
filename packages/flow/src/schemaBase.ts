import { z } from 'zod';
import { CHANNELS, END_STATUSES, PRIORITIES, TIERS } from './vocabulary.ts';

/**
 * The building blocks of the flow document (see `schema.ts`): ids, fields, conditions, limits. Node
 * kinds (`nodes/`) build their shapes from these; nothing here knows a node kind.
 */

/**
 * 2: a step's team may be "the ticket's current team" (`teamSource: 'current'`). A version-1 document
 * is a valid version-2 one (see `migrations/v1ToV2.ts`); the number moved so that an older Stepwise
 * refuses a document that keeps the ticket's team instead of silently dropping the setting.
 *
 * 3: a required checklist item or form field may be required only for some outcomes (`requiredFor`),
 * and a step's form field may be a yes/no question (`boolean`). A version-2 document is a valid
 * version-3 one whose requirements hold for every outcome (see `migrations/v2ToV3.ts`).
 */
export const CURRENT_SCHEMA_VERSION = 3 as const;

/** The bounds on input: larger documents, strings, ids or condition nesting are refused with a typed error. */
export const LIMITS = {
  maxNodes: 500,
  maxEdges: 2000,
  maxNotes: 500,
  maxString: 10_000,
  maxId: 64,
  maxConditionDepth: 10,
  maxAutomaticRun: 100,
  maxListItems: 200,
} as const;

/** Keys that name an object's prototype machinery: never a key of any input, whatever its shape. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The one string schema every text input is built from (the API's inputs and the flow document). It
 * refuses what PostgreSQL cannot store and no person types: the NUL character (U+0000), which text
 * and jsonb columns reject, and an unpaired UTF-16 surrogate (U+D800–U+DFFF alone), which is not
 * Unicode and which jsonb rejects. Every other character, emoji and right-to-left text included, is
 * kept as given. Build on it (`SafeString.trim().max(200)`); never start a text input from `z.string()`.
 */
export const SafeString = z
  .string()
  // Not aborting: a union of a text and other kinds still names the field inside it (and these come
  // first, so a refusal's first issue is this one, whatever checks are chained after).
  .refine(
    (s) => !s.includes('\u0000'),
    'contains an invisible NUL character (U+0000) that cannot be saved: delete it or retype the text',
  )
  .refine(
    (s) => isWellFormedText(s),
    'contains a broken character (half of an emoji or symbol: an unpaired UTF-16 surrogate) that cannot be saved: retype the text',
  );

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string is valid Unicode (no surrogate half without its pair). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * A record-like input (free-form keys, such as a ticket's `fields` or a step's `form` values). A zod
 * record silently drops an own `__proto__` key; this refuses it, `constructor` and `prototype`, with
 * the key named in the issue's path, before the record's own key and value schemas run.
 */
export function SafeRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) {
  const record = z.record(key, value);
  return z
    .custom<z.input<typeof record>>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      {
        message: 'expected an object of keys and values',
        abort: true,
      },
    )
    .superRefine((input, ctx) => {
      for (const k of Object.keys(input)) {
        if (RESERVED_KEYS.has(k)) {
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `the key "${k}" is reserved and cannot be used`,
          });
        }
      }
    })
    .pipe(record);
}

/** Ids: 1–64 chars of letters, digits, `_`, `-`, `.`, `:`; never a prototype key. */
export const Id = SafeString.min(1, 'an id cannot be empty')
  .max(LIMITS.maxId, `an id is at most ${LIMITS.maxId} characters`)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'an id uses letters, digits, "_", "-", "." or ":" only')
  .refine((s) => !RESERVED_KEYS.has(s), 'this id is reserved');

/** Field keys (ticket fields, form fields): like ids, but must start with a letter. */
export const FieldKey = SafeString.min(1)
  .max(LIMITS.maxId)
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/,
    'a field key is letters, digits and "_" (one dot allowed)',
  )
  .refine((s) => !s.split('.').some((p) => RESERVED_KEYS.has(p)), 'this field key is reserved');

export const Text = SafeString.max(LIMITS.maxString, `text is at most ${LIMITS.maxString} characters`);
export const Label = SafeString.max(200, 'a label is at most 200 characters');

export { CHANNELS, END_STATUSES, PRIORITIES, TIERS };
export const Channel = z.enum(CHANNELS);
export const Priority = z.enum(PRIORITIES);
export const Tier = z.enum(TIERS);
export type Channel = z.infer<typeof Channel>;
export type Priority = z.infer<typeof Priority>;
export type Tier = z.infer<typeof Tier>;

export const Position = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

// ---------------------------------------------------------------------------------------------------
// Fields: the ticket fields a flow uses. Built-in fields always exist (see BUILTIN_FIELDS); custom ones
// are declared in the document; step form fields are captured into the ticket's fields by their key.

export const FIELD_TYPES = ['text', 'number', 'choice', 'date', 'email', 'boolean'] as const;
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;

export const FieldDef = z.strictObject({
  key: FieldKey,
  label: Label,
  type: FieldType,
  /** For `choice` fields. */
  options: z.array(Label).max(LIMITS.maxListItems).optional(),
});
export type FieldDef = z.infer<typeof FieldDef>;

/**
 * Fields every ticket has. Conditions and set-field actions address them by these keys; custom and
 * captured fields by their own key.
 */
export const BUILTIN_FIELDS: readonly FieldDef[] = [
  { key: 'channel', label: 'Channel', type: 'choice', options: [...CHANNELS] },
  { key: 'priority', label: 'Priority', type: 'choice', options: [...PRIORITIES] },
  { key: 'category', label: 'Category', type: 'text' },
  { key: 'subject', label: 'Subject', type: 'text' },
  { key: 'customer.tier', label: 'Customer tier', type: 'choice', options: [...TIERS] },
  { key: 'customer.email', label: 'Customer email', type: 'email' },
  { key: 'customer.name', label: 'Customer name', type: 'text' },
  { key: 'tags', label: 'Tags', type: 'text' },
];

// ---------------------------------------------------------------------------------------------------
// Conditions: data, never code. A group combines comparisons (and nested groups) with all/any.

export const OPERATORS = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'contains',
  'greater_than',
  'less_than',
  'is_set',
  'is_empty',
] as const;
export const Operator = z.enum(OPERATORS);
export type Operator = z.infer<typeof Operator>;

export const ScalarValue = z.union([Text, z.number().finite(), z.boolean()]);
export type ScalarValue = z.infer<typeof ScalarValue>;
/** ScalarValue's options listed flat (not a nested union), so a refusal names the item inside a list. */
export const ConditionValue = z.union([
  Text,
  z.number().finite(),
  z.boolean(),
  z.array(ScalarValue).max(LIMITS.maxListItems),
]);
export type ConditionValue = z.infer<typeof ConditionValue>;

export const Comparison = z.strictObject({
  kind: z.literal('comparison'),
  field: FieldKey,
  operator: Operator,
  /** Absent for is_set / is_empty; an array for in / not_in. */
  value: ConditionValue.optional(),
});
export type Comparison = z.infer<typeof Comparison>;

export type ConditionGroup = {
  kind: 'group';
  combinator: 'all' | 'any';
  rules: Array<Comparison | ConditionGroup>;
};
type GroupOption = z.ZodType<ConditionGroup> & z.core.$ZodTypeDiscriminable;
export const ConditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.strictObject({
    kind: z.literal('group'),
    combinator: z.enum(['all', 'any']),
    // Discriminated by `kind`, so a refusal names the field inside the rule, not the whole rule.
    rules: z
      .array(z.discriminatedUnion('kind', [Comparison, ConditionGroup as GroupOption]))
      .max(LIMITS.maxListItems),
  }),
);

/** What every node has, whatever its kind: a stable id and a place on the canvas. */
export const nodeBase = { id: Id, position: Position };
