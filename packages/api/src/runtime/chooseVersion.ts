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
 * Applies a flow's pilot to a routed ticket: reads the flow's pilot (one indexed read, only when routed)
 * and swaps the active version for the pilot version when `chooseVersion` picks it. `ticketKey` is the
 * ticket's id, generated before the insert.
 */
export async function withPilot<R extends { flowId: string; version: CachedVersion }>(
  query: Query,
  cache: VersionCache,
  orgId: string,
  route: R | null,
  ticketKey: string,
): Promise<R | null> {
  if (!route) return null;
  const rows = await query<{ pilot_version_id: string | null; pilot_percent: number }>(
    'SELECT pilot_version_id, pilot_percent FROM flows WHERE id = $1::uuid AND org_id = $2::uuid',
    [route.flowId, orgId],
  );
  const flow = rows[0];
  if (!flow || flow.pilot_version_id === null) return route;
  const chosen = chooseVersion(
    {
      activeVersionId: route.version.id,
      pilotVersionId: flow.pilot_version_id,
      pilotPercent: flow.pilot_percent,
    },
    ticketKey,
  );
  if (chosen === route.version.id) return route;
  const pilot = await cache.get(query, orgId, chosen);
  return pilot ? { ...route, version: pilot } : route;
}
