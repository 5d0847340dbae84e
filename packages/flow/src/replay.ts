import { parseIsoTime } from './isoTime.ts';
import type { FlowDocument } from './schema.ts';
import { applyTicketEdit, type StoredEvent } from './storedEvent.ts';
import { initialState, transition } from './transition.ts';
import type { Effect, EngineEvent, RunState, TrailEntry } from './types.ts';

/** A parsed event as replay needs it: its sequence number, when it was recorded, what it stores. */
export type ReplayEvent = {
  seq: number;
  /** When the move was made (ISO 8601, or milliseconds since the epoch): the engine's `now` for it. */
  createdAt: string | number;
  data: StoredEvent;
};

/** The first event replay could not go past, and why. */
export type ReplayDivergence = { ok: false; seq: number; reason: string };
/**
 * What one event of the run did on replay: the node it left the ticket at, the trail it walked and
 * the effects the engine asked for (none for the runtime's own inputs).
 */
export type ReplayStep = { seq: number; nodeId: string | null; trail: TrailEntry[]; effects: Effect[] };
export type ReplayResult = { ok: true; state: RunState; steps: ReplayStep[] } | ReplayDivergence;

/** An event that begins a run: the ticket's creation, a start by hand, a migration to another version. */
export function beginsRun(event: { data: StoredEvent }): boolean {
  const type = event.data.input.type;
  return type === 'created' || type === 'start' || type === 'migrate';
}

/**
 * The events of the ticket's current run on the version it is pinned to now: from its creation, its
 * last start by hand (a ticket started on another flow after it ended or came in unrouted begins a
 * new run) or its last migration to another version (which records the whole state it landed in).
 */
export function runOf<E extends { data: StoredEvent }>(events: readonly E[]): E[] {
  let from = 0;
  events.forEach((event, i) => {
    if (beginsRun(event)) from = i;
  });
  return events.slice(from);
}

/** An event whose trail records an SLA breach. */
function breachedIn(event: { data: StoredEvent }): boolean {
  return event.data.trail.some((entry) => entry.type === 'sla_breached');
}

function timeOf(createdAt: string | number): number {
  return typeof createdAt === 'number' ? createdAt : parseIsoTime(createdAt);
}

/**
 * Rebuilds a ticket's state from its events: the current run's first event (a creation or start
 * holding the ticket as it came in, or a migration holding the state it landed in) sets the state;
 * every later engine input is fed to `transition` on `document` (the version the ticket is pinned
 * to) at the time the event was recorded, and the runtime's own decisions (the agent picked for an
 * assignment, a hand assignment) are applied as recorded. The breach mark is the ticket's for life: a
 * breach in an earlier run carries into this one.
 *
 * Pure: the same document and events give the same answer anywhere. Returns the state (with what each
 * event of the run did: the node it left the ticket at, the trail it walked, the effects it asked
 * for), or the first event replay could not go past and why.
 */
export function replay(document: FlowDocument, events: readonly ReplayEvent[]): ReplayResult {
  const run = runOf(events);
  const breachedBefore = events.slice(0, events.length - run.length).some(breachedIn);
  let state: RunState | null = null;
  const steps: ReplayStep[] = [];
  for (const event of run) {
    const { data } = event;
    const input = data.input;
    const now = timeOf(event.createdAt);
    if (Number.isNaN(now)) return { ok: false, seq: event.seq, reason: 'the event has no valid time' };
    let engineEvent: EngineEvent;
    if (state === null) {
      if (input.type === 'migrate') {
        const recorded = input.state;
        state = { ...recorded, everBreached: recorded.everBreached || breachedBefore };
        steps.push({ seq: event.seq, nodeId: state.nodeId, trail: [], effects: [] });
        continue;
      }
      if (input.type !== 'created' && input.type !== 'start')
        return { ok: false, seq: event.seq, reason: 'the first event is not a start' };
      state = { ...initialState(input.ticket), everBreached: breachedBefore };
      // A ticket no flow took: its creation ran nothing.
      if (input.type === 'created' && data.trail.length === 0) {
        steps.push({ seq: event.seq, nodeId: state.nodeId, trail: [], effects: [] });
        continue;
      }
      engineEvent = { type: 'start' };
    } else {
      switch (input.type) {
        // A rating and an internal note change no run state.
        case 'feedback':
        case 'note':
          steps.push({ seq: event.seq, nodeId: state.nodeId, trail: [], effects: [] });
          continue;
        // A hand assignment (take, release, reassign) sets the assignee.
        case 'assign':
          state = { ...state, assigneeId: input.assigneeId };
          steps.push({ seq: event.seq, nodeId: state.nodeId, trail: [], effects: [] });
          continue;
        // A hand edit changes the ticket's attributes: later decisions see them.
        case 'edit':
          state = { ...state, ticket: applyTicketEdit(state.ticket, input.set) };
          steps.push({ seq: event.seq, nodeId: state.nodeId, trail: [], effects: [] });
          continue;
        // A reassignment sets the team and the agent, as recorded.
        case 'reassign':
          state = { ...state, teamId: input.teamId, assigneeId: input.assigneeId };
          steps.push({ seq: event.seq, nodeId: state.nodeId, trail: [], effects: [] });
          continue;
        case 'created':
        case 'start':
        case 'migrate':
          return { ok: false, seq: event.seq, reason: `a ${input.type} event inside a run` };
        default:
          engineEvent = input;
      }
    }
    const result = transition(document, state, engineEvent, { now });
    if (!result.ok)
      return { ok: false, seq: event.seq, reason: `${result.error.code}: ${result.error.message}` };
    state = result.state;
    if (data.runtime) state = { ...state, assigneeId: data.runtime.assigneeId };
    steps.push({ seq: event.seq, nodeId: state.nodeId, trail: result.events, effects: result.effects });
  }
  if (state === null) return { ok: false, seq: 0, reason: 'no events' };
  return { ok: true, state, steps };
}
