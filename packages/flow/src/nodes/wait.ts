import { z } from 'zod';
import { Label, nodeBase } from '../schemaBase.ts';
import { defineKind } from './kind.ts';

const MINUTE = 60_000;

export const WaitNode = z.strictObject({
  ...nodeBase,
  type: z.literal('wait'),
  data: z.strictObject({
    label: Label,
    /** `reply`: until the customer replies (timeout output after `timeoutMinutes`, if set); `duration`: for N minutes. */
    mode: z.enum(['reply', 'duration']),
    minutes: z.number().int().positive().max(525_600).nullable(),
  }),
});
export type WaitNode = z.infer<typeof WaitNode>;

const timesOut = (node: WaitNode) => node.data.mode === 'reply' && node.data.minutes !== null;

/** Waits for the customer's reply (with an optional timeout) or for a duration. */
export const waitKind = defineKind(WaitNode, {
  nameKey: 'label',
  words: {
    label: 'Wait',
    description: 'For a reply or a duration',
    properties: { mode: 'Wait mode', minutes: 'Wait (minutes)' },
  },
  defaults: () => ({ label: 'Wait for the customer', mode: 'reply', minutes: null }),
  outputs: [
    { handle: 'next', label: 'Next' },
    { handle: 'timeout', label: 'Timeout', when: timesOut },
  ],
  automatic: false,
  waitsAs: 'waiting',
  enter(node, ctx) {
    ctx.state.status = 'waiting';
    const minutes = node.data.minutes;
    if (node.data.mode === 'duration') {
      if (minutes === null) {
        return {
          incomplete: {
            problem: `${ctx.name} waits for a duration but has no minutes`,
            fix: 'set them in the flow.',
          },
        };
      }
      ctx.effect({
        type: 'schedule_timer',
        kind: 'wait',
        nodeId: node.id,
        dueAt: ctx.now + minutes * MINUTE,
      });
    } else if (minutes !== null) {
      ctx.effect({
        type: 'schedule_timer',
        kind: 'timeout',
        nodeId: node.id,
        dueAt: ctx.now + minutes * MINUTE,
      });
    }
    return { stop: true };
  },
  validate(node, report, name) {
    if (node.data.mode === 'duration' && node.data.minutes === null) {
      report(
        'WAIT_WITHOUT_DURATION',
        `${name} waits for a duration but has no minutes: set how long to wait.`,
      );
    }
  },
});
