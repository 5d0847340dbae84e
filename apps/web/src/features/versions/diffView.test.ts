import { CURRENT_SCHEMA_VERSION, diffDocuments, type FlowDocument, type FlowNode } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { changeList } from './diffView.ts';
import { condense, wordDiff } from './wordDiff.ts';

function step(instructions: string): FlowNode {
  return {
    id: 'check',
    type: 'step',
    position: { x: 0, y: 0 },
    data: {
      title: 'Check the order',
      instructions,
      checklist: [],
      form: [],
      teamId: null,
      slaMinutes: 60,
      outcomes: [{ id: 'done', label: 'Done' }],
    },
  };
}

const doc = (node: FlowNode): FlowDocument => ({
  schemaVersion: CURRENT_SCHEMA_VERSION,
  nodes: [node],
  edges: [],
  notes: [],
  fields: [],
});

describe('wordDiff', () => {
  it('given a changed word, when diffed, then only that word is removed and added, the rest kept in order', () => {
    const runs = wordDiff('Refund orders up to 50 euros.', 'Refund orders up to 80 euros.');
    expect(runs.filter((r) => r.kind !== 'same')).toEqual([
      { kind: 'removed', text: '50' },
      { kind: 'added', text: '80' },
    ]);
    expect(
      runs
        .filter((r) => r.kind !== 'added')
        .map((r) => r.text)
        .join(''),
    ).toBe('Refund orders up to 50 euros.');
    expect(
      runs
        .filter((r) => r.kind !== 'removed')
        .map((r) => r.text)
        .join(''),
    ).toBe('Refund orders up to 80 euros.');
  });
});

describe('condense', () => {
  const words = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `w${from + i}`).join(' ');

  it('given one changed word in a long text, when condensed, then 8 words of context stay on each side of it', () => {
    const from = `${words(0, 40)} old ${words(40, 80)}`;
    const to = `${words(0, 40)} new ${words(40, 80)}`;
    const text = condense(wordDiff(from, to))
      .map((r) => (r.kind === 'same' ? r.text : `[${r.kind}:${r.text}]`))
      .join('');
    expect(text).toBe(`… ${words(32, 40)} [removed:old][added:new] ${words(40, 48)} …`);
  });

  it('given a short text, when condensed, then nothing is cut', () => {
    const runs = wordDiff('Ask for a photo.', 'Ask for a photo and the receipt.');
    expect(condense(runs)).toEqual(runs);
  });
});

describe('changeList', () => {
  it("given a step's instructions changed, when listed, then the change carries both texts for a word diff", () => {
    const from = doc(step('Ask for a photo.'));
    const to = doc(step('Ask for a photo and the receipt.'));
    const { items } = changeList(from, to, diffDocuments(from, to), {});
    expect(items).toHaveLength(1);
    expect(items[0]?.texts).toEqual([
      { label: 'Instructions', from: 'Ask for a photo.', to: 'Ask for a photo and the receipt.' },
    ]);
  });

  it('given only the SLA changed, when listed, then there is no text to diff', () => {
    const from = doc(step('Same.'));
    const to = doc({
      ...step('Same.'),
      data: { ...(step('Same.').data as object), slaMinutes: 30 },
    } as FlowNode);
    const { items } = changeList(from, to, diffDocuments(from, to), {});
    expect(items[0]?.texts).toBeUndefined();
  });
});
