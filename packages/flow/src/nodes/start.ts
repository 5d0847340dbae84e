import { z } from 'zod';
import {
  Channel,
  CHANNELS,
  Label,
  LIMITS,
  nodeBase,
  Priority,
  PRIORITIES,
  Tier,
  TIERS,
} from '../schemaBase.ts';
import { defineKind } from './kind.ts';

export const StartTrigger = z.strictObject({
  /** `auto`: tickets whose attributes pass the filters enter; `manual`: an agent starts it by hand. */
  mode: z.enum(['auto', 'manual']),
  /** Empty list = any. */
  channels: z.array(Channel).max(CHANNELS.length),
  categories: z.array(Label).max(LIMITS.maxListItems),
  priorities: z.array(Priority).max(PRIORITIES.length),
  tiers: z.array(Tier).max(TIERS.length),
});
export type StartTrigger = z.infer<typeof StartTrigger>;

export const StartNode = z.strictObject({
  ...nodeBase,
  type: z.literal('start'),
  data: z.strictObject({ label: Label, trigger: StartTrigger }),
});
export type StartNode = z.infer<typeof StartNode>;

/** Where tickets enter the flow: its trigger says which tickets do. */
export const startKind = defineKind(StartNode, {
  nameKey: 'label',
  words: {
    label: 'Start',
    description: 'Which tickets enter the flow',
    properties: { trigger: 'Trigger' },
  },
  defaults: () => ({
    label: 'New ticket',
    trigger: { mode: 'auto', channels: [], categories: [], priorities: [], tiers: [] },
  }),
  outputs: [{ handle: 'next', label: 'Next' }],
  automatic: true,
  entry: true,
  enter: () => ({ follow: 'next' }),
});
