import { type Database, withOrg } from '@stepwise/db';
import { type OpenVisit, parseStoredEvent, type StoredEvent, type Visit, visitsOfMove } from '@stepwise/flow';
import { iso, poolQuery } from '../runtime/sql.ts';
import { VISIT_RECORD, visitRecordOf } from '../runtime/writeMove.ts';

/** A ticket's analytics facts as the event log determines them. */
export type TicketFacts = {
  ticketId: string;
  /** The sequence number the facts were computed at (they are written only if the ticket is still there). */
  seq: number;
  visits: Visit[];
  nodeEnteredAt: string | null;
  firstResponseAt: string | null;
};

type EventRow = { seq: number; actor_id: string | null; created_at: string; data: unknown };

/**
 * The version a ticket was created on. Events since analytics record it; for an older `ticket.created`
 * it is the version its first migration left, else — when no start by hand came first — the version
 * it is on now. (A routed ticket restarted by hand before any migration, created before the version
 * was recorded, has an unknown first run: its visits are not counted.)
 */
function createdVersionOf(events: readonly StoredEvent[], current: string | null): string | null {
  const created = events[0];
  if (created && 'versionId' in created && created.input.type === 'created' && created.versionId)
    return created.versionId;
  for (const event of events.slice(1)) {
    if ('fromVersion' in event) return event.fromVersion;
    if (event.input.type === 'start') return null;
  }
  return current;
}

/** Folds a ticket's events (in order) through `visitsOfMove`: the same function the moves write with. */
export function factsOf(
  ticket: { id: string; versionId: string | null },
  rows: readonly EventRow[],
): TicketFacts {
  const events = rows.map((row) => {
    const parsed = parseStoredEvent(row.data);
    if (!parsed.ok) throw new Error(`Ticket ${ticket.id}, event ${row.seq}: ${parsed.error.message}`);
    return parsed.event;
  });
  let versionId = createdVersionOf(events, ticket.versionId);
  let open: OpenVisit | null = null;
  let firstResponseAt: string | null = null;
  const visits: Visit[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const data = events[i];
    if (!row || !data) continue;
    if ('toVersion' in data) versionId = data.toVersion;
    if (data.input.type === 'start' && 'versionId' in data && data.versionId) versionId = data.versionId;
    const moved = visitsOfMove(open, {
      seq: row.seq,
      at: row.created_at,
      actorId: row.actor_id,
      versionId,
      data,
    });
    visits.push(...moved.closed);
    if (moved.response && firstResponseAt === null) firstResponseAt = row.created_at;
    open = moved.open;
  }
  return {
    ticketId: ticket.id,
    seq: rows[rows.length - 1]?.seq ?? 0,
    visits,
    nodeEnteredAt: open?.enteredAt ?? null,
    firstResponseAt,
  };
}

/** The organizations a rebuild of all goes through, one at a time (each batch is one organization's). */
const ORGS_SQL = 'SELECT id FROM organizations ORDER BY id';

const TICKETS_SQL = `SELECT id, version_id, org_id FROM tickets
  WHERE org_id = $1::uuid AND ($2::uuid IS NULL OR id > $2::uuid)
  ORDER BY id LIMIT $3::int`;

const EVENTS_SQL = `SELECT ticket_id, seq, actor_id, ${iso('created_at')} AS created_at, data
  FROM ticket_events WHERE org_id = $1::uuid AND ticket_id = ANY($2::uuid[]) ORDER BY ticket_id, seq`;

/**
 * Writes facts in one statement: a ticket's columns only while it is still at the sequence number they
 * were computed at (a move that landed meanwhile wrote its own facts: the ticket is left for the next
 * pass), then its visits — each upserted by its key, any other row of the ticket deleted. One
 * organization's tickets ($3) a batch.
 */
const WRITE_SQL = `WITH f AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS f(ticket_id uuid, seq int, node_entered_at timestamptz, first_response_at timestamptz)
),
v AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS v(ticket_id uuid, org_id uuid, ${VISIT_RECORD})
),
fresh AS (
  UPDATE tickets t SET node_entered_at = f.node_entered_at, first_response_at = f.first_response_at
  FROM f WHERE t.org_id = $3::uuid AND t.id = f.ticket_id AND t.seq = f.seq RETURNING t.id
),
gone AS (
  DELETE FROM ticket_visits x WHERE x.org_id = $3::uuid AND x.ticket_id IN (SELECT id FROM fresh)
    AND NOT EXISTS (SELECT 1 FROM v WHERE v.ticket_id = x.ticket_id AND v.seq = x.seq AND v.ordinal = x.ordinal)
),
kept AS (
  INSERT INTO ticket_visits (ticket_id, seq, ordinal, org_id, version_id, node_id, entered_at, left_at, exit, handle,
    next_node_id, agent_id, breached)
  SELECT v.ticket_id, v.seq, v.ordinal, v.org_id, v.version_id, v.node_id, v.entered_at, v.left_at, v.exit, v.handle,
    v.next_node_id, v.agent_id, v.breached
  FROM v WHERE v.org_id = $3::uuid AND v.ticket_id IN (SELECT id FROM fresh)
  ON CONFLICT (org_id, ticket_id, seq, ordinal) DO UPDATE SET version_id = excluded.version_id,
    node_id = excluded.node_id, entered_at = excluded.entered_at, left_at = excluded.left_at, exit = excluded.exit,
    handle = excluded.handle, next_node_id = excluded.next_node_id, agent_id = excluded.agent_id,
    breached = excluded.breached
  RETURNING 1
)
SELECT (SELECT count(*)::int FROM fresh) AS tickets, (SELECT count(*)::int FROM kept) AS visits`;

type TicketRef = { id: string; version_id: string | null; org_id: string };

export type RebuildResult = { tickets: number; visits: number; skipped: number };

/**
 * Recomputes the analytics facts (every visit, the open visit's start, the first response) of the
 * tickets of one organization — or of all — from the event log, in batches. Safe while the app runs:
 * a ticket that moves during its batch keeps the facts its move wrote and is retried.
 */
export async function rebuildAnalytics(
  database: Database,
  options: {
    orgId?: string;
    batch?: number;
    onProgress?: (done: number) => void;
    /** Stops between batches (a server shutting down); the tickets not reached keep their facts. */
    signal?: AbortSignal;
  } = {},
): Promise<RebuildResult> {
  const query = poolQuery(database);
  const batch = options.batch ?? 200;
  const total: RebuildResult = { tickets: 0, visits: 0, skipped: 0 };
  const orgIds =
    options.orgId !== undefined
      ? [options.orgId]
      : (await query<{ id: string }>(ORGS_SQL, [])).map((o) => o.id);
  for (const orgId of orgIds) {
    let after: string | null = null;
    while (!options.signal?.aborted) {
      const tickets: TicketRef[] = await query<TicketRef>(TICKETS_SQL, [orgId, after, batch]);
      if (tickets.length === 0) break;
      after = tickets[tickets.length - 1]?.id ?? null;
      let pending = tickets;
      for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
        const written = await rebuildBatch(query, orgId, pending);
        total.visits += written.visits;
        total.tickets += written.tickets;
        pending = pending.filter((t) => !written.fresh.has(t.id));
      }
      total.skipped += pending.length;
      options.onProgress?.(total.tickets);
    }
  }
  return total;
}

async function rebuildBatch(
  query: ReturnType<typeof poolQuery>,
  orgId: string,
  tickets: readonly TicketRef[],
): Promise<{ tickets: number; visits: number; fresh: Set<string> }> {
  const rows = await query<EventRow & { ticket_id: string }>(EVENTS_SQL, [orgId, tickets.map((t) => t.id)]);
  const byTicket = new Map<string, Array<EventRow & { ticket_id: string }>>();
  for (const row of rows) {
    const list = byTicket.get(row.ticket_id) ?? [];
    list.push(row);
    byTicket.set(row.ticket_id, list);
  }
  const facts: Array<Record<string, unknown>> = [];
  const visits: Array<Record<string, unknown>> = [];
  for (const ticket of tickets) {
    const f = factsOf({ id: ticket.id, versionId: ticket.version_id }, byTicket.get(ticket.id) ?? []);
    facts.push({
      ticket_id: ticket.id,
      seq: f.seq,
      node_entered_at: f.nodeEnteredAt,
      first_response_at: f.firstResponseAt,
    });
    for (const v of f.visits)
      visits.push({ ...visitRecordOf(v), ticket_id: ticket.id, org_id: ticket.org_id });
  }
  const [written] = await query<{ tickets: number; visits: number }>(WRITE_SQL, [
    JSON.stringify(facts),
    JSON.stringify(visits),
    orgId,
  ]);
  // Which tickets were still where the facts were computed: read back by their new columns' seq guard.
  const fresh = new Set<string>();
  if ((written?.tickets ?? 0) === tickets.length) for (const t of tickets) fresh.add(t.id);
  else {
    const seqs = await query<{ id: string; seq: number }>(
      'SELECT id, seq FROM tickets WHERE org_id = $1::uuid AND id = ANY($2::uuid[])',
      [orgId, tickets.map((t) => t.id)],
    );
    const computed = new Map(facts.map((f) => [f.ticket_id as string, f.seq as number]));
    for (const row of seqs) if (computed.get(row.id) === row.seq) fresh.add(row.id);
  }
  return { tickets: written?.tickets ?? 0, visits: written?.visits ?? 0, fresh };
}

/**
 * The rebuild a migration asked for (a database that had tickets before the facts existed): run once,
 * in the background of a starting server, then marked done. Null when nothing was owed.
 */
export async function backfillAnalytics(
  database: Database,
  signal?: AbortSignal,
): Promise<RebuildResult | null> {
  const query = poolQuery(database);
  const owed = await query<{ id: number }>('SELECT id FROM analytics_backfill WHERE done_at IS NULL');
  if (owed.length === 0) return null;
  const result = await rebuildEveryOrganization(database, signal ? { signal } : {});
  // Stopped before the end: the next server to start does it again (rebuilding a ticket twice is harmless).
  if (signal?.aborted) return null;
  await query('UPDATE analytics_backfill SET done_at = now() WHERE done_at IS NULL');
  return result;
}

/**
 * Rebuilds the facts of every organization, one at a time, each acting for itself (the organizations are
 * listed through the narrowly granted `stepwise_organization_ids` function).
 */
export async function rebuildEveryOrganization(
  database: Database,
  options: { onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<RebuildResult> {
  const orgs = await withOrg(null, () =>
    database.query<{ id: string }>('SELECT id FROM stepwise_organization_ids() AS id'),
  );
  const total: RebuildResult = { tickets: 0, visits: 0, skipped: 0 };
  for (const org of orgs) {
    if (options.signal?.aborted) break;
    const before = total.tickets;
    const part = await withOrg(org.id, () =>
      rebuildAnalytics(database, {
        orgId: org.id,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (done) => options.onProgress?.(before + done),
      }),
    );
    total.tickets += part.tickets;
    total.visits += part.visits;
    total.skipped += part.skipped;
  }
  return total;
}
