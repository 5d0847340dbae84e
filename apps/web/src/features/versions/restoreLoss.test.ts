import { CURRENT_SCHEMA_VERSION, type FlowDocument, type FlowNode } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { restoreLossSentence } from './restoreLoss.ts';

function step(id: string, title: string, at = { x: 0, y: 0 }, instructions = 'Do the work.'): FlowNode {
  return {
    id,
    type: 'step',
    position: at,
    data: {
      title,
      instructions,
      checklist: [],
      form: [],
      teamId: null,
      slaMinutes: 60,
      outcomes: [{ id: 'done', label: 'Done' }],
    },
  };
}

const start: FlowNode = {
  id: 'start',
  type: 'start',
  position: { x: 0, y: 0 },
  data: {
    label: 'New ticket',
    trigger: { mode: 'auto', channels: [], categories: [], priorities: [], tiers: [] },
  },
};
const end: FlowNode = {
  id: 'end',
  type: 'end',
  position: { x: 0, y: 400 },
  data: { label: 'Done', status: 'resolved', feedback: false },
};

function doc(nodes: FlowNode[], edges: FlowDocument['edges']): FlowDocument {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, fields: [], nodes, edges, notes: [] };
}

const v1 = doc(
  [start, step('refund', 'Refund approved'), end],
  [
    { id: 'e1', source: 'start', sourceHandle: 'out', target: 'refund' },
    { id: 'e2', source: 'refund', sourceHandle: 'outcome:done', target: 'end' },
  ],
);
const v2 = doc(
  [start, step('refund', 'Refund approved', { x: 0, y: 0 }, 'Pay it back.'), end],
  [
    { id: 'e1', source: 'start', sourceHandle: 'out', target: 'refund' },
    { id: 'e2', source: 'refund', sourceHandle: 'outcome:done', target: 'end' },
  ],
);

describe('restoreLossSentence', () => {
  it('given a draft with a step added, one changed and an edge removed, when restoring v1, then it names what is lost', () => {
    // given: the latest version is v2; the draft adds "Verify identity", changes "Refund approved"
    // (other instructions) and drops the edge to the end
    const draft = doc(
      [
        start,
        step('verify', 'Verify identity', { x: 200, y: 0 }),
        step('refund', 'Refund approved', { x: 0, y: 0 }, 'Check the receipt, then pay.'),
        end,
      ],
      [{ id: 'e1', source: 'start', sourceHandle: 'out', target: 'refund' }],
    );
    // when
    const sentence = restoreLossSentence({
      draft,
      latest: { number: 2, document: v2 },
      restoring: { number: 1, document: v1 },
    });
    // then
    expect(sentence).toBe(
      'Your draft has 3 unpublished changes that restoring v1 will discard: Verify identity added, Refund approved changed, 1 edge removed.',
    );
  });

  it('given a draft equal to the latest version, when restoring an older one, then nothing is asked', () => {
    expect(
      restoreLossSentence({
        draft: v2,
        latest: { number: 2, document: v2 },
        restoring: { number: 1, document: v1 },
      }),
    ).toBeNull();
  });

  it('given a draft that is already the version being restored, then nothing is lost', () => {
    expect(
      restoreLossSentence({
        draft: v1,
        latest: { number: 2, document: v2 },
        restoring: { number: 1, document: v1 },
      }),
    ).toBeNull();
  });

  it('given a draft moved on the canvas only, then the sentence says the layout is lost', () => {
    const moved = doc(
      [start, step('refund', 'Refund approved', { x: 300, y: 40 }, 'Pay it back.'), end],
      v2.edges,
    );
    expect(
      restoreLossSentence({
        draft: moved,
        latest: { number: 2, document: v2 },
        restoring: { number: 1, document: v1 },
      }),
    ).toBe('Your draft has 1 unpublished change that restoring v1 will discard: 1 item moved on the canvas.');
  });

  it('given a flow never published, then all of the draft is unpublished', () => {
    expect(restoreLossSentence({ draft: v2, latest: null, restoring: { number: 1, document: v1 } })).toBe(
      'Your draft has never been published: restoring v1 will replace all of it.',
    );
  });
});
