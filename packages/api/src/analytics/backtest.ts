import type { Database } from '@stepwise/db';
import {
  type BacktestSummary,
  backtest,
  type FlowDocument,
  type PastTicket,
  parseStoredEvent,
  type StoredEvent,
  pastTicketOf,
} from '@stepwise/flow';
import { refuse } from '../runtime/runtimeError.ts';
import { loadFlow, loadSide } from '../services/versionOps.ts';

/** Tickets a backtest may replay (the last N finished tickets of the flow). */
export const MAX_BACKTEST_TICKETS = 10_000;
/** Tickets one call replays: a batch takes a fraction of a second, so the page shows progress between. */
export const BACKTEST_BATCH = 1_000;

/** Where a batch goes on from: after the ticket closed at `closedAt` (microseconds, UTC) with id `id`. */
export type BacktestCursor = { closedAt: string; id: string };

export type BacktestBatch = {
  /** What this batch found (merge batches with `mergeBacktest` of `@stepwise/flow`). */
  summary: BacktestSummary;
  /** Number and subject of the tickets in `summary.samples`, by id. */
  sampled: Record<string, { number: number; subject: string }>;
  /** The next batch's cursor; null when the flow has no older finished ticket. */
  next: BacktestCursor | null;
  /** On the first batch (no cursor): how many finished tickets the flow has (for the progress bar). */
  available: number | null;
  /** Tickets whose events could not be read (left out, counted). */
  unreadable: number;
};

type Row = {
  id: string;
  number: number;
  subject: string;
  closed_at: string;
  events: Array<{ at: number; data: unknown }>;
};

/**
 * The finished tickets of a flow, most recently closed first, after `after`: each with its events in
 * order (their times as epoch milliseconds), in one statement.
 */
const BATCH_SQL = `WITH picked AS (
  SELECT t.id, t.number, t.subject, t.closed_at FROM tickets t
   WHERE t.org_id = $1::uuid AND t.flow_id = $2::uuid AND t.status = 'ended' AND t.closed_at IS NOT NULL
     AND ($3::timestamptz IS NULL OR (t.closed_at, t.id) < ($3::timestamptz, $4::uuid))
   ORDER BY t.closed_at DESC, t.id DESC
   LIMIT $5
)
SELECT p.id, p.number, p.subject,
       to_char(p.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS closed_at,
       (SELECT json_agg(json_build_object('at', (extract(epoch FROM e.created_at) * 1000)::float8, 'data', e.data)
                        ORDER BY e.seq)
          FROM ticket_events e WHERE e.ticket_id = p.id AND e.org_id = $1::uuid) AS events
  FROM picked p
 ORDER BY p.closed_at DESC, p.id DESC`;

/** The document a backtest replays: the flow's draft, or one of its versions. */
export async function backtestDocument(
  database: Database,
  input: { orgId: string; flowId: string; source: string },
): Promise<FlowDocument> {
  const flow = await loadFlow(database, input.orgId, input.flowId);
  return (await loadSide(database, input.orgId, flow, input.source)).document;
}

/** Reads finished tickets' rows as past tickets; rows whose events do not read are counted, not replayed. */
export function pastTickets(rows: readonly Pick<Row, 'id' | 'events'>[]): {
  tickets: PastTicket[];
  unreadable: number;
} {
  const tickets: PastTicket[] = [];
  let unreadable = 0;
  for (const row of rows) {
    const events: Array<{ createdAt: number; data: StoredEvent }> = [];
    let ok = true;
    for (const event of row.events ?? []) {
      const parsed = parseStoredEvent(event.data);
      if (!parsed.ok) {
        ok = false;
        break;
      }
      events.push({ createdAt: event.at, data: parsed.event });
    }
    const past = ok ? pastTicketOf(row.id, events) : null;
    if (past) tickets.push(past);
    else unreadable++;
  }
  return { tickets, unreadable };
}

/**
 * One batch of a backtest: replays `document` over the next `take` finished tickets of the flow (most
 * recently closed first) with the pure engine, using their recorded fields and answers (see `backtest` of
 * `@stepwise/flow`). Nothing is written.
 */
export async function backtestBatch(
  database: Database,
  input: {
    orgId: string;
    flowId: string;
    document: FlowDocument;
    take: number;
    after: BacktestCursor | null;
  },
): Promise<BacktestBatch> {
  if (!Number.isInteger(input.take) || input.take < 1 || input.take > BACKTEST_BATCH)
    refuse('invalid', `A batch replays 1 to ${BACKTEST_BATCH} tickets.`);
  const rows = await database.query<Row>(BATCH_SQL, [
    input.orgId,
    input.flowId,
    input.after?.closedAt ?? null,
    input.after?.id ?? null,
    input.take,
  ]);
  const { tickets, unreadable } = pastTickets(rows);
  const summary = backtest(input.document, tickets);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const sampled: BacktestBatch['sampled'] = {};
  for (const sample of summary.samples) {
    const row = byId.get(sample.ticketId);
    if (row) sampled[sample.ticketId] = { number: row.number, subject: row.subject };
  }
  const last = rows.at(-1);
  let available: number | null = null;
  if (input.after === null) {
    const [count] = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets
        WHERE org_id = $1::uuid AND flow_id = $2::uuid AND status = 'ended' AND closed_at IS NOT NULL`,
      [input.orgId, input.flowId],
    );
    available = count?.n ?? 0;
  }
  return {
    summary,
    sampled,
    next: last && rows.length === input.take ? { closedAt: last.closed_at, id: last.id } : null,
    available,
    unreadable,
  };
}
