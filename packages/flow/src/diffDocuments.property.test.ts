import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDiff, describeChange, diffDocuments, type FlowDiff } from './diffDocuments.ts';
import { generateFlow } from './generateFlow.ts';
import type { FlowDocument, FlowNode } from './schema.ts';
import { seededRandom } from './seededRandom.ts';

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T | undefined =>
  list.length === 0 ? undefined : list[Math.floor(r() * list.length)];
const ofType = <T extends FlowNode['type']>(doc: FlowDocument, type: T) =>
  doc.nodes.filter((n): n is Extract<FlowNode, { type: T }> => n.type === type);
const dropEdgesOf = (doc: FlowDocument, id: string) => {
  doc.edges = doc.edges.filter((e) => e.source !== id && e.target !== id);
};

/**
 * Edits a manager can make on the canvas. They need not keep the document valid: the diff must
 * replay whatever changed. `k` makes new ids unique.
 */
const EDITS: Array<(doc: FlowDocument, r: Rand, k: number) => void> = [
  (d, r) => {
    const s = pick(r, ofType(d, 'step'));
    if (s) s.data.instructions = `${s.data.instructions} Reworded ${Math.floor(r() * 100)}.`;
  },
  (d, r, k) => {
    const s = pick(r, ofType(d, 'step'));
    const at = s ? Math.floor(r() * (s.data.checklist.length + 1)) : 0;
    s?.data.checklist.splice(at, 0, { id: `new${k}`, label: `New check ${k}`, required: r() < 0.5 });
  },
  (d, r) => {
    const s = pick(r, ofType(d, 'step'));
    if (s && s.data.checklist.length > 0)
      s.data.checklist.splice(Math.floor(r() * s.data.checklist.length), 1);
  },
  (d, r) => {
    const s = pick(r, ofType(d, 'step'));
    s?.data.checklist.reverse();
    if (s?.data.checklist[0]) s.data.checklist[0].required = !s.data.checklist[0].required;
  },
  (d, r) => {
    const s = pick(r, ofType(d, 'step'));
    if (s) s.data.slaMinutes = r() < 0.3 ? null : 1 + Math.floor(r() * 1000);
  },
  (d, r) => {
    const b = pick(
      r,
      ofType(d, 'decision').flatMap((n) => n.data.branches),
    );
    if (b)
      b.condition = {
        kind: 'group',
        combinator: r() < 0.5 ? 'all' : 'any',
        rules: [
          { kind: 'comparison', field: 'priority', operator: 'equals', value: r() < 0.5 ? 'high' : 'low' },
        ],
      };
  },
  (d, r) => {
    const b = pick(r, ofType(d, 'decision'));
    b?.data.branches.reverse();
    if (b?.data.branches[0]) b.data.branches[0].label = 'Renamed branch';
  },
  (d, r) => {
    const o = pick(
      r,
      ofType(d, 'step').flatMap((n) => n.data.outcomes),
    );
    if (o) o.label = `${o.label} (renamed)`;
  },
  (d, r, k) => {
    const s = pick(r, ofType(d, 'step'));
    if (!s) return;
    s.data.outcomes.splice(Math.floor(r() * (s.data.outcomes.length + 1)), 0, {
      id: `o${k}`,
      label: `Outcome ${k}`,
    });
    d.edges.push({ id: `eo${k}`, source: s.id, sourceHandle: `outcome:o${k}`, target: 'end' });
  },
  (d, r) => {
    const s = pick(r, ofType(d, 'step'));
    const o = s?.data.outcomes.shift();
    if (s && o) d.edges = d.edges.filter((e) => !(e.source === s.id && e.sourceHandle === `outcome:${o.id}`));
  },
  (d, r) => {
    const e = pick(r, d.edges);
    const n = pick(r, d.nodes);
    if (e && n) e.target = n.id;
  },
  (d, r) => {
    const e = pick(r, d.edges);
    if (e) e.sourceHandle = r() < 0.5 ? 'sla_breach' : 'next';
  },
  (d, r, k) => {
    const from = pick(r, d.nodes);
    d.nodes.push({
      id: `added${k}`,
      type: 'step',
      position: { x: Math.floor(r() * 2000), y: Math.floor(r() * 2000) },
      data: {
        title: `Added ${k}`,
        instructions: 'New.',
        checklist: [],
        form: [{ key: `f${k}`, label: 'F', type: 'text', required: false }],
        teamId: 'team-billing',
        slaMinutes: 30,
        outcomes: [{ id: 'done', label: 'Done' }],
      },
    });
    if (from)
      d.edges.push({ id: `ea${k}`, source: `added${k}`, sourceHandle: 'outcome:done', target: from.id });
  },
  (d, r) => {
    const victim = pick(
      r,
      d.nodes.filter((n) => n.type !== 'start'),
    );
    if (!victim) return;
    d.nodes = d.nodes.filter((n) => n !== victim);
    dropEdgesOf(d, victim.id);
  },
  (d, r) => {
    const n = pick(r, d.nodes);
    if (n) n.position = { x: n.position.x + Math.floor(r() * 500) - 250, y: n.position.y + 40 };
  },
  (d, r) => {
    // Change a node's type, keeping its id and position.
    const at = Math.floor(r() * d.nodes.length);
    const old = d.nodes[at];
    if (!old || old.type === 'start') return;
    d.nodes[at] =
      old.type === 'action'
        ? {
            id: old.id,
            type: 'wait',
            position: old.position,
            data: { label: 'Now a wait', mode: 'reply', minutes: 60 },
          }
        : {
            id: old.id,
            type: 'action',
            position: old.position,
            data: { label: 'Now an action', ops: [{ op: 'add_tag', tag: 'x' }] },
          };
  },
  (d, r) => {
    const a = pick(r, ofType(d, 'action'));
    if (!a) return;
    const roll = r();
    if (roll < 0.25) a.data.ops.push({ op: 'send_message', template: 'Hi {{customer.name}}.' });
    else if (roll < 0.5) a.data.ops.splice(Math.floor(r() * a.data.ops.length));
    else if (roll < 0.75) a.data.ops[0] = { op: 'webhook', url: 'https://example.com/x' };
    else a.data.ops.reverse();
  },
  (d, r, k) => {
    const roll = r();
    if (roll < 0.3)
      d.notes.push({ id: `note${k}`, position: { x: k, y: -100 }, text: `Note ${k}`, width: 200 });
    else if (d.notes[0] && roll < 0.6) d.notes[0].text = `Edited ${k}`;
    else if (d.notes[0] && roll < 0.8) d.notes[0].position = { x: -5, y: -5 };
    else d.notes.pop();
  },
  (d, r, k) => {
    const roll = r();
    if (roll < 0.3) d.fields.push({ key: `custom${k}`, label: `Custom ${k}`, type: 'number' });
    else if (d.fields[0] && roll < 0.6) d.fields[0].options = ['A', 'B'];
    else if (d.fields[0] && roll < 0.8) delete d.fields[0].options;
    else d.fields.shift();
  },
  (d, r, k) => {
    const s = pick(r, ofType(d, 'step'));
    if (!s) return;
    const roll = r();
    if (roll < 0.4) s.data.form.unshift({ key: `g${k}`, label: `G ${k}`, type: 'date', required: true });
    else if (roll < 0.7 && s.data.form[0]) s.data.form[0].required = !s.data.form[0].required;
    else s.data.form.pop();
  },
  (d, r) => {
    const s = d.nodes.find((n) => n.type === 'start');
    if (s?.type === 'start') {
      s.data.trigger.channels = r() < 0.5 ? ['email'] : [];
      s.data.trigger.mode = r() < 0.5 ? 'manual' : 'auto';
    }
  },
  (d, r) => {
    const e = pick(r, ofType(d, 'end'));
    if (e) {
      e.data.feedback = !e.data.feedback;
      e.data.status = 'transferred';
    }
  },
  (d, r) => {
    const w = pick(r, ofType(d, 'wait'));
    if (w) w.data.minutes = r() < 0.5 ? null : 90;
  },
];

const sortBy = <T>(list: readonly T[], key: (x: T) => string) =>
  [...list].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));

/** The document with its top-level arrays in id order (their order means nothing). */
function normalize(doc: FlowDocument): FlowDocument {
  return {
    ...doc,
    nodes: sortBy(doc.nodes, (n) => n.id),
    edges: sortBy(doc.edges, (e) => e.id),
    notes: sortBy(doc.notes, (n) => n.id),
    fields: sortBy(doc.fields, (f) => f.key),
  };
}

/** `after` with the positions `before` gives its nodes and notes. */
function withLayoutOf(before: FlowDocument, after: FlowDocument): FlowDocument {
  const at = new Map([...before.nodes, ...before.notes].map((x) => [x.id, x.position]));
  return {
    ...after,
    nodes: after.nodes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })),
    notes: after.notes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })),
  };
}

const docArb = fc
  .record({ nodeCount: fc.integer({ min: 5, max: 40 }), seed: fc.integer() })
  .map(({ nodeCount, seed }) => {
    const doc = generateFlow(nodeCount, seed);
    doc.notes.push({ id: 'note-a', position: { x: 0, y: -300 }, text: 'A note' });
    return doc;
  });
const editsArb = fc.array(fc.tuple(fc.nat(EDITS.length - 1), fc.nat()), { minLength: 1, maxLength: 8 });

function applyEdits(doc: FlowDocument, edits: Array<[number, number]>): FlowDocument {
  const copy = structuredClone(doc);
  edits.forEach(([which, seed], k) => {
    EDITS[which]!(copy, seededRandom(seed), k);
  });
  return copy;
}

function allChanges(diff: FlowDiff) {
  return [
    ...diff.nodes.changed.flatMap((c) => c.changes),
    ...diff.edges.changed.flatMap((c) => c.changes),
    ...diff.notes.changed.flatMap((c) => c.changes),
    ...diff.fields.changed.flatMap((c) => c.changes),
  ];
}

describe('diffDocuments (properties)', () => {
  it('finds nothing between a document and a copy of itself', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        expect(diffDocuments(doc, structuredClone(doc)).isEmpty).toBe(true);
      }),
    );
  });

  it('replays random edits: applyDiff(a, diff(a, b)) is b with the layout of a', () => {
    fc.assert(
      fc.property(docArb, editsArb, (a, edits) => {
        // Given a valid document and a random edit of it
        const b = applyEdits(a, edits);
        // When the diff is replayed on the original
        const result = applyDiff(a, diffDocuments(a, b));
        // Then it is the edit, laid out as the original
        expect(normalize(result)).toEqual(normalize(withLayoutOf(a, b)));
      }),
      { numRuns: 300 },
    );
  });

  it('replays between two unrelated documents (shared ids, different types and contents)', () => {
    fc.assert(
      fc.property(docArb, docArb, (a, b) => {
        expect(normalize(applyDiff(a, diffDocuments(a, b)))).toEqual(normalize(withLayoutOf(a, b)));
      }),
    );
  });

  it('keeps moves apart: moving nodes and notes only changes nothing but `moved`', () => {
    fc.assert(
      fc.property(docArb, fc.integer({ min: 1, max: 500 }), (a, shift) => {
        const b = structuredClone(a);
        for (const n of [...b.nodes, ...b.notes]) n.position = { x: n.position.x + shift, y: n.position.y };
        const diff = diffDocuments(a, b);
        expect(diff.nodes.changed).toEqual([]);
        expect(diff.notes.changed).toEqual([]);
        expect(diff.nodes.moved).toHaveLength(a.nodes.length);
        expect(diff.isEmpty).toBe(false);
      }),
    );
  });

  it('never throws, and describes every change it reports, whatever it is given', () => {
    const junk = fc.oneof(
      fc.anything(),
      docArb,
      fc.record({
        nodes: fc.array(fc.oneof(fc.anything(), fc.record({ id: fc.string(), data: fc.anything() }))),
        edges: fc.anything(),
        fields: fc.array(fc.record({ key: fc.string(), label: fc.anything() })),
      }),
    );
    fc.assert(
      fc.property(junk, junk, (a, b) => {
        const diff = diffDocuments(a as FlowDocument, b as FlowDocument);
        for (const change of allChanges(diff)) expect(typeof describeChange(change)).toBe('string');
        applyDiff(a as FlowDocument, diff);
      }),
      { numRuns: 300 },
    );
  });
});
