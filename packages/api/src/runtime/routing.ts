import {
  describeTrigger,
  explainRoute,
  firstPublishOrder,
  isCatchAll,
  type RouteExplanation,
  type RoutingFlow,
  type RoutingTicket,
  type Shadowing,
  shadowingOf,
  type StartTrigger,
  startTriggerOf,
} from '@stepwise/flow';
import { refuse } from './runtimeError.ts';
import type { Query } from './sql.ts';
import type { VersionCache } from './versionCache.ts';

/** A flow in route order, with its active version (the one whose start filters intake reads). */
export type OrderedFlow = RoutingFlow & {
  routeOrder: number;
  activeVersion: { id: string; number: number } | null;
};

/**
 * The organization's flows (archived ones excluded) in the order intake tries them: route order, then
 * name, then id, as intake sorts them, each with its active version's start trigger (read through the
 * version cache, as intake does).
 */
export async function readRouteOrder(
  query: Query,
  cache: VersionCache,
  orgId: string,
): Promise<OrderedFlow[]> {
  const rows = await query<{
    id: string;
    name: string;
    route_order: number;
    active_version_id: string | null;
  }>(
    `SELECT id, name, route_order, active_version_id FROM flows
      WHERE org_id = $1::uuid AND archived_at IS NULL
      ORDER BY route_order, name, id`,
    [orgId],
  );
  const out: OrderedFlow[] = [];
  for (const row of rows) {
    const version = row.active_version_id ? await cache.get(query, orgId, row.active_version_id) : null;
    out.push({
      id: row.id,
      name: row.name,
      routeOrder: row.route_order,
      trigger: version ? startTriggerOf(version.document) : null,
      activeVersion: version ? { id: version.id, number: version.number } : null,
    });
  }
  return out;
}

/** A flow on the Routing page. */
export type RoutingEntry = {
  id: string;
  name: string;
  /** 1-based place in the order intake tries flows in. */
  position: number;
  activeVersion: { id: string; number: number } | null;
  trigger: StartTrigger | null;
  /** The start filters in words ("phone tickets", "every ticket", "started by hand only", "not published"). */
  filters: string;
  catchAll: boolean;
  shadowing: Shadowing | null;
};

function entriesOf(order: readonly OrderedFlow[]): RoutingEntry[] {
  return order.map((flow, index) => ({
    id: flow.id,
    name: flow.name,
    position: index + 1,
    activeVersion: flow.activeVersion,
    trigger: flow.trigger,
    filters: flow.trigger ? describeTrigger(flow.trigger) : 'not published',
    catchAll: flow.trigger !== null && isCatchAll(flow.trigger),
    shadowing: shadowingOf(order, index),
  }));
}

/** The flows in the order intake tries them, with their filters in words and shadowing. */
export async function routingOverview(
  query: Query,
  cache: VersionCache,
  orgId: string,
): Promise<RoutingEntry[]> {
  return entriesOf(await readRouteOrder(query, cache, orgId));
}

/** Which flow intake would start a ticket with these attributes on, and why each earlier flow did not. */
export async function explainTicketRoute(
  query: Query,
  cache: VersionCache,
  orgId: string,
  ticket: RoutingTicket,
): Promise<RouteExplanation> {
  return explainRoute(await readRouteOrder(query, cache, orgId), {
    ...ticket,
    category: ticket.category.trim(),
  });
}

/** What publishing a draft with `trigger` would mean for routing (the publish dialog's check). */
export type PublishPreview = {
  /** 1-based place the flow will have once published. */
  position: number;
  /** The draft's start filters in words. */
  filters: string;
  /** True when this first publish moves the flow before the first catch-all. */
  movesBeforeCatchAll: boolean;
  /** The whole order as it will be after publishing (flow ids, first to last). */
  order: string[];
  shadowing: Shadowing | null;
};

/**
 * The draft's routing as it will be once published: on a first publish the flow takes the place the
 * default order gives it (before the first catch-all, when it has start filters), then its draft trigger
 * replaces the active one and shadowing is checked there. NOT_FOUND for a flow outside the organization.
 */
export async function previewPublish(
  query: Query,
  cache: VersionCache,
  orgId: string,
  flowId: string,
  trigger: StartTrigger,
): Promise<PublishPreview> {
  const current = await readRouteOrder(query, cache, orgId);
  const flow = current.find((f) => f.id === flowId);
  if (!flow) refuse('not_found', 'This flow does not exist in your organization.');
  const placed = flow.activeVersion === null ? firstPublishOrder(current, flowId, trigger) : null;
  const order = placed ? placed.map((id) => current.find((f) => f.id === id) as OrderedFlow) : [...current];
  const projected = order.map((f) => (f.id === flowId ? { ...f, trigger } : f));
  const index = projected.findIndex((f) => f.id === flowId);
  return {
    position: index + 1,
    filters: describeTrigger(trigger),
    movesBeforeCatchAll: placed !== null,
    order: projected.map((f) => f.id),
    shadowing: shadowingOf(projected, index),
  };
}
