import type { Database } from '@stepwise/db';
import { fail } from '../trpc.ts';
import { inTransaction } from './sql.ts';

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
  if (ids.length !== input.flowIds.length)
    fail('BAD_REQUEST', 'Each flow may appear only once in the order.');
  return inTransaction(database, async (tx) => {
    const found = await tx<{ id: string }>(
      `SELECT id FROM flows WHERE org_id = $1::uuid AND id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)`,
      [input.orgId, JSON.stringify(ids)],
    );
    if (found.length !== ids.length)
      fail('NOT_FOUND', 'One of these flows does not exist in your organization.');
    await tx(
      `UPDATE flows f SET route_order = o.ord * 10
         FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS o(id, ord)
        WHERE f.org_id = $1::uuid AND f.id = o.id::uuid`,
      [input.orgId, JSON.stringify(ids)],
    );
    // The flows not named go after, in their previous order.
    await tx(
      `UPDATE flows f SET route_order = $3::int + r.rank * 10
         FROM (SELECT id, row_number() OVER (ORDER BY route_order, name, id) AS rank FROM flows
                WHERE org_id = $1::uuid AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)) r
        WHERE f.id = r.id`,
      [input.orgId, JSON.stringify(ids), ids.length * 10],
    );
    await tx(
      `INSERT INTO audit_log (org_id, actor_id, action, target_type, target_id, data, created_at)
       VALUES ($1::uuid, $2::uuid, 'flow.route_order_changed', 'organization', $1::text, $3::jsonb, $4::timestamptz)`,
      [input.orgId, input.actorId, JSON.stringify({ flowIds: ids }), input.now.toISOString()],
    );
    return { flowIds: ids };
  });
}
