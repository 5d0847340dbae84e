import type { Database } from '@stepwise/db';
import {
  CURRENT_EVENT_SCHEMA_VERSION,
  type FlowDocument,
  parseFlowDocument,
  parseStoredEvent,
} from '@stepwise/flow';
import { replayTicket, runOf } from '../../packages/api/src/runtime/replay.ts';
import {
  comparableState,
  runStateOf,
  type TicketRow,
  ticketColumns,
} from '../../packages/api/src/runtime/ticketState.ts';

type EventRow = {
  org_id: string;
  ticket_id: string;
  seq: number;
  type: string;
  to_node: string | null;
  data: unknown;
  created_at: string;
};

const ISO = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The invariant checker, run after every concurrency test. Returns the violations
 * found (empty = all hold):
 * - every ticket's events are numbered 1..n without gaps, and the ticket's seq is n;
 * - every event's data is a stored event of the current schema version (the runtime's one writer made it);
 * - every event's to_node exists in the ticket's pinned version, and the path the trails walk follows
 *   the version's edges;
 * - replaying the events from the pinned version's start reproduces the ticket's state;
 * - each idempotency key moved at most one event, and its stored response is that event's result;
 * - each timer fired at most once, by exactly one `timer.fired` event, and never for a left step;
 * - every event, timer, message and key sits in its ticket's organization.
 */
export async function checkInvariants(db: Database, options: { orgId?: string } = {}): Promise<string[]> {
  const problems: string[] = [];
  const orgFilter = options.orgId ? 'WHERE t.org_id = $1::uuid' : '';
  const params = options.orgId ? [options.orgId] : [];

  const tickets = await db.query<TicketRow>(
    `SELECT ${ticketColumns('t')} FROM tickets t ${orgFilter}`,
    params,
  );
  const events = await db.query<EventRow>(
    `SELECT e.org_id, e.ticket_id, e.seq, e.type, e.to_node, e.data, ${ISO('e.created_at')} AS created_at
       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id ${orgFilter}
      ORDER BY e.ticket_id, e.seq`,
    params,
  );
  const versions = new Map<string, { orgId: string; document: FlowDocument }>();
  for (const row of await db.query<{ id: string; org_id: string; document: unknown }>(
    'SELECT id, org_id, document FROM flow_versions',
  )) {
    const parsed = parseFlowDocument(row.document);
    if (parsed.ok) versions.set(row.id, { orgId: row.org_id, document: parsed.document });
    else problems.push(`version ${row.id}: its document does not parse`);
  }
  const byTicket = new Map<string, EventRow[]>();
  for (const event of events) {
    const list = byTicket.get(event.ticket_id) ?? [];
    list.push(event);
    byTicket.set(event.ticket_id, list);
  }

  const keysSeen = new Map<string, string>();
  for (const ticket of tickets) {
    const list = byTicket.get(ticket.id) ?? [];
    // Gapless 1..n, and seq = n.
    list.forEach((e, i) => {
      if (e.seq !== i + 1) problems.push(`ticket ${ticket.id}: event #${i + 1} has seq ${e.seq} (a gap)`);
      if (e.org_id !== ticket.org_id)
        problems.push(`ticket ${ticket.id}: event ${e.seq} is in another organization`);
      const data = e.data;
      const parsed = parseStoredEvent(data);
      if (!parsed.ok)
        problems.push(`ticket ${ticket.id}: event ${e.seq} is not a stored event: ${parsed.error.message}`);
      else if ((data as { schemaVersion?: unknown }).schemaVersion !== CURRENT_EVENT_SCHEMA_VERSION)
        problems.push(
          `ticket ${ticket.id}: event ${e.seq} was written without schema version ${CURRENT_EVENT_SCHEMA_VERSION}`,
        );
      const key = isRecord(data) && typeof data.key === 'string' ? data.key : null;
      if (key !== null) {
        const id = `${e.org_id}/${key}`;
        const other = keysSeen.get(id);
        if (other)
          problems.push(`idempotency key ${key} moved two events: ${other} and ${ticket.id}#${e.seq}`);
        keysSeen.set(id, `${ticket.id}#${e.seq}`);
      }
    });
    if (ticket.seq !== list.length) {
      problems.push(`ticket ${ticket.id}: seq ${ticket.seq} but ${list.length} events`);
    }
    if (ticket.version_id === null) continue;
    const version = versions.get(ticket.version_id);
    if (!version) {
      problems.push(`ticket ${ticket.id}: pinned version ${ticket.version_id} is missing`);
      continue;
    }
    if (version.orgId !== ticket.org_id)
      problems.push(`ticket ${ticket.id}: pinned to another organization's version`);
    const document = version.document;
    const nodeIds = new Set(document.nodes.map((n) => n.id));
    const edges = new Set(document.edges.map((e) => `${e.source}->${e.target}`));
    const path: string[] = [];
    // Only the current run is on the pinned version (a ticket started by hand after it ended begins a new one).
    for (const e of runOf(list.map((x) => ({ ...x, createdAt: x.created_at })))) {
      if (e.to_node !== null && !nodeIds.has(e.to_node)) {
        problems.push(`ticket ${ticket.id}: event ${e.seq} goes to "${e.to_node}", not in its version`);
      }
      const trail = isRecord(e.data) && Array.isArray(e.data.trail) ? e.data.trail : [];
      for (const entry of trail) {
        if (isRecord(entry) && entry.type === 'node_entered' && typeof entry.nodeId === 'string')
          path.push(entry.nodeId);
      }
    }
    for (let i = 1; i < path.length; i++) {
      if (!edges.has(`${path[i - 1]}->${path[i]}`)) {
        problems.push(
          `ticket ${ticket.id}: its path goes ${path[i - 1]} → ${path[i]}, which no edge of its version joins`,
        );
      }
    }
    const replayed = replayTicket(
      document,
      list.map((e) => ({ seq: e.seq, type: e.type, data: e.data, createdAt: e.created_at })),
    );
    const stored = runStateOf(ticket);
    if (!replayed.ok) {
      problems.push(`ticket ${ticket.id}: replay stopped at event ${replayed.seq}: ${replayed.reason}`);
    } else if (!stored) {
      problems.push(`ticket ${ticket.id}: status ${ticket.status} is not a run state`);
    } else if (JSON.stringify(comparableState(replayed.state)) !== JSON.stringify(comparableState(stored))) {
      problems.push(
        `ticket ${ticket.id}: replay gives ${JSON.stringify(comparableState(replayed.state))}, the row holds ${JSON.stringify(comparableState(stored))}`,
      );
    }
  }

  // Idempotency keys: each stored response names an event that carries that key.
  const keys = await db.query<{ org_id: string; key: string; response: unknown }>(
    `SELECT k.org_id, k.key, k.response FROM idempotency_keys k ${options.orgId ? 'WHERE k.org_id = $1::uuid' : ''}`,
    params,
  );
  for (const k of keys) {
    const response = typeof k.response === 'string' ? (JSON.parse(k.response) as unknown) : null;
    const ticket = isRecord(response) && isRecord(response.ticket) ? response.ticket : null;
    const at = ticket ? `${String(ticket.id)}#${String(ticket.seq)}` : null;
    const moved = keysSeen.get(`${k.org_id}/${k.key}`);
    if (!at || moved !== at)
      problems.push(
        `idempotency key ${k.key}: stores the response of ${at}, but moved ${moved ?? 'nothing'}`,
      );
  }

  // Timers: fired at most once, by exactly one timer.fired event right after the entry; never both
  // fired and cancelled; in their ticket's organization.
  const timers = await db.query<{
    id: string;
    org_id: string;
    ticket_org: string;
    ticket_id: string;
    seq: number;
    kind: string;
    fired: boolean;
    cancelled: boolean;
  }>(
    `SELECT tm.id::text AS id, tm.org_id, t.org_id AS ticket_org, tm.ticket_id, tm.seq, tm.kind,
            tm.fired_at IS NOT NULL AS fired, tm.cancelled_at IS NOT NULL AS cancelled
       FROM timers tm JOIN tickets t ON t.id = tm.ticket_id ${orgFilter}`,
    params,
  );
  const firedEvents = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'timer.fired') continue;
    const input = isRecord(e.data) && isRecord(e.data.input) ? e.data.input : {};
    const id = `${e.ticket_id}#${e.seq - 1}#${String(input.kind)}`;
    firedEvents.set(id, (firedEvents.get(id) ?? 0) + 1);
  }
  const firedTimers = new Set<string>();
  for (const timer of timers) {
    const id = `${timer.ticket_id}#${timer.seq}#${timer.kind}`;
    if (timer.org_id !== timer.ticket_org)
      problems.push(`timer ${timer.id}: in another organization than its ticket`);
    if (timer.fired && timer.cancelled) problems.push(`timer ${timer.id}: both fired and cancelled`);
    if (timer.fired) {
      firedTimers.add(id);
      if (firedEvents.get(id) !== 1)
        problems.push(`timer ${timer.id}: fired, with ${firedEvents.get(id) ?? 0} timer.fired events`);
    }
  }
  for (const [id, n] of firedEvents) {
    if (!firedTimers.has(id)) problems.push(`timer.fired event ${id} (${n}×) has no fired timer`);
  }

  const strays = await db.query<{ what: string; n: number }>(
    `SELECT 'message' AS what, count(*)::int AS n FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.org_id <> t.org_id
     UNION ALL
     SELECT 'team', count(*)::int FROM tickets t JOIN teams x ON x.id = t.team_id WHERE x.org_id <> t.org_id
     UNION ALL
     SELECT 'flow', count(*)::int FROM tickets t JOIN flows f ON f.id = t.flow_id WHERE f.org_id <> t.org_id`,
  );
  for (const s of strays) if (s.n > 0) problems.push(`${s.n} ${s.what} row(s) point across organizations`);
  return problems;
}
