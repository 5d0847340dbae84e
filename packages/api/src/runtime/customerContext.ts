import { iso, type Query } from './sql.ts';

/** One of the customer's tickets, as the ticket page lists it. */
export type CustomerTicket = {
  id: string;
  number: number;
  subject: string;
  status: string;
  endStatus: string | null;
  priority: string;
  createdAt: string;
  closedAt: string | null;
  /** The customer's rating of it (1–5), if they gave one. */
  csatScore: number | null;
  csatComment: string | null;
};

/** Who the ticket's customer is to the organization: their tier, their other tickets, their ratings. */
export type CustomerContext = {
  customer: { name: string; email: string; tier: string };
  /** Their other tickets still open (in a flow or unrouted), newest first. */
  open: CustomerTicket[];
  /** Their other tickets that ended, newest first (at most `limit`). */
  previous: CustomerTicket[];
  /** Every rating they gave, over all their tickets: how many and the mean (null when none). */
  csat: { count: number; mean: number | null };
  /** All their tickets in the organization, this one included. */
  total: number;
};

const ROW = (alias: string) => `${alias}.id, ${alias}.number, ${alias}.subject, ${alias}.status,
  ${alias}.end_status AS "endStatus", ${alias}.priority, ${iso(`${alias}.created_at`)} AS "createdAt",
  ${iso(`${alias}.closed_at`)} AS "closedAt", ${alias}.csat_score AS "csatScore", ${alias}.csat_comment AS "csatComment"`;

/**
 * The customer context of a ticket: the other tickets of the same customer email in the organization
 * (open ones first, then the latest that ended), their CSAT history and their tier. Null when the ticket
 * is not the organization's.
 */
export async function customerContextOf(
  query: Query,
  orgId: string,
  ticketId: string,
  limit = 20,
): Promise<CustomerContext | null> {
  const rows = await query<{
    name: string;
    email: string;
    tier: string;
    open: CustomerTicket[] | null;
    previous: CustomerTicket[] | null;
    csat_count: number;
    csat_mean: number | null;
    total: number;
  }>(
    `WITH me AS (SELECT id, org_id, customer_name, customer_email, customer_tier FROM tickets
                  WHERE org_id = $1::uuid AND id = $2::uuid),
     theirs AS (SELECT t.* FROM tickets t, me WHERE t.org_id = me.org_id AND t.customer_email = me.customer_email)
     SELECT me.customer_name AS name, me.customer_email AS email, me.customer_tier AS tier,
       (SELECT json_agg(o ORDER BY o."createdAt" DESC) FROM (SELECT ${ROW('x')} FROM theirs x
          WHERE x.id <> me.id AND x.status <> 'ended' ORDER BY x.created_at DESC LIMIT $3::int) o) AS open,
       (SELECT json_agg(p ORDER BY p."createdAt" DESC) FROM (SELECT ${ROW('x')} FROM theirs x
          WHERE x.id <> me.id AND x.status = 'ended' ORDER BY x.created_at DESC LIMIT $3::int) p) AS previous,
       (SELECT count(csat_score)::int FROM theirs) AS csat_count,
       (SELECT round(avg(csat_score)::numeric, 2)::float8 FROM theirs) AS csat_mean,
       (SELECT count(*)::int FROM theirs) AS total
     FROM me`,
    [orgId, ticketId, limit],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    customer: { name: row.name, email: row.email, tier: row.tier },
    open: row.open ?? [],
    previous: row.previous ?? [],
    csat: { count: row.csat_count, mean: row.csat_mean },
    total: row.total,
  };
}
