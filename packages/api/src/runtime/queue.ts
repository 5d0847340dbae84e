import type { Caller } from '../trpc.ts';
import { filterClauses, Params, sortClauses, type TicketFilters, type TicketSort } from './ticketFilters.ts';
import { iso, type Query } from './sql.ts';
import { findNode, nodeLabel } from './ticketView.ts';
import type { VersionCache } from './versionCache.ts';

export type QueueRow = {
  id: string;
  number: number;
  /** The ticket's sequence number: a bulk action on the row is a compare-and-set on it. */
  seq: number;
  subject: string;
  customerName: string;
  priority: string;
  channel: string;
  status: string;
  flowName: string | null;
  versionNumber: number | null;
  nodeId: string | null;
  stepTitle: string | null;
  teamId: string | null;
  teamName: string | null;
  assigneeName: string | null;
  slaDueAt: string | null;
  /** The current step's SLA has passed. */
  breached: boolean;
  /** When an SLA of the ticket first passed; null if none ever did (it stays set). */
  slaBreachedAt: string | null;
  updatedAt: string;
};

export type QueueQuery = {
  scope: 'mine' | 'teams' | 'all';
  status?: string[] | undefined;
  priority?: string[] | undefined;
  flowId?: string | undefined;
  /** Tickets at this node of their version (with `flowId`: where tickets wait). */
  nodeId?: string | undefined;
  /** Only tickets that have breached an SLA (at any step, escalated or not — the mark stays). */
  breachedOnly?: boolean | undefined;
  limit: number;
};

type Row = {
  id: string;
  org_id: string;
  number: number;
  seq: number;
  subject: string;
  customer_name: string;
  priority: string;
  channel: string;
  status: string;
  flow_name: string | null;
  version_id: string | null;
  version_number: number | null;
  node_id: string | null;
  team_id: string | null;
  team_name: string | null;
  assignee_name: string | null;
  sla_due_at: string | null;
  breached: boolean;
  sla_breached_at: string | null;
  updated_at: string;
  created_at: string;
};

/**
 * A work queue. `mine`: assigned to the caller; `teams`: the caller's teams' tickets and those assigned
 * to them; `all`: the organization's (for an agent, the same as `teams`). Open tickets unless statuses
 * are given. Sorted by SLA due (none last), then priority (urgent first), then number.
 */
export async function queueOf(
  query: Query,
  cache: VersionCache,
  caller: Caller,
  input: QueueQuery,
): Promise<QueueRow[]> {
  const params: unknown[] = [caller.orgId];
  const where = ['t.org_id = $1::uuid'];
  const scope =
    input.scope === 'all' && caller.role !== 'admin' && caller.role !== 'manager' ? 'teams' : input.scope;
  if (scope !== 'all') {
    params.push(caller.userId);
    const me = `$${params.length}::uuid`;
    where.push(
      scope === 'mine'
        ? `t.assignee_id = ${me}`
        : `(t.assignee_id = ${me} OR t.team_id IN (
             SELECT tm2.team_id FROM team_members tm2 WHERE tm2.org_id = $1::uuid AND tm2.user_id = ${me}))`,
    );
  }
  if (input.status && input.status.length > 0) {
    params.push(JSON.stringify(input.status));
    where.push(`t.status IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`);
  } else {
    where.push(`t.status <> 'ended'`);
  }
  if (input.priority && input.priority.length > 0) {
    params.push(JSON.stringify(input.priority));
    where.push(`t.priority IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`);
  }
  if (input.flowId !== undefined) {
    params.push(input.flowId);
    where.push(`t.flow_id = $${params.length}::uuid`);
  }
  if (input.nodeId !== undefined) {
    params.push(input.nodeId);
    where.push(`t.node_id = $${params.length}::text`);
  }
  if (input.breachedOnly) where.push('t.sla_breached_at IS NOT NULL');
  params.push(input.limit);
  const rows = await query<Row>(
    `SELECT ${ROW_COLUMNS} ${ROW_TABLES}
      WHERE ${where.join(' AND ')}
      ORDER BY t.sla_due_at ASC NULLS LAST,
               CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
               t.number
      LIMIT $${params.length}::int`,
    params,
  );
  return rowsOf(query, cache, rows);
}

/** The columns a queue row or a list row is built from, with the names they show. */
const ROW_COLUMNS = `t.id, t.org_id, t.number, t.seq, t.subject, t.customer_name, t.priority, t.channel, t.status,
            f.name AS flow_name, t.version_id, v.number AS version_number, t.node_id, t.team_id,
            tm.name AS team_name, u.name AS assignee_name, ${iso('t.sla_due_at')} AS sla_due_at, t.breached,
            ${iso('t.sla_breached_at')} AS sla_breached_at,
            ${iso('t.updated_at')} AS updated_at, ${iso('t.created_at')} AS created_at`;
const ROW_TABLES = `FROM tickets t
       LEFT JOIN flows f ON f.org_id = t.org_id AND f.id = t.flow_id
       LEFT JOIN flow_versions v ON v.org_id = t.org_id AND v.id = t.version_id
       LEFT JOIN teams tm ON tm.org_id = t.org_id AND tm.id = t.team_id
       LEFT JOIN users u ON u.id = t.assignee_id`;

/** Rows with the title of the step each ticket is at (from its pinned version). */
async function rowsOf(query: Query, cache: VersionCache, rows: Row[]): Promise<TicketListRow[]> {
  const out: TicketListRow[] = [];
  for (const row of rows) {
    const version = row.version_id ? await cache.get(query, row.org_id, row.version_id) : null;
    const node = version ? findNode(version.document, row.node_id) : undefined;
    out.push({
      id: row.id,
      number: row.number,
      seq: row.seq,
      subject: row.subject,
      customerName: row.customer_name,
      priority: row.priority,
      channel: row.channel,
      status: row.status,
      flowName: row.flow_name,
      versionNumber: row.version_number,
      nodeId: row.node_id,
      stepTitle: node ? nodeLabel(node) : null,
      teamId: row.team_id,
      teamName: row.team_name,
      assigneeName: row.assignee_name,
      slaDueAt: row.sla_due_at,
      breached: row.breached,
      slaBreachedAt: row.sla_breached_at,
      updatedAt: row.updated_at,
      createdAt: row.created_at,
    });
  }
  return out;
}

export type TicketListRow = QueueRow & { createdAt: string };

export type TicketListQuery = TicketFilters & {
  sort: TicketSort;
  limit: number;
  /** Where the previous page ended: its last ticket's sort keys (see `sortClauses`). */
  after?: readonly string[] | undefined;
};

export type TicketListPage = { tickets: TicketListRow[]; nextCursor: string | null };

/**
 * The organization's tickets, filtered (a built-in view, filters, a search), in one of the sorts, a
 * page at a time. Pages are cut on the sort's keys, which end on the ticket number (unique per
 * organization): a ticket created while someone pages through shows up on no page it has passed and
 * none is shown twice.
 */
export async function listTickets(
  query: Query,
  cache: VersionCache,
  caller: Caller,
  now: Date,
  input: TicketListQuery,
): Promise<{ rows: TicketListRow[]; lastKeys: string[] | null; more: boolean }> {
  const p = new Params(caller.orgId);
  const where = filterClauses(p, caller, now, input);
  const sort = sortClauses(p, input.sort, input.after);
  if (sort.after) where.push(sort.after);
  const limit = p.add(input.limit + 1, '::int');
  const rows = await query<Row & { cursor_keys: string[] }>(
    `SELECT ${ROW_COLUMNS}, ${sort.keyColumns} ${ROW_TABLES}
      WHERE ${where.join(' AND ')}
      ORDER BY ${sort.orderBy}
      LIMIT ${limit}`,
    p.values,
  );
  const page = rows.slice(0, input.limit);
  return {
    rows: await rowsOf(query, cache, page),
    lastKeys: page.at(-1)?.cursor_keys ?? null,
    more: rows.length > input.limit,
  };
}

/**
 * How many tickets each of the given filter sets takes, in one statement over the organization's tickets:
 * the same conditions as `listTickets`, so a count is the length of its list.
 */
export async function countTickets(
  query: Query,
  caller: Caller,
  now: Date,
  sets: readonly TicketFilters[],
): Promise<number[]> {
  if (sets.length === 0) return [];
  const p = new Params(caller.orgId);
  const columns = sets.map((filters, i) => {
    const [, ...clauses] = filterClauses(p, caller, now, filters);
    return `count(*) FILTER (WHERE ${clauses.length > 0 ? clauses.join(' AND ') : 'true'})::int AS c${i}`;
  });
  const [row] = await query<Record<string, number>>(
    `SELECT ${columns.join(', ')} FROM tickets t WHERE t.org_id = $1::uuid`,
    p.values,
  );
  return sets.map((_, i) => row?.[`c${i}`] ?? 0);
}
