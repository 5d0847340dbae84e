import type { Database } from '@stepwise/db';
import { firstPublishOrder, type StartTrigger } from '@stepwise/flow';
import { refuse } from './runtimeError.ts';
import { readRouteOrder } from './routing.ts';
import { inTransaction, type Query } from './sql.ts';
import { versionCache } from './versionCache.ts';

/**
 * Locks the organization's flows for a reordering, in id order so that two reorderings never wait on
 * each other crosswise. `FOR NO KEY UPDATE` does not wait for the key-share locks that inserting a
 * version (a child row) takes on its flow, so a publish in flight does not block it either.
 */
async function lockOrder(query: Query, orgId: string): Promise<void> {
  await query('SELECT id FROM flows WHERE org_id = $1::uuid ORDER BY id FOR NO KEY UPDATE', [orgId]);
}

/**
 * Writes `ids` as the order (route_order 10, 20, …); flows of the organization not named keep their
 * order after them. Runs inside the caller's transaction.
 */
async function writeRouteOrder(query: Query, orgId: string, ids: readonly string[]): Promise<void> {
  await query(
    `UPDATE flows f SET route_order = o.ord * 10
       FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS o(id, ord)
      WHERE f.org_id = $1::uuid AND f.id = o.id::uuid`,
    [orgId, JSON.stringify(ids)],
  );
  // The flows not named go after, in their previous order.
  await query(
    `UPDATE flows f SET route_order = $3::int + r.rank * 10
       FROM (SELECT id, row_number() OVER (ORDER BY route_order, name, id) AS rank FROM flows
              WHERE org_id = $1::uuid AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)) r
      WHERE f.org_id = $1::uuid AND f.id = r.id`,
    [orgId, JSON.stringify(ids), ids.length * 10],
  );
}

async function auditOrder(
  query: Query,
  input: { orgId: string; actorId: string | null; now: Date },
  data: Record<string, unknown>,
): Promise<void> {
  await query(
    `INSERT INTO audit_log (org_id, actor_id, action, target_type, target_id, data, created_at)
     VALUES ($1::uuid, $2::uuid, 'flow.route_order_changed', 'organization', $1::text, $3::jsonb, $4::timestamptz)`,
    [input.orgId, input.actorId, JSON.stringify(data), input.now.toISOString()],
  );
}

/**
 * Sets the order intake tries flows in: `flowIds` first to last (route_order 10, 20, …); flows not
 * named keep their order after them. Every id must be a flow of the organization (else NOT_FOUND,
 * nothing written). Audited as `flow.route_order_changed`. For `flows.setRouteOrder` (admin, manager).
 */
export async function setRouteOrder(
  database: Database,
  input: { orgId: string; actorId: string; flowIds: string[]; now: Date },
): Promise<{ flowIds: string[] }> {
  const ids = [...new Set(input.flowIds.map((id) => id.toLowerCase()))];
  if (ids.length !== input.flowIds.length) refuse('invalid', 'Each flow may appear only once in the order.');
  return inTransaction(database, async (tx) => {
    const found = await tx<{ id: string }>(
      `SELECT id FROM flows WHERE org_id = $1::uuid AND id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)`,
      [input.orgId, JSON.stringify(ids)],
    );
    if (found.length !== ids.length)
      refuse('not_found', 'One of these flows does not exist in your organization.');
    await lockOrder(tx, input.orgId);
    await writeRouteOrder(tx, input.orgId, ids);
    await auditOrder(tx, input, { flowIds: ids });
    return { flowIds: ids };
  });
}

/**
 * The default order: a flow whose start has filters goes right before the first catch-all (a published
 * automatic start without filters), so catch-alls stay last. Applied when a flow is first published and
 * when a flow is created from a document with filters; later publishes keep the order managers chose.
 * Runs inside the caller's transaction (it locks the organization's flows: call it before updating the
 * flow's own row, so concurrent first publishes queue up instead of deadlocking); does nothing when the
 * flow is already before every catch-all. Audited as `flow.route_order_changed` with the reason.
 */
export async function placeBeforeCatchAlls(
  query: Query,
  input: {
    orgId: string;
    flowId: string;
    trigger: StartTrigger | null;
    actorId: string | null;
    now: Date;
    reason: 'first_publish' | 'created';
  },
): Promise<boolean> {
  if (input.trigger === null) return false;
  await lockOrder(query, input.orgId);
  const order = await readRouteOrder(query, versionCache, input.orgId);
  const ids = firstPublishOrder(order, input.flowId.toLowerCase(), input.trigger);
  if (ids === null) return false;
  await writeRouteOrder(query, input.orgId, ids);
  await auditOrder(query, input, { flowIds: ids, flowId: input.flowId, reason: input.reason });
  return true;
}
