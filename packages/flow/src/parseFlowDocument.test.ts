import { describe, expect, it } from 'vitest';
import { generateFlow } from './generateFlow.ts';
import { MAX_JSON_DEPTH, parseFlowDocument } from './parseFlowDocument.ts';
import { CURRENT_SCHEMA_VERSION, FlowDocument, LIMITS } from './schema.ts';
import {
  all,
  branch,
  comparison,
  decisionNode,
  edge,
  endNode,
  flow,
  miniFlow,
  startNode,
} from './testFlows.ts';

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('parseFlowDocument', () => {
  it('returns the typed document for a valid one', () => {
    // Given a valid document as JSON, when parsed, then it comes back equal and typed
    const result = parseFlowDocument(json(miniFlow()));
    expect(result).toEqual({ ok: true, document: miniFlow() });
  });

  it('drops unknown keys', () => {
    // Given a document with an extra top-level key and an extra node key
    const input = json(miniFlow());
    input.extra = 'x';
    input.nodes[0].color = 'red';
    // When parsed, then they are gone
    const result = parseFlowDocument(input);
    expect(result.ok && 'extra' in result.document).toBe(false);
    expect(result.ok && 'color' in result.document.nodes[0]!).toBe(false);
  });

  it.each([
    ['null', null],
    ['a string', 'flow'],
    ['an array', [miniFlow()]],
    ['a number', 42],
  ])('refuses %s as INVALID_DOCUMENT', (_words, input) => {
    // Given input that is not an object, when parsed, then a typed issue says so
    expect(parseFlowDocument(input)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ code: 'INVALID_DOCUMENT', severity: 'error' })],
    });
  });

  it('points a schema problem at the node by id and path', () => {
    // Given a node whose title is too long
    const input = json(miniFlow());
    input.nodes[1].data.title = 'x'.repeat(201);
    // When parsed
    const result = parseFlowDocument(input);
    // Then the issue names the node and the field
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ code: 'INVALID_DOCUMENT', nodeIds: ['s1'], edgeIds: [] });
    expect(result.issues[0]!.message).toContain('Node "s1" (nodes[1].data.title)');
  });

  it('points a bad edge at the edge id', () => {
    // Given an edge with an invalid target id
    const input = json(miniFlow());
    input.edges[1].target = 'has spaces';
    // When parsed, then the issue names the edge
    const result = parseFlowDocument(input);
    expect(result).toMatchObject({ ok: false, issues: [{ edgeIds: ['e2'] }] });
  });

  it.each([
    ['nodes', LIMITS.maxNodes + 1, (i: number) => startNode(`n${i}`)],
    ['edges', LIMITS.maxEdges + 1, (i: number) => edge(`e${i}`, 'a', 'next', 'b')],
  ])('refuses more than the maximum of %s before schema parsing', (key, count, make) => {
    // Given a document with one item too many
    const input = json(miniFlow());
    input[key] = Array.from({ length: count }, (_, i) => make(i));
    // When parsed, then LIMIT_EXCEEDED
    expect(parseFlowDocument(input)).toMatchObject({ ok: false, issues: [{ code: 'LIMIT_EXCEEDED' }] });
  });

  it('accepts exactly the maximum number of nodes', () => {
    // Given a generated flow of 500 nodes, when parsed, then it is accepted
    const doc = generateFlow(LIMITS.maxNodes, 5);
    expect(parseFlowDocument(json(doc)).ok).toBe(true);
  });

  it('refuses strings over 10 KB and ids over 64 characters', () => {
    // Given a 10,001-character instruction and a 65-character node id
    const long = json(miniFlow());
    long.nodes[1].data.instructions = 'x'.repeat(LIMITS.maxString + 1);
    const longId = json(miniFlow());
    longId.nodes[2].id = 'e'.repeat(LIMITS.maxId + 1);
    // When parsed, then both are refused; exactly 10 KB is fine
    expect(parseFlowDocument(long).ok).toBe(false);
    expect(parseFlowDocument(longId).ok).toBe(false);
    long.nodes[1].data.instructions = 'x'.repeat(LIMITS.maxString);
    expect(parseFlowDocument(long).ok).toBe(true);
  });

  const nested = (depth: number) => {
    let group: Record<string, unknown> = {
      kind: 'group',
      combinator: 'all',
      rules: [comparison('priority', 'is_set')],
    };
    for (let i = 1; i < depth; i++) group = { kind: 'group', combinator: 'all', rules: [group] };
    return flow(
      [startNode(), decisionNode('d1', [branch('b1', group as never)]), endNode()],
      [
        edge('e1', 'start', 'next', 'd1'),
        edge('e2', 'd1', 'branch:b1', 'end'),
        edge('e3', 'd1', 'default', 'end'),
      ],
    );
  };

  it('accepts conditions nested exactly 10 deep', () => {
    // Given a condition 10 groups deep, when parsed, then it is accepted
    expect(parseFlowDocument(json(nested(LIMITS.maxConditionDepth))).ok).toBe(true);
  });

  it('refuses conditions nested 11 deep as CONDITION_TOO_DEEP, naming the decision', () => {
    // Given a condition 11 groups deep, when parsed, then it is refused on the decision
    expect(parseFlowDocument(json(nested(LIMITS.maxConditionDepth + 1)))).toEqual({
      ok: false,
      issues: [expect.objectContaining({ code: 'CONDITION_TOO_DEEP', nodeIds: ['d1'] })],
    });
  });

  it('refuses a 100,000-deep condition without overflowing the stack', () => {
    // Given a condition nested 100,000 groups deep (built without recursion)
    const doc = nested(100_000);
    // When parsed, then it is refused as too deep, and nothing threw
    expect(parseFlowDocument(doc)).toMatchObject({ ok: false, issues: [{ code: 'CONDITION_TOO_DEEP' }] });
  });

  it('refuses 100,000-deep nesting anywhere else', () => {
    // Given a node label replaced by a 100,000-deep array
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const input = json(miniFlow());
    input.nodes[0].data.label = deep;
    input.notes = [{ deep }];
    // When parsed, then the nesting bound refuses it
    const result = parseFlowDocument(input);
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'LIMIT_EXCEEDED' }] });
    if (!result.ok) expect(result.issues[0]!.message).toContain(String(MAX_JSON_DEPTH));
  });

  it('refuses a huge array without parsing it', () => {
    // Given a note carrying a list of two million entries
    const input = json(miniFlow());
    input.notes = [{ id: 'n1', position: { x: 0, y: 0 }, text: 'x', extra: new Array(2_000_000).fill(0) }];
    // When parsed, then it is refused as too large
    expect(parseFlowDocument(input)).toMatchObject({ ok: false, issues: [{ code: 'LIMIT_EXCEEDED' }] });
  });

  it('refuses a document from a newer schema version', () => {
    // Given a schemaVersion past the current one, when parsed, then UNSUPPORTED_VERSION
    expect(
      parseFlowDocument({ ...json(miniFlow()), schemaVersion: CURRENT_SCHEMA_VERSION + 1 }),
    ).toMatchObject({
      ok: false,
      issues: [{ code: 'UNSUPPORTED_VERSION' }],
    });
  });

  it.each([['1'], [1.5], [-1], [null]])('refuses schemaVersion %j', (schemaVersion) => {
    // Given a schemaVersion that is not a whole number, when parsed, then INVALID_DOCUMENT
    expect(parseFlowDocument({ ...json(miniFlow()), schemaVersion })).toMatchObject({
      ok: false,
      issues: [{ code: 'INVALID_DOCUMENT' }],
    });
  });

  it('refuses __proto__ and constructor keys, naming them, and never lets them reach a prototype', () => {
    // Given a document whose objects carry __proto__ and constructor keys
    const text = JSON.stringify(miniFlow()).replaceAll(
      '{"id"',
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"id"',
    );
    const input = JSON.parse(text);
    // When parsed
    const result = parseFlowDocument(input);
    // Then the document is refused with the keys named, and no prototype changed
    expect(result.ok).toBe(false);
    const messages = result.ok ? '' : result.issues.map((i) => i.message).join('\n');
    expect(messages).toContain('Unrecognized keys: "__proto__", "constructor"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [
      'an unknown key on a node',
      (d: ReturnType<typeof json>) => Object.assign(d.nodes[1], { colour: 'red' }),
      'nodes[1]',
      'colour',
    ],
    [
      'an unknown key in node data',
      (d: ReturnType<typeof json>) => Object.assign(d.nodes[1].data, { colour: 'red' }),
      'nodes[1].data',
      'colour',
    ],
    [
      'an unknown key at the top',
      (d: ReturnType<typeof json>) => Object.assign(d, { colour: 'red' }),
      '',
      'colour',
    ],
  ])('refuses %s, naming it', (_what, change, where, key) => {
    // Given a well-formed document with one key the schema does not know
    const input = json(miniFlow());
    change(input);
    // When parsed
    const result = parseFlowDocument(input);
    // Then it is refused, the key and where it is named
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : (result.issues[0]?.message ?? '');
    expect(message).toContain(`"${key}"`);
    expect(message).toContain(where);
  });

  it.each([
    ['a NUL character', 'Check\u0000 the invoice', 'NUL character'],
    ['a lone high surrogate', 'Check \ud800 the invoice', 'unpaired UTF-16 surrogate'],
    ['a lone low surrogate', 'Check \udc00 the invoice', 'unpaired UTF-16 surrogate'],
  ])('refuses a label with %s, naming the field', (_what, label, why) => {
    // Given a node label holding a character PostgreSQL cannot store
    const input = json(miniFlow());
    input.nodes[0].data.label = label;
    // When parsed
    const result = parseFlowDocument(input);
    // Then it is refused, with the field's path and the reason
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : (result.issues[0]?.message ?? '');
    expect(message).toContain('nodes[0].data.label');
    expect(message).toContain(why);
  });

  it('keeps emoji, accents and right-to-left text as given', () => {
    // Given a label with paired surrogates (emoji) and other scripts
    const input = json(miniFlow());
    input.nodes[0].data.label = 'Remboursé 💶 — استرداد';
    // When parsed, then it is read unchanged
    const result = parseFlowDocument(input);
    expect(result.ok && result.document.nodes[0]?.data).toMatchObject({ label: 'Remboursé 💶 — استرداد' });
  });

  it('refuses reserved ids', () => {
    // Given a node id "__proto__", when parsed, then it is refused
    const input = json(miniFlow());
    input.nodes[2].id = '__proto__';
    expect(parseFlowDocument(input).ok).toBe(false);
  });

  it('does not throw on hostile objects (throwing getters)', () => {
    // Given an object whose property read throws
    const hostile = Object.defineProperty({}, 'nodes', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    // When parsed, then a typed issue comes back
    expect(parseFlowDocument(hostile)).toMatchObject({ ok: false, issues: [{ code: 'INVALID_DOCUMENT' }] });
  });

  it('does not throw on a cyclic object', () => {
    // Given a document that contains itself
    const input = json(miniFlow());
    input.notes = [input];
    // When parsed, then it is refused (nesting bound), not a hang or a crash
    expect(parseFlowDocument(input).ok).toBe(false);
  });

  it('does not modify its input', () => {
    // Given a version-0 document
    const input = json(miniFlow());
    delete input.schemaVersion;
    delete input.notes;
    const before = JSON.stringify(input);
    // When parsed, then the input is unchanged
    parseFlowDocument(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('matches the zod schema on a decision condition', () => {
    // Given a document with a condition, when parsed, then the condition is kept as data
    const doc = flow(
      [
        startNode(),
        decisionNode('d1', [branch('b1', all(comparison('priority', 'in', ['high', 'urgent'])))]),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 'd1'),
        edge('e2', 'd1', 'branch:b1', 'end'),
        edge('e3', 'd1', 'default', 'end'),
      ],
    );
    const result = parseFlowDocument(json(doc));
    expect(result).toEqual({ ok: true, document: FlowDocument.parse(doc) });
  });
});
