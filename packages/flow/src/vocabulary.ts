/**
 * The words of a ticket and a flow as plain constants, with no schema library behind them: pages that
 * only list or filter tickets (the queue, the first page an agent sees) import these from
 * `@stepwise/flow/vocabulary` and so do not load the flow document's schemas. The schemas in
 * `schemaBase.ts` are built from the same constants.
 */

export const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TIERS = ['new', 'existing', 'vip'] as const;
export const END_STATUSES = ['resolved', 'closed_unresolved', 'transferred'] as const;

export type ChannelName = (typeof CHANNELS)[number];
export type PriorityName = (typeof PRIORITIES)[number];
export type TierName = (typeof TIERS)[number];
