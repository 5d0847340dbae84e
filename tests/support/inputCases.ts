import type { Access } from '@stepwise/api';
import { FlowDocument } from '@stepwise/flow';
import type { z } from 'zod';

/**
 * Bad-input cases generated from a procedure's zod input schema and a valid input for it: for every
 * text the input holds, the same input with a NUL character and with an unpaired surrogate in that
 * text; for every object, one with an unknown key and ones with `__proto__` and `constructor` keys;
 * for every record-like input (free-form keys), ones with `__proto__` and `constructor` keys.
 *
 * The walk also reports what it cannot vouch for: a text field the sample leaves out (its cases would
 * be missing), an object that is not strict, an input typed `unknown` that no schema stands for.
 */

type Path = ReadonlyArray<string | number>;

export type InputCase = {
  /** What is wrong, in words: `NUL in customer.name`, `unknown key at customer`. */
  name: string;
  input: unknown;
  /** The words the refusal must contain to name the field or key. */
  names: string[];
};

/** Inputs left `unknown` in a router, and the schema that checks them (flow documents are parsed). */
export const UNKNOWN_INPUTS: Record<string, z.ZodType> = {
  'flows.create:document': FlowDocument,
  'flows.saveDraft:document': FlowDocument,
};

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  getter?: () => z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path as the API's error message writes it (`customer.name`, `tags.0`). */
export const dotted = (path: Path): string => path.join('.');

/** A path inside a flow document as its parser writes it (`nodes[1].data.title`). */
export function bracketed(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** The pattern of a path: array indexes and record keys as `*`, discriminated options named. */
type Pattern = string;

/** Every text field a schema declares, as patterns (recursive schemas followed two levels deep). */
export function textPatterns(schema: z.ZodType, where: string, problems: string[]): Set<Pattern> {
  const out = new Set<Pattern>();
  const visit = (s: z.ZodType, pattern: Pattern, lazies: z.ZodType[]) => {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) return visit(def.innerType, pattern, lazies);
    switch (def.type) {
      case 'string':
        out.add(pattern);
        return;
      case 'pipe': {
        const inner = def.in as z.ZodType;
        const side = ['custom', 'unknown'].includes(defOf(inner).type) ? (def.out as z.ZodType) : inner;
        return visit(side, pattern, lazies);
      }
      case 'lazy': {
        if (lazies.filter((l) => l === s).length >= 2) return;
        return visit((def.getter as () => z.ZodType)(), pattern, [...lazies, s]);
      }
      case 'object':
        for (const [key, child] of Object.entries(def.shape ?? {})) {
          visit(child, pattern === '' ? key : `${pattern}.${key}`, lazies);
        }
        return;
      case 'record':
        return visit(def.valueType as z.ZodType, `${pattern}.*`, lazies);
      case 'array':
        return visit(def.element as z.ZodType, `${pattern}.*`, lazies);
      case 'union':
        for (const option of def.options ?? []) {
          visit(option, taggedPattern(pattern, def, option), lazies);
        }
        return;
      case 'unknown':
      case 'any': {
        const stand = UNKNOWN_INPUTS[`${where}:${pattern}`];
        if (stand) return visit(stand, pattern, lazies);
        problems.push(`${where}: "${pattern}" is typed unknown; give it a schema`);
        return;
      }
      default:
        return;
    }
  };
  visit(schema, '', []);
  return out;
}

function discriminatorValue(def: Def, option: z.ZodType): string | undefined {
  if (!def.discriminator) return undefined;
  const literal = defOf(option).shape?.[def.discriminator];
  const values = literal ? (defOf(literal) as { values?: unknown[] }).values : undefined;
  return values?.map(String).join('|');
}

function taggedPattern(pattern: Pattern, def: Def, option: z.ZodType): Pattern {
  const tag = discriminatorValue(def, option);
  return tag === undefined ? pattern : `${pattern}<${def.discriminator}=${tag}>`;
}

type Spot = { path: Path; pattern: Pattern; kind: 'text' | 'object' | 'record' };

/** The texts, objects and records a valid input holds, walked along its schema. */
export function spotsOf(schema: z.ZodType, value: unknown, where: string, problems: string[]): Spot[] {
  const spots: Spot[] = [];
  const visit = (s: z.ZodType, v: unknown, path: Path, pattern: Pattern) => {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) {
      if (v === undefined || v === null) return;
      return visit(def.innerType, v, path, pattern);
    }
    switch (def.type) {
      case 'string':
        if (typeof v === 'string') spots.push({ path, pattern, kind: 'text' });
        return;
      case 'pipe': {
        const inner = def.in as z.ZodType;
        if (['custom', 'unknown'].includes(defOf(inner).type)) {
          const out = def.out as z.ZodType;
          const outDef = defOf(out);
          if (outDef.type !== 'record') return visit(out, v, path, pattern);
          if (!isPlainObject(v)) return;
          spots.push({ path, pattern, kind: 'record' });
          for (const key of Object.keys(v)) {
            visit(outDef.valueType as z.ZodType, v[key], [...path, key], `${pattern}.*`);
          }
          return;
        }
        return visit(inner, v, path, pattern);
      }
      case 'lazy':
        return visit((def.getter as () => z.ZodType)(), v, path, pattern);
      case 'object': {
        if (!isPlainObject(v)) return;
        if (!def.catchall || defOf(def.catchall).type !== 'never') {
          problems.push(`${where}: the object at "${dotted(path)}" is not strict (use z.strictObject)`);
        }
        spots.push({ path, pattern, kind: 'object' });
        for (const [key, child] of Object.entries(def.shape ?? {})) {
          if (key in v) visit(child, v[key], [...path, key], pattern === '' ? key : `${pattern}.${key}`);
        }
        return;
      }
      case 'record':
        if (!isPlainObject(v)) return;
        problems.push(`${where}: the record at "${dotted(path)}" is a bare z.record (use SafeRecord)`);
        return;
      case 'array':
        if (!Array.isArray(v)) return;
        v.forEach((item, i) => {
          visit(def.element as z.ZodType, item, [...path, i], `${pattern}.*`);
        });
        return;
      case 'union': {
        const option = (def.options ?? []).find((o) => o.safeParse(v).success);
        if (option) visit(option, v, path, taggedPattern(pattern, def, option));
        return;
      }
      case 'unknown':
      case 'any': {
        const stand = UNKNOWN_INPUTS[`${where}:${pattern}`];
        if (stand) return visit(stand, v, path, pattern);
        problems.push(`${where}: "${pattern}" is typed unknown; give it a schema`);
        return;
      }
      default:
        return;
    }
  };
  visit(schema, value, [], '');
  return spots;
}

function readAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const part of path) node = (node as Record<string | number, unknown>)[part];
  return node;
}

/** A deep copy of a JSON value with `change` applied to the node at `path`. */
function changedAt(value: unknown, path: Path, change: (node: unknown) => unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  if (path.length === 0) return change(copy);
  const parent = readAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  parent[last] = change(parent[last]);
  return copy;
}

/** Sets an own, enumerable key, even `__proto__` (as JSON.parse does; assignment would set the prototype). */
function withOwnKey(node: unknown, key: string, value: unknown): unknown {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return node;
}

/** How the refusal names a path: dotted in the API's message; bracketed inside a flow document. */
function namesOf(path: Path, where: string): string[] {
  const document = UNKNOWN_INPUTS[`${where}:${String(path[0])}`] !== undefined;
  return document ? [bracketed(path.slice(1))] : [dotted(path)];
}

/** Every bad-input case of one procedure (see the module's comment). */
export function casesOf(
  schema: z.ZodType,
  sample: unknown,
  where: string,
  problems: string[],
): { cases: InputCase[]; spots: Spot[] } {
  const spots = spotsOf(schema, sample, where, problems);
  const covered = new Set(spots.filter((s) => s.kind === 'text').map((s) => s.pattern));
  for (const pattern of textPatterns(schema, where, problems)) {
    if (!covered.has(pattern)) problems.push(`${where}: the sample holds no text at "${pattern}"`);
  }
  const cases: InputCase[] = [];
  for (const spot of spots) {
    const at = dotted(spot.path) || '(the input)';
    if (spot.kind === 'text') {
      const poison = (bad: string) => (node: unknown) => {
        const text = String(node);
        return `${text.slice(0, 1)}${bad}${text.slice(1)}`;
      };
      cases.push({
        name: `NUL in ${at}`,
        input: changedAt(sample, spot.path, poison('\u0000')),
        names: namesOf(spot.path, where),
      });
      cases.push({
        name: `lone surrogate in ${at}`,
        input: changedAt(sample, spot.path, poison('\ud800')),
        names: namesOf(spot.path, where),
      });
      continue;
    }
    const keys =
      spot.kind === 'object' ? ['unexpectedKey', '__proto__', 'constructor'] : ['__proto__', 'constructor'];
    for (const key of keys) {
      cases.push({
        name: `${key === 'unexpectedKey' ? 'unknown key' : `"${key}" key`} at ${at}`,
        input: changedAt(sample, spot.path, (node) => withOwnKey(node, key, { polluted: true })),
        names: [`"${key}"`],
      });
    }
  }
  return { cases, spots };
}

/** The caller a procedure is tried as: anonymous when public, else its first allowed role among ours. */
export function roleFor(access: Access | undefined): 'anonymous' | 'admin' | 'manager' | 'agent' {
  if (access === 'public') return 'anonymous';
  if (access === 'authenticated' || access === undefined) return 'admin';
  return (['admin', 'manager', 'agent'] as const).find((r) => access.includes(r)) ?? 'admin';
}
