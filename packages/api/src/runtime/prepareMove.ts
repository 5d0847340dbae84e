import type { Effect, EngineEvent, RunState, TrailEntry } from '@stepwise/flow';
import { type PlannedEffects, planEffects } from './planEffects.ts';
import type { Query } from './sql.ts';
import { columnsOf, type TicketRow } from './ticketState.ts';
import type { MoveWrite } from './writeMove.ts';

/** What an event row stores: the engine input (replaying the inputs rebuilds the state) and the trail. */
export type EventData = {
  input: EngineEvent | { type: 'start'; ticket: RunState['ticket'] };
  trail: TrailEntry[];
  /** Decisions the runtime made for the engine's effects (the agent picked), so replay reproduces them. */
  runtime?: { assigneeId: string };
  /** The idempotency key the move was made with (each key moves a ticket at most once). */
  key?: string;
};

export type PreparedMove = {
  write: MoveWrite;
  /** The row as it will be after the move. */
  row: TicketRow;
  planned: PlannedEffects;
  data: EventData;
};

/**
 * Turns a successful transition into the write of the move and the row it leaves. Pure except for
 * `assign_agent` (one read to pick the agent).
 */
export async function prepareMove(
  query: Query,
  input: {
    row: TicketRow;
    state: RunState;
    effects: readonly Effect[];
    trail: TrailEntry[];
    engineInput: EngineEvent;
    eventType: string;
    actorId: string | null;
    now: Date;
    firedTimerId?: string | null;
    idempotencyKey?: string;
  },
): Promise<PreparedMove> {
  const { row } = input;
  const planned = await planEffects(query, row.org_id, input.state, input.effects);
  const state = planned.state;
  const nowIso = input.now.toISOString();
  const sla = planned.timers.find((t) => t.kind === 'sla');
  const stayed = state.nodeId === row.node_id && state.status === row.status;
  const slaDueAt = sla ? sla.dueAt : stayed ? row.sla_due_at : null;
  const closedAt = state.status === 'ended' ? (row.closed_at ?? nowIso) : null;
  const data: EventData = { input: input.engineInput, trail: input.trail };
  if (planned.picked) data.runtime = { assigneeId: planned.picked.userId };
  if (input.idempotencyKey !== undefined) data.key = input.idempotencyKey;
  const columns = columnsOf(state);
  // Pending timers exist only at a step with an SLA or at a wait: skip the cancel otherwise.
  const cancelTimers = planned.cancelTimers && (row.sla_due_at !== null || row.status === 'waiting');
  const write: MoveWrite = {
    ticketId: row.id,
    orgId: row.org_id,
    expectedSeq: row.seq,
    columns,
    slaDueAt,
    closedAt,
    now: nowIso,
    event: {
      type: input.eventType,
      actorId: input.actorId,
      fromNode: row.node_id,
      toNode: state.nodeId,
      data: JSON.stringify(data),
    },
    timers: planned.timers,
    messages: planned.messages,
    cancelTimers,
    firedTimerId: input.firedTimerId ?? null,
    touchMember: planned.touchMember,
    key: null,
  };
  const next: TicketRow = {
    ...row,
    seq: row.seq + 1,
    status: columns.status,
    node_id: columns.nodeId,
    team_id: columns.teamId,
    assignee_id: columns.assigneeId,
    breached: columns.breached,
    end_status: columns.endStatus,
    channel: columns.channel,
    priority: columns.priority,
    category: columns.category,
    subject: columns.subject,
    customer_name: columns.customerName,
    customer_email: columns.customerEmail,
    customer_tier: columns.customerTier,
    tags: state.ticket.tags,
    fields: state.ticket.fields,
    sla_due_at: slaDueAt,
    sla_breached_at: columns.everBreached ? (row.sla_breached_at ?? nowIso) : null,
    updated_at: nowIso,
    closed_at: closedAt,
  };
  return { write, row: next, planned, data };
}
