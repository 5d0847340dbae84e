/**
 * Routing by start filters, as data: which flow takes a new ticket, why the flows before it did not,
 * the filters in words, and which flows can never start because earlier flows take every ticket they
 * would. Intake (the server) and the Routing page's tester use the same `triggerMatches`, so what the
 * page predicts is what intake does.
 *
 * Pure: no clock, no IO.
 */
import {
  CHANNELS,
  type Channel,
  type FlowDocument,
  PRIORITIES,
  type Priority,
  type StartTrigger,
  TIERS,
  type Tier,
} from './schema.ts';

/** The attributes of a ticket that start filters read. */
export type RoutingTicket = {
  channel: Channel;
  /** Free text; compared trimmed and case-insensitively. */
  category: string;
  priority: Priority;
  tier: Tier;
};

/** A flow as intake sees it, in route order. */
export type RoutingFlow = {
  id: string;
  name: string;
  /** The start trigger of the flow's active version; null when the flow has no published version. */
  trigger: StartTrigger | null;
};

/** One of the four start filters. */
export type RoutingFilter = 'channel' | 'category' | 'priority' | 'tier';

/** Why a flow did not take a ticket. */
export type RouteMiss =
  | { code: 'not_published'; text: string }
  | { code: 'manual'; text: string }
  | { code: 'filters'; text: string; failed: Array<{ filter: RoutingFilter; text: string }> };

/** The answer to "which flow takes this ticket?". */
export type RouteExplanation = {
  /** The flow that takes the ticket (position is 1-based in the order), or null: it stays unrouted. */
  taken: { id: string; name: string; position: number } | null;
  /** Every flow tried before it (all flows when none takes it), with the reason it did not. */
  passed: Array<{ id: string; name: string; position: number; miss: RouteMiss }>;
};

/** A flow that can never start: earlier flows take every ticket its filters accept. */
export type Shadowing = {
  /** The earlier flows that take its tickets, in route order. */
  coveredBy: Array<{ id: string; name: string }>;
  /** The earliest of them: moving the flow right before it lets the flow take its tickets. */
  moveBefore: { id: string; name: string };
  /** E.g. "Ticket resolution, earlier in the order, takes every phone ticket". */
  sentence: string;
};

/** The start trigger of a document's start node (null without one). */
export function startTriggerOf(document: FlowDocument): StartTrigger | null {
  const start = document.nodes.find((n) => n.type === 'start');
  return start?.type === 'start' ? start.data.trigger : null;
}

const TIER_WORDS: Record<Tier, string> = { new: 'new', existing: 'existing', vip: 'VIP' };

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A category as compared: trimmed, lower case. */
export function normalizeCategory(category: string): string {
  return category.trim().toLowerCase();
}

/** Listed values in their canonical order (the schema's), without duplicates. */
function ordered<T extends string>(all: readonly T[], listed: readonly T[]): T[] {
  return all.filter((v) => listed.includes(v));
}

/** The listed categories without duplicates (compared normalized), as first written. */
function uniqueCategories(categories: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of categories) {
    const key = normalizeCategory(c);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c.trim());
  }
  return out;
}

/** Whether the trigger is automatic and names at least one filter. */
export function hasStartFilters(trigger: StartTrigger): boolean {
  return (
    trigger.mode === 'auto' &&
    (trigger.channels.length > 0 ||
      trigger.categories.length > 0 ||
      trigger.priorities.length > 0 ||
      trigger.tiers.length > 0)
  );
}

/** Whether the trigger is automatic with no filter: it takes every ticket that reaches it. */
export function isCatchAll(trigger: StartTrigger): boolean {
  return trigger.mode === 'auto' && !hasStartFilters(trigger);
}

function qualifiers(trigger: StartTrigger): { channels: string; rest: string } {
  const channels = orList(ordered(CHANNELS, trigger.channels));
  const parts: string[] = [];
  const categories = uniqueCategories(trigger.categories);
  const category = categories.length > 0 ? ` in category ${orList(categories)}` : '';
  if (trigger.priorities.length > 0)
    parts.push(`priority ${orList(ordered(PRIORITIES, trigger.priorities))}`);
  if (trigger.tiers.length > 0)
    parts.push(`${orList(ordered(TIERS, trigger.tiers).map((t) => TIER_WORDS[t]))} customers`);
  return { channels, rest: category + parts.map((p) => `, ${p}`).join('') };
}

/**
 * A trigger's filters in words: "phone tickets", "email or chat tickets in category billing, priority
 * high or urgent, VIP customers", "every ticket" for a catch-all, "started by hand only" for a manual
 * start.
 */
export function describeTrigger(trigger: StartTrigger): string {
  if (trigger.mode === 'manual') return 'started by hand only';
  if (isCatchAll(trigger)) return 'every ticket';
  const { channels, rest } = qualifiers(trigger);
  return `${channels === '' ? 'tickets' : `${channels} tickets`}${rest}`;
}

/** The tickets a trigger accepts, after "every": "phone ticket", "ticket in category refund". */
function everyTicket(trigger: StartTrigger): string {
  if (isCatchAll(trigger)) return 'every ticket';
  const { channels, rest } = qualifiers(trigger);
  return `every ${channels === '' ? 'ticket' : `${channels} ticket`}${rest}`;
}

function accepts<T extends string>(list: readonly T[], value: T): boolean {
  return list.length === 0 || list.includes(value);
}

function acceptsCategory(list: readonly string[], category: string): boolean {
  if (list.length === 0) return true;
  const wanted = normalizeCategory(category);
  return list.some((c) => normalizeCategory(c) === wanted);
}

/**
 * Whether a start trigger takes a ticket: the start is automatic and every non-empty filter lists the
 * ticket's value (an empty filter accepts any value; categories compare trimmed, case-insensitively).
 * Intake routes with this function.
 */
export function triggerMatches(trigger: StartTrigger, ticket: RoutingTicket): boolean {
  return (
    trigger.mode === 'auto' &&
    accepts(trigger.channels, ticket.channel) &&
    acceptsCategory(trigger.categories, ticket.category) &&
    accepts(trigger.priorities, ticket.priority) &&
    accepts(trigger.tiers, ticket.tier)
  );
}

/** Why `flow` does not take `ticket`, or null when it does. */
export function routeMiss(flow: RoutingFlow, ticket: RoutingTicket): RouteMiss | null {
  const trigger = flow.trigger;
  if (trigger === null) return { code: 'not_published', text: 'not published' };
  if (trigger.mode === 'manual') return { code: 'manual', text: 'started by hand' };
  const failed: Array<{ filter: RoutingFilter; text: string }> = [];
  if (!accepts(trigger.channels, ticket.channel)) {
    failed.push({
      filter: 'channel',
      text: `takes only ${orList(ordered(CHANNELS, trigger.channels))} tickets, not ${ticket.channel}`,
    });
  }
  if (!acceptsCategory(trigger.categories, ticket.category)) {
    const category = ticket.category.trim();
    failed.push({
      filter: 'category',
      text: `takes only category ${orList(uniqueCategories(trigger.categories))}, not ${category === '' ? 'a ticket without a category' : `“${category}”`}`,
    });
  }
  if (!accepts(trigger.priorities, ticket.priority)) {
    failed.push({
      filter: 'priority',
      text: `takes only priority ${orList(ordered(PRIORITIES, trigger.priorities))}, not ${ticket.priority}`,
    });
  }
  if (!accepts(trigger.tiers, ticket.tier)) {
    failed.push({
      filter: 'tier',
      text: `takes only ${orList(ordered(TIERS, trigger.tiers).map((t) => TIER_WORDS[t]))} customers, not ${TIER_WORDS[ticket.tier]} customers`,
    });
  }
  if (failed.length === 0) return null;
  return { code: 'filters', text: failed.map((f) => f.text).join('; '), failed };
}

/**
 * Which flow takes `ticket` when intake tries `flows` in order (the first whose trigger matches), and
 * for every flow before it why it did not: "not published", "started by hand", or the filters that
 * failed. With no taker, every flow is listed and the ticket waits unrouted.
 */
export function explainRoute(flows: readonly RoutingFlow[], ticket: RoutingTicket): RouteExplanation {
  const passed: RouteExplanation['passed'] = [];
  for (const [index, flow] of flows.entries()) {
    const position = index + 1;
    const miss = routeMiss(flow, ticket);
    if (miss === null) return { taken: { id: flow.id, name: flow.name, position }, passed };
    passed.push({ id: flow.id, name: flow.name, position, miss });
  }
  return { taken: null, passed };
}

/**
 * Whether the flow at `index` can never start because the flows before it take every ticket its
 * filters accept, alone or together; null when it can start (or is manual or unpublished: intake never
 * routes to it by filters).
 *
 * Channel × priority × tier is finite and checked cell by cell. Categories are free text: a flow that
 * accepts any category is covered in a cell only by an earlier flow that also accepts any category
 * there (no list of categories exhausts free text); a listed set of categories is covered when each
 * listed category is. For every (cell, category) the first earlier flow that takes it is a coverer;
 * the earliest coverer is the flow to move before.
 */
export function shadowingOf(flows: readonly RoutingFlow[], index: number): Shadowing | null {
  const flow = flows[index];
  const trigger = flow?.trigger;
  if (!flow || !trigger || trigger.mode !== 'auto') return null;
  const earlier = flows
    .slice(0, index)
    .flatMap((f, position) =>
      f.trigger?.mode === 'auto' ? [{ flow: f, trigger: f.trigger, position }] : [],
    );
  if (earlier.length === 0) return null;
  const channels = trigger.channels.length > 0 ? trigger.channels : CHANNELS;
  const priorities = trigger.priorities.length > 0 ? trigger.priorities : PRIORITIES;
  const tiers = trigger.tiers.length > 0 ? trigger.tiers : TIERS;
  // null: any category (only an earlier flow accepting any category covers it)
  const categories: Array<string | null> =
    trigger.categories.length > 0 ? uniqueCategories(trigger.categories).map(normalizeCategory) : [null];
  const covering = new Set<number>();
  for (const category of categories) {
    for (const channel of channels) {
      for (const priority of priorities) {
        for (const tier of tiers) {
          const first = earlier.find(
            ({ trigger: t }) =>
              accepts(t.channels, channel) &&
              accepts(t.priorities, priority) &&
              accepts(t.tiers, tier) &&
              (category === null ? t.categories.length === 0 : acceptsCategory(t.categories, category)),
          );
          if (!first) return null;
          covering.add(first.position);
        }
      }
    }
  }
  const coveredBy = earlier
    .filter((e) => covering.has(e.position))
    .map(({ flow: f }) => ({ id: f.id, name: f.name }));
  const [moveBefore] = coveredBy;
  if (!moveBefore) return null;
  const names = andList(coveredBy.map((c) => c.name));
  const sentence =
    coveredBy.length === 1
      ? `${names}, earlier in the order, takes ${everyTicket(trigger)}`
      : `${names}, earlier in the order, take ${everyTicket(trigger)} between them`;
  return { coveredBy, moveBefore, sentence };
}

/**
 * Where a flow goes when it is first published with `trigger`: a flow with start filters goes right
 * before the first catch-all (a published automatic start without filters) that precedes it, so
 * catch-alls stay last. Returns the new order of every flow id, or null when the order stays (no
 * filters, no catch-all before it). `flows` is the whole order, the flow included.
 */
export function firstPublishOrder(
  flows: readonly RoutingFlow[],
  flowId: string,
  trigger: StartTrigger,
): string[] | null {
  if (!hasStartFilters(trigger)) return null;
  const index = flows.findIndex((f) => f.id === flowId);
  if (index < 0) return null;
  const catchAll = flows.findIndex((f, i) => i !== index && f.trigger !== null && isCatchAll(f.trigger));
  if (catchAll < 0 || catchAll > index) return null;
  const ids = flows.map((f) => f.id);
  ids.splice(index, 1);
  ids.splice(catchAll, 0, flowId);
  return ids;
}

/** The order with `flowId` moved right before `beforeId` (both must be in it; else unchanged). */
export function moveBefore(flowIds: readonly string[], flowId: string, beforeId: string): string[] {
  if (flowId === beforeId || !flowIds.includes(flowId) || !flowIds.includes(beforeId)) return [...flowIds];
  const rest = flowIds.filter((id) => id !== flowId);
  rest.splice(rest.indexOf(beforeId), 0, flowId);
  return rest;
}
