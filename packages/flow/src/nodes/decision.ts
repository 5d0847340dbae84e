import { z } from 'zod';
import { evaluateCondition } from '../evaluateCondition.ts';
import { ConditionGroup, Id, Label, nodeBase } from '../schemaBase.ts';
import type { TrailEntry } from '../types.ts';
import { defineKind, repeatedIds } from './kind.ts';

export const Branch = z.strictObject({ id: Id, label: Label, condition: ConditionGroup });
export type Branch = z.infer<typeof Branch>;

export const DecisionNode = z.strictObject({
  ...nodeBase,
  type: z.literal('decision'),
  data: z.strictObject({ label: Label, branches: z.array(Branch).max(50) }),
});
export type DecisionNode = z.infer<typeof DecisionNode>;

type Tried = Extract<TrailEntry, { type: 'decision_evaluated' }>['tried'];

/** Routes a ticket by its fields: the first branch whose condition matches, else the default. */
export const decisionKind = defineKind(DecisionNode, {
  nameKey: 'label',
  words: {
    label: 'Decision',
    description: 'Branch on ticket fields',
    properties: {},
  },
  defaults: () => ({
    label: 'New decision',
    branches: [
      {
        id: 'branch_1',
        label: 'Branch 1',
        condition: {
          kind: 'group',
          combinator: 'all',
          rules: [{ kind: 'comparison', field: 'priority', operator: 'equals', value: 'high' }],
        },
      },
    ],
  }),
  outputs: [
    { prefix: 'branch:', items: (node) => node.data.branches },
    {
      handle: 'default',
      label: 'Otherwise',
      quoted: '"Otherwise" (default)',
      unconnected: {
        code: 'DEFAULT_BRANCH_MISSING',
        message: (name) =>
          `${name} has no default branch connected: connect "Otherwise" to where tickets go when no branch matches.`,
      },
    },
  ],
  automatic: true,
  enter(node, ctx) {
    const tried: Tried = [];
    for (const branch of node.data.branches) {
      const result = evaluateCondition(branch.condition, ctx.state.ticket);
      tried.push({ branchId: branch.id, matched: result.matched, comparisons: result.comparisons });
      if (result.matched) {
        const handle = `branch:${branch.id}`;
        ctx.record({ type: 'decision_evaluated', nodeId: node.id, branchId: branch.id, handle, tried });
        return { follow: handle };
      }
    }
    ctx.record({ type: 'decision_evaluated', nodeId: node.id, branchId: null, handle: 'default', tried });
    return { follow: 'default' };
  },
  validate(node, report, name) {
    if (node.data.branches.length === 0) {
      report(
        'DECISION_WITHOUT_BRANCHES',
        `${name} has no branches, so every ticket takes "Otherwise": add a branch or connect straight to the next node.`,
      );
    }
    for (const id of repeatedIds(node.data.branches, (b) => b.id)) {
      report(
        'DUPLICATE_ITEM_ID',
        `${name} has more than one branch with the id "${id}": give each branch its own id.`,
      );
    }
  },
  conditions: (node) =>
    node.data.branches.map((b) => ({ where: `branch "${b.label || b.id}"`, condition: b.condition })),
});
