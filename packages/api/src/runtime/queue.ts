import type { Caller } from '../trpc.ts';
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
    `${SELECT_ROWS}
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
const SELECT_ROWS = `SELECT t.id, t.org_id, t.number, t.seq, t.subject, t.customer_name, t.priority, t.channel, t.status,
            f.name AS flow_name, t.version_id, v.number AS version_number, t.node_id, t.team_id,
            tm.name AS team_name, u.name AS assignee_name, ${iso('t.sla_due_at')} AS sla_due_at, t.breached,
            ${iso('t.sla_breached_at')} AS sla_breached_at,
            ${iso('t.updated_at')} AS updated_at, ${iso('t.created_at')} AS created_at
       FROM tickets t
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

export type TicketListQuery = {
  /** Any statuses (ended included); none = every ticket. */
  status?: string[] | undefined;
  priority?: string[] | undefined;
  channel?: string[] | undefined;
  flowId?: string | undefined;
  nodeId?: string | undefined;
  teamId?: string | undefined;
  assigneeId?: string | undefined;
  breachedOnly?: boolean | undefined;
  /** Words in the subject, the customer's name or email, or a ticket number (`42` or `#42`). */
  search?: string | undefined;
  createdFrom?: string | undefined;
  createdBefore?: string | undefined;
  limit: number;
  /** Where the previous page ended: the number of its last ticket. */
  afterNumber?: number | undefined;
};

export type TicketListPage = { tickets: TicketListRow[]; nextCursor: string | null };

/**
 * The organization's tickets, newest first, a page at a time. Pages are cut on the ticket number
 * (unique per organization, in order of creation), so a ticket created while an integration pages
 * through shows up on no page it has passed and none is shown twice.
 */
export async function listTickets(
  query: Query,
  cache: VersionCache,
  orgId: string,
  input: TicketListQuery,
): Promise<{ rows: TicketListRow[]; lastNumber: number | null; more: boolean }> {
  const params: unknown[] = [orgId];
  const where = ['t.org_id = $1::uuid'];
  const add = (value: unknown, clause: (ref: string) => string) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  const inList = (values: string[] | undefined, column: string) => {
    if (values && values.length > 0)
      add(JSON.stringify(values), (r) => `${column} IN (SELECT jsonb_array_elements_text(${r}::jsonb))`);
  };
  inList(input.status, 't.status');
  inList(input.priority, 't.priority');
  inList(input.channel, 't.channel');
  if (input.flowId !== undefined) add(input.flowId, (r) => `t.flow_id = ${r}::uuid`);
  if (input.nodeId !== undefined) add(input.nodeId, (r) => `t.node_id = ${r}::text`);
  if (input.teamId !== undefined) add(input.teamId, (r) => `t.team_id = ${r}::uuid`);
  if (input.assigneeId !== undefined) add(input.assigneeId, (r) => `t.assignee_id = ${r}::uuid`);
  if (input.breachedOnly) where.push('t.sla_breached_at IS NOT NULL');
  if (input.createdFrom !== undefined) add(input.createdFrom, (r) => `t.created_at >= ${r}::timestamptz`);
  if (input.createdBefore !== undefined) add(input.createdBefore, (r) => `t.created_at < ${r}::timestamptz`);
  const search = input.search?.trim();
  if (search) {
    const number = /^#?(\d{1,9})$/.exec(search)?.[1];
    if (number !== undefined) {
      add(Number(number), (r) => `t.number = ${r}::int`);
    } else {
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add(
        pattern,
        (r) => `(t.subject ILIKE ${r} OR t.customer_name ILIKE ${r} OR t.customer_email ILIKE ${r})`,
      );
    }
  }
  if (input.afterNumber !== undefined) add(input.afterNumber, (r) => `t.number < ${r}::int`);
  params.push(input.limit + 1);
  const rows = await query<Row>(
    `${SELECT_ROWS}
      WHERE ${where.join(' AND ')}
      ORDER BY t.number DESC
      LIMIT $${params.length}::int`,
    params,
  );
  const page = rows.slice(0, input.limit);
  return {
    rows: await rowsOf(query, cache, page),
    lastNumber: page.at(-1)?.number ?? null,
    more: rows.length > input.limit,
  };
}
