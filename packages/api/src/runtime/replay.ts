import {
  type EngineEvent,
  type FlowDocument,
  initialState,
  type RunState,
  type TicketData,
  transition,
} from '@stepwise/flow';

/** An event row as replay needs it. */
export type ReplayEvent = { seq: number; type: string; data: unknown; createdAt: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inputTypeOf(event: ReplayEvent): unknown {
  const data = event.data;
  return isRecord(data) && isRecord(data.input) ? data.input.type : undefined;
}

/**
 * The events of the ticket's current run on the version it is pinned to now: from its last start (a
 * ticket started on another flow by hand, after it ended or came in unrouted, begins a new run) or its
 * last migration to another version (which records the whole state it landed in).
 */
export function runOf<E extends ReplayEvent>(events: readonly E[]): E[] {
  let from = 0;
  events.forEach((event, i) => {
    const type = inputTypeOf(event);
    if (type === 'start' || type === 'migrate') from = i;
  });
  return events.slice(from);
}

/** An event whose trail records an SLA breach. */
function breachedIn(event: ReplayEvent): boolean {
  const data = event.data;
  const trail = isRecord(data) ? data.trail : undefined;
  return Array.isArray(trail) && trail.some((entry) => isRecord(entry) && entry.type === 'sla_breached');
}

/**
 * Rebuilds a routed ticket's state from its events (reliability promise 5): the `ticket.created`
 * event's input holds the ticket as it came in; every later event's input is fed to `transition` on
 * the pinned version's document, at the time the event was recorded, and the runtime's own decisions
 * (the agent picked for an assignment) are applied as recorded. Returns the state, or the first reason
 * replay could not go on.
 */
export function replayTicket(
  document: FlowDocument,
  events: readonly ReplayEvent[],
): { ok: true; state: RunState } | { ok: false; seq: number; reason: string } {
  let state: RunState | null = null;
  const run = runOf(events);
  // The breach mark is the ticket's for life: a breach in an earlier run carries into this one.
  const breachedBefore = events.slice(0, events.length - run.length).some(breachedIn);
  for (const event of run) {
    const data = event.data;
    const input = isRecord(data) ? data.input : undefined;
    const now = Date.parse(event.createdAt);
    if (!isRecord(input) || typeof input.type !== 'string')
      return { ok: false, seq: event.seq, reason: 'no input' };
    // Runtime events that are not engine inputs: a feedback answer changes no run state; a hand
    // assignment (take / release) sets the assignee.
    if (state !== null && input.type === 'feedback') continue;
    if (state !== null && input.type === 'assign') {
      const current: RunState = state;
      state = { ...current, assigneeId: typeof input.assigneeId === 'string' ? input.assigneeId : null };
      continue;
    }
    if (state === null && input.type === 'migrate') {
      if (!isRecord(input.state) || !isRecord(input.state.ticket))
        return {
          ok: false,
          seq: event.seq,
          reason: 'the migration event does not record the state it landed in',
        };
      const recorded = input.state as RunState;
      // Migrations recorded before the sticky mark existed hold no `everBreached`.
      state = { ...recorded, everBreached: recorded.everBreached === true || breachedBefore };
      continue;
    }
    let engineEvent: EngineEvent;
    if (state === null) {
      if (input.type !== 'start' || !isRecord(input.ticket)) {
        return { ok: false, seq: event.seq, reason: 'the first event is not a start' };
      }
      state = { ...initialState(input.ticket as TicketData), everBreached: breachedBefore };
      engineEvent = { type: 'start' };
    } else {
      engineEvent = input as EngineEvent;
    }
    const result = transition(document, state, engineEvent, { now });
    if (!result.ok)
      return { ok: false, seq: event.seq, reason: `${result.error.code}: ${result.error.message}` };
    state = result.state;
    const runtime = isRecord(data) ? data.runtime : undefined;
    if (isRecord(runtime) && typeof runtime.assigneeId === 'string')
      state = { ...state, assigneeId: runtime.assigneeId };
  }
  if (state === null) return { ok: false, seq: 0, reason: 'no events' };
  return { ok: true, state };
}
