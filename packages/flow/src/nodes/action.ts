import { z } from 'zod';
import { readField } from '../evaluateCondition.ts';
import { fillTemplate } from '../fillTemplate.ts';
import {
  CHANNELS,
  FieldKey,
  Id,
  Label,
  nodeBase,
  PRIORITIES,
  RESERVED_KEYS,
  SafeString,
  ScalarValue,
  Text,
  TIERS,
} from '../schemaBase.ts';
import type { ActionChange, TicketData } from '../types.ts';
import { defineKind } from './kind.ts';

export const ActionOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('set_field'), field: FieldKey, value: ScalarValue }),
  z.strictObject({ op: z.literal('add_tag'), tag: Label }),
  z.strictObject({
    op: z.literal('assign'),
    teamId: Id,
    /** `team`: the team's queue; otherwise an agent of the team picked by the strategy. */
    strategy: z.enum(['team', 'round_robin', 'least_loaded']),
  }),
  /** `{{customer.name}}`-style placeholders are filled from ticket fields. */
  z.strictObject({ op: z.literal('send_message'), template: Text }),
  z.strictObject({ op: z.literal('webhook'), url: SafeString.url().max(2000) }),
]);
export type ActionOp = z.infer<typeof ActionOp>;

export const ActionNode = z.strictObject({
  ...nodeBase,
  type: z.literal('action'),
  data: z.strictObject({ label: Label, ops: z.array(ActionOp).max(50) }),
});
export type ActionNode = z.infer<typeof ActionNode>;

function includes(list: readonly string[], value: unknown): boolean {
  return typeof value === 'string' && list.includes(value);
}

/** The ticket with one field set, or null when the value does not fit the field (the op is skipped). */
function withField(ticket: TicketData, key: string, value: ScalarValue): TicketData | null {
  switch (key) {
    case 'priority':
      return includes(PRIORITIES, value) ? { ...ticket, priority: value as TicketData['priority'] } : null;
    case 'channel':
      return includes(CHANNELS, value) ? { ...ticket, channel: value as TicketData['channel'] } : null;
    case 'category':
    case 'subject':
      return typeof value === 'string' ? { ...ticket, [key]: value } : null;
    case 'customer.tier':
      return includes(TIERS, value)
        ? { ...ticket, customer: { ...ticket.customer, tier: value as TicketData['customer']['tier'] } }
        : null;
    case 'customer.name':
    case 'customer.email':
      return typeof value === 'string'
        ? { ...ticket, customer: { ...ticket.customer, [key.slice(9)]: value } }
        : null;
    case 'tags':
      // Tags are a list: add_tag adds to it; one scalar cannot replace it.
      return null;
    default:
      if (RESERVED_KEYS.has(key)) return null;
      return { ...ticket, fields: { ...ticket.fields, [key]: value } };
  }
}

/** Runs its operations in order (set fields, tag, assign, message, webhook), then goes on. */
export const actionKind = defineKind(ActionNode, {
  nameKey: 'label',
  words: {
    label: 'Action',
    description: 'Set fields, assign, message, webhook',
    properties: {},
  },
  defaults: () => ({ label: 'New action', ops: [] }),
  outputs: [{ handle: 'next', label: 'Next' }],
  automatic: true,
  enter(node, ctx) {
    const state = ctx.state;
    const done: string[] = [];
    const changes: ActionChange[] = [];
    for (const op of node.data.ops) {
      switch (op.op) {
        case 'set_field': {
          const ticket = withField(state.ticket, op.field, op.value);
          if (ticket === null) {
            done.push(`set_field ${op.field} skipped: ${JSON.stringify(op.value)} is not a valid value`);
            changes.push({ op: 'set_field', field: op.field, value: op.value, skipped: true });
            break;
          }
          state.ticket = ticket;
          ctx.effect({ type: 'set_fields', values: { [op.field]: op.value } });
          done.push(`set_field ${op.field}`);
          changes.push({ op: 'set_field', field: op.field, value: op.value });
          break;
        }
        case 'add_tag': {
          const tag = op.tag.trim();
          const tags = Array.isArray(state.ticket.tags) ? state.ticket.tags : [];
          const wanted = tag.toLowerCase();
          if (tag === '' || tags.some((t) => typeof t === 'string' && t.toLowerCase() === wanted)) {
            done.push(`add_tag ${tag} skipped: already tagged`);
            changes.push({ op: 'add_tag', tag, skipped: true });
            break;
          }
          const next = [...tags, tag];
          state.ticket = { ...state.ticket, tags: next };
          ctx.effect({ type: 'set_fields', values: { tags: next } });
          done.push(`add_tag ${tag}`);
          changes.push({ op: 'add_tag', tag });
          break;
        }
        case 'assign':
          state.teamId = op.teamId;
          state.assigneeId = null;
          ctx.effect({ type: 'assign_team', teamId: op.teamId });
          if (op.strategy !== 'team')
            ctx.effect({ type: 'assign_agent', teamId: op.teamId, strategy: op.strategy });
          done.push(`assign ${op.teamId} ${op.strategy}`);
          changes.push({ op: 'assign', teamId: op.teamId, strategy: op.strategy });
          break;
        case 'send_message': {
          const ticket = state.ticket;
          const body = fillTemplate(op.template, (key) => readField(ticket, key));
          ctx.effect({ type: 'send_message', body });
          done.push('send_message');
          changes.push({ op: 'send_message' });
          break;
        }
        case 'webhook':
          ctx.effect({ type: 'call_webhook', url: op.url, nodeId: node.id });
          done.push(`webhook ${op.url}`);
          changes.push({ op: 'webhook', url: op.url });
          break;
      }
    }
    ctx.record({ type: 'action_performed', nodeId: node.id, ops: done, changes });
    return { follow: 'next' };
  },
  setsTeam: (node) => node.data.ops.some((op) => op.op === 'assign'),
});
