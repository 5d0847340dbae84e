import {
  beginsRun,
  type FlowDocument,
  parseStoredEvent,
  type ReplayEvent,
  type ReplayResult,
  replay,
} from '@stepwise/flow';

/** An event row as replay needs it (its data as stored). */
export type EventRow = { seq: number; type: string; data: unknown; createdAt: string };

/** Event rows read as typed events (older versions migrated), or the first row that is not one. */
export function parseEventRows<E extends EventRow>(
  rows: readonly E[],
): { ok: true; events: Array<E & ReplayEvent> } | { ok: false; seq: number; reason: string } {
  const events: Array<E & ReplayEvent> = [];
  for (const row of rows) {
    const parsed = parseStoredEvent(row.data);
    if (!parsed.ok)
      return { ok: false, seq: row.seq, reason: `${parsed.error.code}: ${parsed.error.message}` };
    events.push({ ...row, data: parsed.event });
  }
  return { ok: true, events };
}

/**
 * The rows of the ticket's current run on the version it is pinned to now (see `runOf` of
 * `@stepwise/flow`); a row whose data is not an event begins no run.
 */
export function runOf<E extends EventRow>(rows: readonly E[]): E[] {
  let from = 0;
  rows.forEach((row, i) => {
    const parsed = parseStoredEvent(row.data);
    if (parsed.ok && beginsRun({ data: parsed.event })) from = i;
  });
  return rows.slice(from);
}

/**
 * Rebuilds a routed ticket's state from its event rows (reliability promise 5): the rows are parsed
 * as stored events and replayed by `replay` of `@stepwise/flow` on the pinned version's document.
 * Returns the state, or the first row replay could not go past and why.
 */
export function replayTicket(document: FlowDocument, rows: readonly EventRow[]): ReplayResult {
  const parsed = parseEventRows(rows);
  if (!parsed.ok) return parsed;
  return replay(document, parsed.events);
}
