import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFlow } from './generateFlow.ts';
import { type ParseResult, parseFlowDocument } from './parseFlowDocument.ts';
import { PARSE_CODES, validate } from './validate.ts';

const WEIRD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const WEIRD_IDS = [
  ...WEIRD_KEYS,
  '',
  ' ',
  'a'.repeat(64),
  'a'.repeat(65),
  'start',
  'end',
  '💥',
  'a\u0000b',
  '../etc',
  'node with spaces',
  'x'.repeat(10_001),
];

/** A copy of `value` where every object also has an own `key` property (as JSON.parse would make it). */
function withHostileKeys(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withHostileKeys(v, key));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  Object.defineProperty(out, key, {
    value: { polluted: true, prototype: { polluted: true } },
    enumerable: true,
    writable: true,
    configurable: true,
  });
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: withHostileKeys(v, key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Sets `value` at a random place inside `doc` (walking from the root by random keys). */
function plant(doc: unknown, path: readonly number[], value: unknown): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  let here: unknown = root;
  for (const step of path) {
    if (typeof here !== 'object' || here === null) break;
    const keys = Object.keys(here);
    if (keys.length === 0) break;
    const key = keys[step % keys.length]!;
    const next = (here as Record<string, unknown>)[key];
    if (typeof next !== 'object' || next === null || step % 3 === 0) {
      (here as Record<string, unknown>)[key] = value;
      return root;
    }
    here = next;
  }
  return root;
}

// Small documents keep 10,000 runs fast; the shapes (every node type, conditions, forms) are all there.
const baseDocs = [generateFlow(5, 1), generateFlow(8, 2), generateFlow(12, 3)];

const inputArb: fc.Arbitrary<unknown> = fc.oneof(
  // arbitrary JSON of any shape
  fc.jsonValue(),
  // arbitrary JSON carrying hostile keys on every object
  fc.tuple(fc.jsonValue(), fc.constantFrom(...WEIRD_KEYS)).map(([v, k]) => withHostileKeys(v, k)),
  // a real document with one value replaced by garbage somewhere inside
  fc
    .tuple(
      fc.constantFrom(...baseDocs),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.jsonValue({ maxDepth: 3 }),
    )
    .map(([doc, path, value]) => plant(doc, path, value)),
  // a real document with a weird id planted somewhere
  fc
    .tuple(
      fc.constantFrom(...baseDocs),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(...WEIRD_IDS),
    )
    .map(([doc, path, id]) => plant(doc, path, id)),
  // a real document with hostile keys everywhere
  fc
    .tuple(fc.constantFrom(...baseDocs), fc.constantFrom(...WEIRD_KEYS))
    .map(([doc, k]) => withHostileKeys(doc, k)),
  // a document-shaped object with garbage lists
  fc.record({
    schemaVersion: fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -2, max: 3 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    nodes: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 5 }),
    edges: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
    notes: fc.jsonValue({ maxDepth: 2 }),
    fields: fc.jsonValue({ maxDepth: 2 }),
  }),
);

/** Throws (failing the property) unless the result is a schema-valid document or typed parse issues. */
function checkResult(result: ParseResult): void {
  if (result.ok) {
    // An accepted document can be validated without throwing.
    if (!Array.isArray(validate(result.document))) throw new Error('validate did not return a list');
    return;
  }
  if (result.issues.length === 0) throw new Error('refused without an issue');
  for (const issue of result.issues) {
    const typed =
      (PARSE_CODES as readonly string[]).includes(issue.code) &&
      issue.severity === 'error' &&
      typeof issue.message === 'string' &&
      issue.message.length > 0 &&
      Array.isArray(issue.nodeIds) &&
      Array.isArray(issue.edgeIds);
    if (!typed) throw new Error(`untyped issue: ${JSON.stringify(issue)}`);
  }
}

describe('parseFlowDocument: fuzz (reliability test 3)', () => {
  it('reads 10,000 arbitrary JSON values without a throw or a polluted prototype', () => {
    // Given the own property names of Object.prototype before the run
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    let accepted = 0;
    // When 10,000 arbitrary inputs are parsed
    fc.assert(
      fc.property(inputArb, (input) => {
        // (a throw fails the property)
        const result = parseFlowDocument(input);
        // Then every result is a document or typed issues, and no prototype is polluted
        checkResult(result);
        if (result.ok) accepted++;
        if (({} as Record<string, unknown>).polluted !== undefined)
          throw new Error('Object.prototype polluted');
      }),
      { numRuns: 10_000 },
    );
    // And Object.prototype is unchanged
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // And the fuzz did reach the happy path too (it is not only rejecting garbage at the door)
    expect(accepted).toBeGreaterThan(100);
  }, 60_000);

  it('survives deep nesting in every position', () => {
    // Given real documents with a 50,000-deep list or condition planted in a node
    let deepArray: unknown = 1;
    let deepObject: unknown = 1;
    for (let i = 0; i < 50_000; i++) {
      deepArray = [deepArray];
      deepObject = { kind: 'group', combinator: 'all', rules: [deepObject] };
    }
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (let path = 0; path < 60; path++) {
      for (const deep of [deepArray, deepObject]) {
        const doc = structuredClone(baseDocs[path % 3]) as unknown as Record<string, unknown>;
        const nodes = doc.nodes as Array<Record<string, unknown>>;
        const node = nodes[path % nodes.length]!;
        if (path % 2 === 0)
          node.data = { ...(node.data as object), branches: [{ id: 'b', label: 'b', condition: deep }] };
        else node.position = deep;
        // When parsed, then no throw and a typed result
        checkResult(parseFlowDocument(doc));
      }
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  }, 60_000);
});
