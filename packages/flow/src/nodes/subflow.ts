import { z } from 'zod';
import { Id, Label, nodeBase } from '../schemaBase.ts';
import { defineKind } from './kind.ts';

export const SubflowNode = z.strictObject({
  ...nodeBase,
  type: z.literal('subflow'),
  data: z.strictObject({ label: Label, flowId: Id.nullable() }),
});
export type SubflowNode = z.infer<typeof SubflowNode>;

/** Runs another published flow; the ticket continues on `next` when the child flow ends. */
export const subflowKind = defineKind(SubflowNode, {
  nameKey: 'label',
  words: {
    label: 'Subflow',
    description: 'Run another published flow',
    properties: { flowId: 'Subflow' },
  },
  defaults: () => ({ label: 'Run another flow', flowId: null }),
  outputs: [{ handle: 'next', label: 'Next' }],
  automatic: true,
  waitsAs: 'in_subflow',
  enter(node, ctx) {
    ctx.state.status = 'in_subflow';
    if (node.data.flowId === null || node.data.flowId === '') {
      return {
        incomplete: {
          problem: `${ctx.name} has no flow to run`,
          fix: 'pick one in the flow, then move the ticket on by hand.',
        },
      };
    }
    ctx.effect({ type: 'start_subflow', flowId: node.data.flowId, nodeId: node.id });
    return { stop: true };
  },
  validate(node, report, name) {
    if (node.data.flowId === null || node.data.flowId === '') {
      report('SUBFLOW_WITHOUT_TARGET', `${name} has no flow to run: pick a published flow.`);
    }
  },
});
