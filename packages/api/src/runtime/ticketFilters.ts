import type { Caller } from '../trpc.ts';

/**
 * The built-in views of the queue. `mine`: open tickets assigned to the caller; `teams`: open tickets of
 * the caller's teams and assigned to them; `all`: every open ticket of the organization; `unassigned`,
 * `breached` (an SLA passed, now or at an earlier step: the mark stays), `waiting` (on the customer's
 * reply) and `closed` (ended in the last 7 days) among the tickets the caller works on (an agent: their
 * teams' and their own; managers and admins: the organization's); `unrouted`: tickets no flow took
 * (managers and admins).
 */
export const TICKET_VIEWS = [
  'mine',
  'teams',
  'all',
  'unassigned',
  'breached',
  'waiting',
  'closed',
  'unrouted',
] as const;
export type TicketView = (typeof TICKET_VIEWS)[number];

/** Views that only managers and admins have (an agent asking for one gets FORBIDDEN). */
export const MANAGER_VIEWS: ReadonlySet<TicketView> = new Set(['unrouted']);
/** Views relative to a person (an API token has no tickets or teams of its own). */
export const PERSONAL_VIEWS: ReadonlySet<TicketView> = new Set(['mine', 'teams']);

/** How long an ended ticket stays in `closed`. */
export const RECENTLY_CLOSED_DAYS = 7;

/**
 * Orders of a ticket list. `sla`: soonest SLA due first (none last), then priority, then oldest;
 * `priority`: urgent first, then SLA due; `oldest` / `newest`: by creation; `updated`: last changed first.
 */
export const TICKET_SORTS = ['sla', 'priority', 'oldest', 'newest', 'updated'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

/** The statuses of a ticket being worked (at a step, waiting, in a subflow, parked with an error). */
const OPEN = `('at_step', 'waiting', 'in_subflow', 'parked')`;

export type TicketFilters = {
  view?: TicketView | undefined;
  /** Any statuses (ended included); none = every status the view takes. */
  status?: string[] | undefined;
  priority?: string[] | undefined;
  channel?: string[] | undefined;
  flowId?: string | undefined;
  nodeId?: string | undefined;
  teamId?: string | undefined;
  assigneeId?: string | undefined;
  breachedOnly?: boolean | undefined;
  /** Words (prefixes) to find in the subject, description, customer or messages; or `#42` / `42`. */
  search?: string | undefined;
  createdFrom?: string | undefined;
  createdBefore?: string | undefined;
};

/** Collects a statement's parameters: `$1` is always the organization. */
export class Params {
  readonly values: unknown[];
  constructor(orgId: string) {
    this.values = [orgId];
  }
  /** The placeholder of a new parameter, with its cast. */
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/** The words of a search, as prefix queries for `to_tsquery('simple', …)`; at most 8. */
export function searchTerms(search: string): string[] {
  return search
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}@._+-]+/u)
    .map((word) => word.replace(/^[@._+-]+|[@._+-]+$/gu, ''))
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, 8)
    .map((word) => `'${word}':*`);
}

/** Where the caller's tickets are: their own and their teams' for an agent; the organization's otherwise. */
function reachOf(p: Params, caller: Caller): string | null {
  if (caller.role !== 'agent' || caller.userId === null) return null;
  const me = p.add(caller.userId, '::uuid');
  return `(t.assignee_id = ${me} OR t.team_id IN (
      SELECT tm2.team_id FROM team_members tm2 WHERE tm2.org_id = $1::uuid AND tm2.user_id = ${me}))`;
}

function viewClauses(p: Params, caller: Caller, now: Date, view: TicketView): string[] {
  const reach = () => {
    const clause = reachOf(p, caller);
    return clause === null ? [] : [clause];
  };
  const me = () => p.add(caller.userId, '::uuid');
  switch (view) {
    case 'mine':
      return [`t.status IN ${OPEN}`, `t.assignee_id = ${me()}`];
    case 'teams': {
      const ref = me();
      return [
        `t.status IN ${OPEN}`,
        `(t.assignee_id = ${ref} OR t.team_id IN (
           SELECT tm2.team_id FROM team_members tm2 WHERE tm2.org_id = $1::uuid AND tm2.user_id = ${ref}))`,
      ];
    }
    case 'all':
      return [`t.status IN ${OPEN}`];
    case 'unassigned':
      return [`t.status IN ${OPEN}`, 't.assignee_id IS NULL', ...reach()];
    case 'breached':
      return [`t.status IN ${OPEN}`, 't.sla_breached_at IS NOT NULL', ...reach()];
    case 'waiting':
      // A wait for a duration has its timer pending while it waits; a wait for the customer has none
      // (or only its timeout).
      return [
        `t.status = 'waiting'`,
        `NOT EXISTS (SELECT 1 FROM timers w WHERE w.org_id = t.org_id AND w.ticket_id = t.id
                       AND w.kind = 'wait' AND w.fired_at IS NULL AND w.cancelled_at IS NULL)`,
        ...reach(),
      ];
    case 'closed': {
      const since = new Date(now.getTime() - RECENTLY_CLOSED_DAYS * 86_400_000).toISOString();
      return [`t.status = 'ended'`, `t.closed_at >= ${p.add(since, '::timestamptz')}`, ...reach()];
    }
    case 'unrouted':
      return [`t.status = 'unrouted'`];
  }
}

/** The conditions (joined with AND, on `tickets t` with `$1` the organization) for a list or a count. */
export function filterClauses(p: Params, caller: Caller, now: Date, filters: TicketFilters): string[] {
  const where = ['t.org_id = $1::uuid'];
  const inList = (values: string[] | undefined, column: string) => {
    if (values && values.length > 0)
      where.push(
        `${column} IN (SELECT jsonb_array_elements_text(${p.add(JSON.stringify(values), '::jsonb')}))`,
      );
  };
  if (filters.view !== undefined) where.push(...viewClauses(p, caller, now, filters.view));
  inList(filters.status, 't.status');
  inList(filters.priority, 't.priority');
  inList(filters.channel, 't.channel');
  if (filters.flowId !== undefined) where.push(`t.flow_id = ${p.add(filters.flowId, '::uuid')}`);
  if (filters.nodeId !== undefined) where.push(`t.node_id = ${p.add(filters.nodeId, '::text')}`);
  if (filters.teamId !== undefined) where.push(`t.team_id = ${p.add(filters.teamId, '::uuid')}`);
  if (filters.assigneeId !== undefined) where.push(`t.assignee_id = ${p.add(filters.assigneeId, '::uuid')}`);
  if (filters.breachedOnly) where.push('t.sla_breached_at IS NOT NULL');
  if (filters.createdFrom !== undefined)
    where.push(`t.created_at >= ${p.add(filters.createdFrom, '::timestamptz')}`);
  if (filters.createdBefore !== undefined)
    where.push(`t.created_at < ${p.add(filters.createdBefore, '::timestamptz')}`);
  const search = filters.search?.trim();
  if (search) {
    const byNumber = /^#(\d{1,9})$/.exec(search)?.[1];
    if (byNumber !== undefined) {
      where.push(`t.number = ${p.add(Number(byNumber), '::int')}`);
    } else {
      // Every word (as a prefix) somewhere in the ticket: its subject, customer, description or one of
      // its messages; each word is one lookup in the GIN index. A bare number also finds that ticket.
      const words = searchTerms(search).map(
        (term) => `t.id IN (SELECT s.ticket_id FROM ticket_search s
                   WHERE s.org_id = $1::uuid AND s.document @@ to_tsquery('simple', ${p.add(term, '::text')}))`,
      );
      const number = /^(\d{1,9})$/.exec(search)?.[1];
      const text = words.length > 0 ? words.join(' AND ') : 'false';
      where.push(
        number !== undefined ? `(t.number = ${p.add(Number(number), '::int')} OR (${text}))` : `(${text})`,
      );
    }
  }
  return where;
}

const PRIORITY_RANK = `(CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)`;
const DUE = `COALESCE(t.sla_due_at, 'infinity'::timestamptz)`;
/** A timestamp as exact text (microseconds, UTC), or `infinity`: what a cursor carries. */
const exact = (expr: string) =>
  `CASE WHEN ${expr} = 'infinity'::timestamptz THEN 'infinity' ELSE to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END`;

type Key = { expr: string; cast: '::timestamptz' | '::int'; text: string };
const dueKey: Key = { expr: DUE, cast: '::timestamptz', text: exact(DUE) };
const rankKey: Key = { expr: PRIORITY_RANK, cast: '::int', text: `${PRIORITY_RANK}::text` };
const numberKey: Key = { expr: 't.number', cast: '::int', text: 't.number::text' };
const updatedKey: Key = { expr: 't.updated_at', cast: '::timestamptz', text: exact('t.updated_at') };

/** Each order as keys that end on the ticket number (unique per organization), all in one direction. */
export const SORT_KEYS: Record<TicketSort, { keys: Key[]; descending: boolean }> = {
  sla: { keys: [dueKey, rankKey, numberKey], descending: false },
  priority: { keys: [rankKey, dueKey, numberKey], descending: false },
  oldest: { keys: [numberKey], descending: false },
  newest: { keys: [numberKey], descending: true },
  updated: { keys: [updatedKey, numberKey], descending: true },
};

/**
 * The ORDER BY of a sort, the columns that give each row's cursor values, and (after a cursor) the
 * condition that starts the page strictly after the row the cursor names: a keyset page, so a ticket
 * created or changed meanwhile never makes another one show twice or go missing.
 */
export function sortClauses(
  p: Params,
  sort: TicketSort,
  after: readonly string[] | undefined,
): { orderBy: string; keyColumns: string; after: string | null } {
  const { keys, descending } = SORT_KEYS[sort];
  const direction = descending ? 'DESC' : 'ASC';
  return {
    orderBy: keys.map((k) => `${k.expr} ${direction}`).join(', '),
    keyColumns: `ARRAY[${keys.map((k) => k.text).join(', ')}] AS cursor_keys`,
    after:
      after === undefined
        ? null
        : `(${keys.map((k) => k.expr).join(', ')}) ${descending ? '<' : '>'} (${keys
            .map((k, i) => p.add(after[i], k.cast))
            .join(', ')})`,
  };
}

/** Whether cursor values fit a sort's keys (count and shape), before they reach the database. */
export function cursorFits(sort: TicketSort, values: readonly string[]): boolean {
  const { keys } = SORT_KEYS[sort];
  return (
    values.length === keys.length &&
    keys.every((k, i) => {
      const v = values[i] ?? '';
      return k.cast === '::int'
        ? /^-?\d{1,10}$/.test(v) && Math.abs(Number(v)) <= 2_147_483_647
        : v === 'infinity' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(v);
    })
  );
}
