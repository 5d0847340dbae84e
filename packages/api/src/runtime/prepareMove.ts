import {
  CURRENT_EVENT_SCHEMA_VERSION,
  type Effect,
  type EngineEvent,
  type RunState,
  type StoredEvent,
  type TicketData,
  type TicketEdit,
  type TrailEntry,
  visitsOfMove,
} from '@stepwise/flow';
import { jsonbOrder } from './jsonbOrder.ts';
import { notificationsOfMove } from './notifyUsers.ts';
import { type PlannedEffects, planEffects } from './planEffects.ts';
import type { Query } from './sql.ts';
import { columnsOf, openVisitOf, type TicketRow } from './ticketState.ts';
import type { TicketEventView } from './ticketView.ts';
import type { MoveWrite } from './writeMove.ts';

/**
 * The input a move records: replaying the inputs rebuilds the state. The engine's own events as
 * given; a creation with the ticket as it came in; a start by hand with the ticket and the flow and
 * version it started on; a hand assignment; a migration with the whole state it landed in; a
 * customer's rating.
 */
export type StoredInput =
  | Exclude<EngineEvent, { type: 'start' }>
  | { type: 'created'; ticket: TicketData; route: { flowId: string; versionId: string } | null }
  | { type: 'start'; ticket: TicketData; flowId: string; versionId: string }
  | { type: 'assign'; assigneeId: string | null }
  | { type: 'migrate'; fromVersion: string; toVersion: string; state: RunState }
  | { type: 'feedback'; score: number; comment: string | null }
  | { type: 'note'; body: string }
  | { type: 'edit'; set: TicketEdit; previous: TicketEdit }
  | { type: 'reassign'; teamId: string | null; assigneeId: string | null; reason: string };

/**
 * The one writer of an event's data: every event (a move's, and a ticket's creation) is built here
 * from its input, the engine's trail and the runtime's own decisions, typed by the stored-event schema
 * of `@stepwise/flow`, so no event misses a part its readers rely on (the trail, a migration's state).
 */
export function storedEventOf(parts: {
  input: StoredInput;
  trail: TrailEntry[];
  /** The agent the runtime picked for an `assign_agent` effect (replay applies it as recorded). */
  pickedAssigneeId: string | null;
  /** The idempotency key the move was made with (each key moves a ticket at most once). */
  key: string | undefined;
  fromNode: string | null;
  toNode: string | null;
}): StoredEvent {
  const { input, trail } = parts;
  const schemaVersion = CURRENT_EVENT_SCHEMA_VERSION;
  let event: StoredEvent;
  switch (input.type) {
    case 'created':
      event = { schemaVersion, input: { type: 'created', ticket: input.ticket }, trail };
      if (input.route) {
        event.flowId = input.route.flowId;
        event.versionId = input.route.versionId;
      }
      break;
    case 'start':
      event = {
        schemaVersion,
        input: { type: 'start', ticket: input.ticket },
        trail,
        flowId: input.flowId,
        versionId: input.versionId,
      };
      break;
    case 'migrate': {
      const s = input.state;
      event = {
        schemaVersion,
        fromVersion: input.fromVersion,
        toVersion: input.toVersion,
        fromNode: parts.fromNode,
        toNode: parts.toNode,
        // A migration runs no node; the trail is there because every event has one.
        trail,
        // For replay: the whole run state on the new version — replay starts again from it.
        input: {
          type: 'migrate',
          toVersion: input.toVersion,
          state: {
            ticket: s.ticket,
            status: s.status,
            nodeId: s.nodeId,
            teamId: s.teamId,
            assigneeId: s.assigneeId,
            breached: s.breached,
            everBreached: s.everBreached,
            endStatus: s.endStatus,
          },
        },
      };
      break;
    }
    case 'complete_step':
      event = { schemaVersion, input, trail };
      break;
    case 'timer_fired':
      event = { schemaVersion, input, trail };
      break;
    case 'customer_replied':
      event = { schemaVersion, input, trail };
      break;
    case 'subflow_completed':
      event = { schemaVersion, input, trail };
      break;
    case 'assign':
      event = { schemaVersion, input, trail };
      break;
    case 'feedback':
      event = { schemaVersion, input, trail };
      break;
    case 'note':
      event = { schemaVersion, input, trail };
      break;
    case 'edit':
      event = { schemaVersion, input: { type: 'edit', set: input.set }, previous: input.previous, trail };
      break;
    case 'reassign':
      event = { schemaVersion, input, trail };
      break;
  }
  if (parts.pickedAssigneeId !== null) event.runtime = { assigneeId: parts.pickedAssigneeId };
  if (parts.key !== undefined) event.key = parts.key;
  return event;
}

export type PreparedMove = {
  write: MoveWrite;
  /** The row as it will be after the move. */
  row: TicketRow;
  planned: PlannedEffects;
  data: StoredEvent;
  /** The event's data as it reads back from the jsonb column (for a byte-identical replayed response). */
  view: TicketEventView['data'];
};

/**
 * Turns the next state into the write of the move and the row it leaves. Pure except for
 * `assign_agent` (one read to pick the agent).
 */
export async function prepareMove(
  query: Query,
  input: {
    /** The row the move starts from (a start by hand resets the run first). */
    row: TicketRow;
    /** The sequence number the compare-and-set expects. */
    expectedSeq: number;
    state: RunState;
    effects: readonly Effect[];
    trail: TrailEntry[];
    input: StoredInput;
    eventType: string;
    actorId: string | null;
    /** The API token of a bot's move (its `actor_id` is null). */
    actorTokenId?: string | null;
    now: Date;
    firedTimerId?: string | null;
    idempotencyKey?: string | undefined;
    repin?: { flowId: string; versionId: string } | undefined;
    csat?: { score: number; comment: string | null } | null;
    feedbackTokenHash?: string | null;
    /** The ticket waits unrouted and stays so (a note or an edit on it): its status is kept. */
    unrouted?: boolean;
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
  const data = storedEventOf({
    input: input.input,
    trail: input.trail,
    pickedAssigneeId: planned.picked?.userId ?? null,
    key: input.idempotencyKey,
    fromNode: row.node_id,
    toNode: state.nodeId,
  });
  const columns = columnsOf(state);
  if (input.unrouted && state.status === 'new') columns.status = 'unrouted';
  // The analytics facts of the move: the visits it ends, the one it leaves open, a first response.
  const visits = visitsOfMove(openVisitOf(row), {
    seq: input.expectedSeq + 1,
    at: nowIso,
    actorId: input.actorId,
    versionId: input.repin ? input.repin.versionId : row.version_id,
    data,
  });
  const nodeEnteredAt = visits.open?.enteredAt ?? null;
  // Pending timers exist only at a step with an SLA or at a wait: skip the cancel otherwise.
  const timersPending = row.sla_due_at !== null || row.status === 'waiting';
  const cancelTimers = planned.cancelTimers && timersPending;
  // A move that keeps the ticket in its stay (an assignment) keeps the stay's timers alive: they fire
  // only at the ticket's sequence number, so they move to the new one.
  const carryTimers = stayed && !planned.cancelTimers && timersPending;
  const write: MoveWrite = {
    ticketId: row.id,
    orgId: row.org_id,
    expectedSeq: input.expectedSeq,
    columns,
    slaDueAt,
    closedAt,
    now: nowIso,
    event: {
      type: input.eventType,
      actorId: input.actorId,
      actorTokenId: input.actorTokenId ?? null,
      fromNode: row.node_id,
      toNode: state.nodeId,
      data: JSON.stringify(data),
    },
    timers: planned.timers,
    messages: planned.messages,
    cancelTimers,
    carryTimers,
    firedTimerId: input.firedTimerId ?? null,
    effects: [
      ...planned.afterCommit,
      ...notificationsOfMove({
        assigneeBefore: row.assignee_id,
        assigneeAfter: columns.assigneeId,
        trail: input.trail,
        actorId: input.actorId,
      }),
    ],
    endsRun: input.trail.some((entry) => entry.type === 'ended'),
    touchMember: planned.touchMember,
    key: null,
    visits: visits.closed,
    nodeEnteredAt,
    firstResponse: visits.response && row.first_response_at === null,
  };
  if (input.repin) write.repin = input.repin;
  if (input.csat) write.csat = input.csat;
  if (input.feedbackTokenHash) write.feedbackTokenHash = input.feedbackTokenHash;
  const next: TicketRow = {
    ...row,
    seq: input.expectedSeq + 1,
    flow_id: input.repin ? input.repin.flowId : row.flow_id,
    version_id: input.repin ? input.repin.versionId : row.version_id,
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
    node_entered_at: nodeEnteredAt,
    first_response_at: row.first_response_at ?? (visits.response ? nowIso : null),
  };
  return { write, row: next, planned, data, view: jsonbOrder(data) as TicketEventView['data'] };
}
