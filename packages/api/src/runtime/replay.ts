import { type EngineEvent, type FlowDocument, initialState, type RunState, type TicketData, transition } from '@stepwise/flow';

/** An event row as replay needs it. */
export type ReplayEvent = { seq: number; type: string; data: unknown; createdAt: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  for (const event of events) {
    const data = event.data;
    const input = isRecord(data) ? data.input : undefined;
    const now = Date.parse(event.createdAt);
    if (!isRecord(input) || typeof input.type !== 'string') return { ok: false, seq: event.seq, reason: 'no input' };
    let engineEvent: EngineEvent;
    if (state === null) {
      if (input.type !== 'start' || !isRecord(input.ticket)) {
        return { ok: false, seq: event.seq, reason: 'the first event is not a start' };
      }
      state = initialState(input.ticket as TicketData);
      engineEvent = { type: 'start' };
    } else {
      engineEvent = input as EngineEvent;
    }
    const result = transition(document, state, engineEvent, { now });
    if (!result.ok) return { ok: false, seq: event.seq, reason: `${result.error.code}: ${result.error.message}` };
    state = result.state;
    const runtime = isRecord(data) ? data.runtime : undefined;
    if (isRecord(runtime) && typeof runtime.assigneeId === 'string') state = { ...state, assigneeId: runtime.assigneeId };
  }
  if (state === null) return { ok: false, seq: 0, reason: 'no events' };
  return { ok: true, state };
}
