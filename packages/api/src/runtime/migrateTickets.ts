import type { Database } from '@stepwise/db';
import {
  type FlowDocument,
  type MigrationChanges,
  type MigrationRefusal,
  type ProposedMapping,
  planMigration,
  proposeMapping,
} from '@stepwise/flow';
import { advanceTicket, type Mover } from './advanceTicket.ts';
import { refuse } from './runtimeError.ts';
import { poolQuery, type Query } from './sql.ts';
import { type TicketCache, ticketCache } from './ticketCache.ts';
import { runStateOf, type TicketRow, ticketColumns } from './ticketState.ts';

/** At most this many live tickets are previewed or migrated at once. */
export const MIGRATION_LIMIT = 2000;

export type MigrationVersions = {
  orgId: string;
  flowId: string;
  from: { id: string; number: number; document: FlowDocument };
  to: { id: string; number: number; document: FlowDocument };
};

export type TicketMigrationPreview = {
  ticketId: string;
  number: number;
  subject: string;
  /** The sequence number the preview saw: pass it back as the expected one to apply. */
  seq: number;
  fromNode: string | null;
  toNode: string | null;
  ok: boolean;
  code?: MigrationRefusal;
  reason?: string;
  changes: MigrationChanges;
  /** When the ticket entered the node it sits at (ISO): the SLA on the new version counts from it. */
  enteredAt: string | null;
  /** When the SLA on the new version passes (ISO); null when the node it lands on has no SLA. */
  slaDueAt: string | null;
  /** The new SLA has already passed: the ticket is overdue as soon as it moves. */
  overdue: boolean;
};

export type MigrationPreview = {
  proposed: ProposedMapping;
  mapping: Record<string, string | null>;
  tickets: TicketMigrationPreview[];
};

export type MigrationResult = {
  moved: Array<{ ticketId: string; number: number; toNode: string; seq: number; slaDueAt: string | null }>;
  skipped: Array<{ ticketId: string; reason: 'moved' | 'not_found' }>;
  unmappable: Array<{ ticketId: string; number: number; code: MigrationRefusal; reason: string }>;
};

/** The mapping used: the proposal, overridden node by node by the manager's choices. */
function mappingOf(
  proposed: ProposedMapping,
  overrides: Readonly<Record<string, string | null>> | undefined,
): Record<string, string | null> {
  const mapping: Record<string, string | null> = {};
  for (const [nodeId, target] of Object.entries(proposed.mapping)) {
    const chosen = overrides && Object.hasOwn(overrides, nodeId) ? overrides[nodeId] : target;
    Object.defineProperty(mapping, nodeId, {
      value: chosen ?? null,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return mapping;
}

async function liveTickets(
  query: Query,
  v: MigrationVersions,
  ticketIds?: readonly string[],
): Promise<TicketRow[]> {
  const params: unknown[] = [v.orgId, v.flowId, v.from.id];
  let filter = '';
  if (ticketIds !== undefined) {
    params.push(ticketIds);
    filter = ' AND t.id = ANY($4::uuid[])';
  }
  return query<TicketRow>(
    `SELECT ${ticketColumns('t')} FROM tickets t
      WHERE t.org_id = $1::uuid AND t.flow_id = $2::uuid AND t.version_id = $3::uuid
        AND t.status NOT IN ('ended', 'unrouted')${filter}
      ORDER BY t.number LIMIT ${MIGRATION_LIMIT}`,
    params,
  );
}

/**
 * Events that bring a ticket into the node it sits at: any move to another node, and the events that
 * enter a node even when it is the same one (intake, a manual start, a completed step looping back to
 * itself, a finished subflow). Everything else leaves it where it was — an assignment, a breach without
 * an escalation edge, feedback — and a migration moves it to another version, not through its flow.
 */
const ENTRY = `e.type <> 'ticket.migrated' AND (e.from_node IS DISTINCT FROM e.to_node
  OR e.type IN ('ticket.created', 'flow.started', 'step.completed', 'subflow.completed'))`;

/**
 * When each ticket entered the node it sits at: the time of its latest event that moved it through its
 * flow (one read over the tickets' events). A ticket with no such event counts from its creation.
 */
async function entryTimes(
  query: Query,
  orgId: string,
  rows: readonly TicketRow[],
): Promise<Map<string, number>> {
  const entered = new Map<string, number>();
  if (rows.length === 0) return entered;
  const found = await query<{ ticket_id: string; at: string }>(
    `SELECT DISTINCT ON (e.ticket_id) e.ticket_id::text AS ticket_id,
        to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM ticket_events e
      WHERE e.org_id = $1::uuid AND e.ticket_id = ANY($2::uuid[]) AND ${ENTRY}
      ORDER BY e.ticket_id, e.seq DESC`,
    [orgId, rows.map((r) => r.id)],
  );
  for (const f of found) entered.set(f.ticket_id, Date.parse(f.at));
  for (const r of rows) if (!entered.has(r.id)) entered.set(r.id, Date.parse(r.created_at));
  return entered;
}

/** Where each live ticket of `from` would land on `to` with the mapping (the proposal, overridden). */
export async function previewMigration(
  database: Database,
  versions: MigrationVersions,
  overrides: Readonly<Record<string, string | null>> | undefined,
  now: Date,
): Promise<MigrationPreview> {
  const proposed = proposeMapping(versions.from.document, versions.to.document);
  const mapping = mappingOf(proposed, overrides);
  const pool = poolQuery(database);
  const rows = await liveTickets(pool, versions);
  const entered = await entryTimes(pool, versions.orgId, rows);
  const tickets = rows.map((row): TicketMigrationPreview => {
    const enteredAt = entered.get(row.id);
    const base = {
      ticketId: row.id,
      number: row.number,
      subject: row.subject,
      seq: row.seq,
      fromNode: row.node_id,
      enteredAt: enteredAt === undefined ? null : new Date(enteredAt).toISOString(),
      slaDueAt: null,
      overdue: false,
    };
    const state = runStateOf(row);
    if (!state) {
      return {
        ...base,
        toNode: null,
        ok: false,
        code: 'BROKEN_STATE',
        reason: 'The ticket has no run state.',
        changes: {},
      };
    }
    const plan = planMigration(versions.from.document, versions.to.document, mapping, state, {
      now: now.getTime(),
      enteredAt,
    });
    return plan.ok
      ? {
          ...base,
          toNode: plan.state.nodeId,
          ok: true,
          changes: plan.changes,
          slaDueAt: plan.slaDueAt === null ? null : new Date(plan.slaDueAt).toISOString(),
          overdue: plan.slaDueAt !== null && plan.slaDueAt <= now.getTime(),
        }
      : { ...base, toNode: null, ok: false, code: plan.code, reason: plan.reason, changes: {} };
  });
  return { proposed, mapping, tickets };
}

/**
 * Moves the chosen live tickets of `from` to `to`, each with the compare-and-set of any move: the
 * ticket must still be at the sequence number the preview showed (`expected`), else it is skipped as
 * moved. Each move is one `ticket.migrated` event; the old timers are cancelled, the new node's are
 * scheduled (a step's SLA counted from when the ticket entered the node it sat at, as the preview
 * showed), and the ticket's version changes in the same transaction. Tickets the mapping cannot
 * place are listed and left on their version.
 */
export async function applyMigration(
  database: Database,
  versions: MigrationVersions,
  input: {
    overrides: Readonly<Record<string, string | null>> | undefined;
    ticketIds: readonly string[] | undefined;
    expected: Readonly<Record<string, number>>;
    mover: Mover;
    now: Date;
    tickets?: TicketCache;
  },
): Promise<MigrationResult> {
  const cache = input.tickets ?? ticketCache;
  const pool = poolQuery(database);
  const proposed = proposeMapping(versions.from.document, versions.to.document);
  const mapping = mappingOf(proposed, input.overrides);
  const wanted = input.ticketIds ?? Object.keys(input.expected);
  const rows = await liveTickets(pool, versions, wanted);
  const entered = await entryTimes(pool, versions.orgId, rows);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const result: MigrationResult = { moved: [], skipped: [], unmappable: [] };
  for (const ticketId of wanted) {
    const row = byId.get(ticketId);
    const expected = Object.hasOwn(input.expected, ticketId) ? input.expected[ticketId] : undefined;
    if (!row) {
      // Gone from the version (migrated, ended) or never on it.
      result.skipped.push({ ticketId, reason: 'not_found' });
      continue;
    }
    if (expected === undefined || row.seq !== expected) {
      result.skipped.push({ ticketId, reason: 'moved' });
      continue;
    }
    const moved = await advanceTicket(
      database,
      { ticketId },
      input.mover,
      {
        type: 'migrate',
        migration: { from: versions.from, to: versions.to, mapping, enteredAt: entered.get(ticketId) },
      },
      { now: input.now, expectedSeq: expected, tickets: cache },
    );
    if (moved.ok) {
      result.moved.push({
        ticketId,
        number: row.number,
        toNode: moved.move.row.node_id ?? '',
        seq: moved.move.row.seq,
        slaDueAt: moved.move.write.slaDueAt,
      });
      continue;
    }
    switch (moved.reason) {
      case 'unmappable':
        result.unmappable.push({ ticketId, number: row.number, code: moved.code, reason: moved.message });
        break;
      case 'not_found':
        result.skipped.push({ ticketId, reason: 'not_found' });
        break;
      case 'forbidden':
        return refuse('forbidden', 'Only a manager or an admin can migrate tickets.');
      case 'conflict':
      case 'replay':
      case 'refused':
        result.skipped.push({ ticketId, reason: 'moved' });
        break;
    }
  }
  return result;
}
