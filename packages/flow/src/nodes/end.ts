import { z } from 'zod';
import { END_STATUSES, Label, nodeBase } from '../schemaBase.ts';
import { defineKind } from './kind.ts';

export const EndNode = z.strictObject({
  ...nodeBase,
  type: z.literal('end'),
  data: z.strictObject({ label: Label, status: z.enum(END_STATUSES), feedback: z.boolean() }),
});
export type EndNode = z.infer<typeof EndNode>;

/** Closes the ticket with a status, optionally asking the customer for feedback. */
export const endKind = defineKind(EndNode, {
  nameKey: 'label',
  words: {
    label: 'End',
    description: 'Close with a status, ask for feedback',
    properties: { status: 'End status', feedback: 'Asks for feedback' },
  },
  defaults: () => ({ label: 'Resolved', status: 'resolved', feedback: false }),
  outputs: [],
  automatic: false,
  terminal: true,
  enter(node, ctx) {
    ctx.state.status = 'ended';
    ctx.state.endStatus = node.data.status;
    ctx.record({ type: 'ended', nodeId: node.id, status: node.data.status });
    if (node.data.feedback) ctx.effect({ type: 'request_feedback' });
    return { stop: true };
  },
});
