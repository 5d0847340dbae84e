import { inPilot } from '@stepwise/flow';
import type { Query } from './sql.ts';
import type { CachedVersion, VersionCache } from './versionCache.ts';

/** The version fields of a flow that decide where a new ticket starts. */
export type RolloutFlow = {
  activeVersionId: string;
  pilotVersionId: string | null;
  pilotPercent: number;
};

/**
 * The version a new ticket takes: the pilot version when the flow has one and the ticket's key falls
 * in the pilot's share (`inPilot`, deterministic per key), else the active version.
 */
export function chooseVersion(flow: RolloutFlow, ticketKey: string): string {
  if (flow.pilotVersionId !== null && flow.pilotPercent > 0 && inPilot(ticketKey, flow.pilotPercent)) {
    return flow.pilotVersionId;
  }
  return flow.activeVersionId;
}

/**
 * Applies a flow's pilot to a routed ticket: the route carries the flow's pilot (read by the routing
 * query itself), and the pilot version replaces the active one when `chooseVersion` picks it.
 * `ticketKey` is the ticket's id, generated before the insert.
 */
export async function withPilot<
  R extends { version: CachedVersion; pilot: { versionId: string; percent: number } | null },
>(query: Query, cache: VersionCache, orgId: string, route: R | null, ticketKey: string): Promise<R | null> {
  if (!route?.pilot) return route;
  const chosen = chooseVersion(
    {
      activeVersionId: route.version.id,
      pilotVersionId: route.pilot.versionId,
      pilotPercent: route.pilot.percent,
    },
    ticketKey,
  );
  if (chosen === route.version.id) return route;
  // Versions are immutable and cached: a pilot version costs a read only the first time.
  const pilot = await cache.get(query, orgId, chosen);
  return pilot ? { ...route, version: pilot } : route;
}
