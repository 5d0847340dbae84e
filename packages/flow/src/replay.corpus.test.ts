import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIsoTime } from './isoTime.ts';
import { parseFlowDocument } from './parseFlowDocument.ts';
import { beginsRun, type ReplayEvent, replay } from './replay.ts';
import { NODE_TYPES } from './schema.ts';
import { parseStoredEvent, STORED_EVENT_KINDS } from './storedEvent.ts';
import type { RunState } from './types.ts';

/**
 * The replay corpus: histories recorded by running the real runtime (`scripts/record-histories.ts`).
 * Each holds the documents of the versions a ticket ran on, its events exactly as stored and its final
 * run state. Replaying them must give back every event's node and trail and the final state: an engine
 * change that would replay a stored ticket differently fails here, naming the history and the event.
 */
type History = {
  name: string;
  description: string;
  createdOn: string | null;
  versionId: string | null;
  documents: Record<string, unknown>;
  events: Array<{
    seq: number;
    type: string;
    fromNode: string | null;
    toNode: string | null;
    createdAt: string;
    data: unknown;
  }>;
  timers: Array<{ seq: number; kind: string; nodeId: string; dueAt: string }>;
  final: RunState | null;
};

const HISTORIES = new URL('../fixtures/histories/', import.meta.url);
const histories: History[] = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(new URL(file, HISTORIES), 'utf8')) as History);

/** The events of a history, parsed (failing on the first that is not an event). */
function parsedEvents(history: History): ReplayEvent[] {
  return history.events.map((event) => {
    const parsed = parseStoredEvent(event.data);
    if (!parsed.ok)
      throw new Error(
        `${history.name}, seq ${event.seq}: the stored event does not parse: ${parsed.error.message}`,
      );
    return { seq: event.seq, createdAt: event.createdAt, data: parsed.event };
  });
}

/** The runs of a history: where each ends in its events, and the version it ran on. */
function runsOf(
  history: History,
  events: readonly ReplayEvent[],
): Array<{ end: number; versionId: string | null }> {
  const runs: Array<{ end: number; versionId: string | null }> = [];
  let versionId = history.createdOn;
  events.forEach((event, i) => {
    if (i > 0 && beginsRun(event)) runs.push({ end: i, versionId });
    const data = event.data;
    if (data.input.type === 'start' && 'versionId' in data && data.versionId) versionId = data.versionId;
    if (data.input.type === 'migrate' && 'toVersion' in data) versionId = data.toVersion;
  });
  runs.push({ end: events.length, versionId });
  return runs;
}

/** Moves that keep a ticket where it is: the stay's pending timers move on to their sequence number. */
const CARRYING: ReadonlySet<string> = new Set(['assign', 'note', 'edit', 'reassign', 'feedback']);

/**
 * The sequence number of the event that scheduled a timer. A timer is stored at the sequence number of
 * the last move that carried it (a note, edit or assignment keeps the ticket in its stay, and its timers
 * with it), so it was scheduled by the last event before that run of carrying moves.
 */
function scheduledBy(events: readonly ReplayEvent[], storedSeq: number): number {
  let seq = storedSeq;
  for (;;) {
    const event = events.find((e) => e.seq === seq);
    if (!event || seq <= 1 || !CARRYING.has(event.data.input.type)) return seq;
    seq -= 1;
  }
}

describe('replay corpus (histories recorded from the runtime)', () => {
  it('has a history for every kind of stored event and every kind of node', () => {
    // given the corpus
    const kinds = new Set<string>();
    const nodeTypes = new Set<string>();
    for (const history of histories) {
      for (const event of parsedEvents(history)) {
        kinds.add(event.data.input.type);
        for (const entry of event.data.trail)
          if (entry.type === 'node_entered') nodeTypes.add(entry.nodeType);
      }
    }
    // then every kind is covered, and some ticket was migrated, breached, started by hand and run as a subflow's child
    expect([...kinds].sort()).toEqual([...STORED_EVENT_KINDS].sort());
    expect([...nodeTypes].sort()).toEqual([...NODE_TYPES].sort());
    expect(
      histories.some((h) => h.events.some((e) => JSON.stringify(e.data).includes('"sla_breached"'))),
    ).toBe(true);
    expect(histories.some((h) => 'parent' in h)).toBe(true);
  });

  it.each(histories.map((h) => [h.name, h] as const))(
    'replays "%s" to every recorded node, trail and final state',
    (name, history) => {
      // given the stored events and the documents of the versions they ran on
      const events = parsedEvents(history);
      const documents = new Map(
        Object.entries(history.documents).map(([id, raw]) => {
          const parsed = parseFlowDocument(raw);
          if (!parsed.ok) throw new Error(`${name}: version ${id} does not parse`);
          return [id, parsed.document] as const;
        }),
      );
      const runs = runsOf(history, events);
      expect(runs.at(-1)?.versionId, `${name}: the last run is on the pinned version`).toBe(
        history.versionId,
      );
      let state: RunState | null = null;
      let start = 0;
      for (const run of runs) {
        const from = start;
        start = run.end;
        // A ticket no flow took ran nothing: there is no document to replay it on.
        if (run.versionId === null) continue;
        const document = documents.get(run.versionId);
        if (!document) throw new Error(`${name}: no document for version ${run.versionId}`);
        // when the run is replayed on its version, one event more each time
        for (let i = from; i < run.end; i++) {
          const replayed = replay(document, events.slice(0, i + 1));
          if (!replayed.ok)
            throw new Error(`${name}, seq ${replayed.seq}: replay stopped: ${replayed.reason}`);
          // then the event lands where it was recorded to, walking the recorded trail
          const step = replayed.steps.at(-1);
          const recorded = history.events[i];
          expect(step?.seq).toBe(recorded?.seq);
          expect(step?.nodeId, `${name}, seq ${recorded?.seq}: the node the event left the ticket at`).toBe(
            recorded?.toNode,
          );
          expect(step?.trail, `${name}, seq ${recorded?.seq}: the trail the event walked`).toEqual(
            (recorded?.data as { trail: unknown } | undefined)?.trail,
          );
          // and schedules the timers it was recorded to schedule, due when they were (a migration's
          // timers are planned by the migration, not replayed)
          if (recorded?.type !== 'ticket.migrated') {
            const scheduled = (step?.effects ?? []).flatMap((effect) =>
              effect.type === 'schedule_timer'
                ? [{ kind: effect.kind, nodeId: effect.nodeId, dueAt: effect.dueAt }]
                : [],
            );
            const timers = history.timers
              .filter((t) => scheduledBy(events, t.seq) === recorded?.seq)
              .map((t) => ({ kind: t.kind, nodeId: t.nodeId, dueAt: parseIsoTime(t.dueAt) }));
            expect(scheduled, `${name}, seq ${recorded?.seq}: the timers the event scheduled`).toEqual(
              timers,
            );
          }
          state = replayed.state;
        }
      }
      // and the last run ends in the recorded state
      expect(state, `${name}: the final state`).toEqual(history.final);
    },
  );

  it.each(histories.map((h) => [h.name, h] as const))(
    'replays "%s" stored as version 0 (before events had a schema version) to the same final state',
    (name, history) => {
      // given the events as the runtime stored them before: no schemaVersion, a creation recorded as a start
      const asVersion0 = history.events.map((event) => {
        const { schemaVersion: _, ...data } = event.data as Record<string, unknown> & {
          input: { type: string };
        };
        return data.input.type === 'created' ? { ...data, input: { ...data.input, type: 'start' } } : data;
      });
      // when parsed and replayed on the pinned version
      const events = asVersion0.map((data, i) => {
        const parsed = parseStoredEvent(data);
        if (!parsed.ok) throw new Error(`${name}, seq ${i + 1}: ${parsed.error.message}`);
        return { seq: i + 1, createdAt: history.events[i]?.createdAt ?? '', data: parsed.event };
      });
      const document = parseFlowDocument(history.documents[history.versionId ?? ''] ?? null);
      // then the state is the recorded one (a ticket no flow took has none to compare)
      if (!document.ok) return expect(history.versionId).toBeNull();
      const replayed = replay(document.document, events);
      if (!replayed.ok) throw new Error(`${name}, seq ${replayed.seq}: replay stopped: ${replayed.reason}`);
      expect(replayed.state, `${name}: the final state`).toEqual(history.final);
    },
  );
});
