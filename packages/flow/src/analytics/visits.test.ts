import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStoredEvent } from '../storedEvent.ts';
import { type OpenVisit, type Visit, visitsOfMove } from './visits.ts';

const HISTORIES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/histories');

type History = {
  /** The version the ticket was created on. */
  createdOn: string;
  events: Array<{ seq: number; createdAt: string; actorId?: string | null; data: unknown }>;
};

/** Folds a recorded history through `visitsOfMove`, as a rebuild from the event log does. */
function visitsOf(name: string): { closed: Visit[]; open: OpenVisit | null; responses: number[] } {
  const history = JSON.parse(readFileSync(join(HISTORIES, name), 'utf8')) as History;
  const closed: Visit[] = [];
  const responses: number[] = [];
  let open: OpenVisit | null = null;
  const events = history.events.map((event) => {
    const parsed = parseStoredEvent(event.data);
    if (!parsed.ok) throw new Error(`${name} seq ${event.seq}: ${parsed.error.message}`);
    return { ...event, data: parsed.event };
  });
  let versionId = history.createdOn;
  for (const event of events) {
    const { data } = event;
    if ('toVersion' in data) versionId = data.toVersion;
    if (data.input.type === 'start' && 'versionId' in data && data.versionId) versionId = data.versionId;
    const moved = visitsOfMove(open, {
      seq: event.seq,
      at: event.createdAt,
      actorId: event.actorId ?? (data.input.type === 'complete_step' ? data.input.actorId : null),
      versionId,
      data,
    });
    closed.push(...moved.closed);
    if (moved.response) responses.push(event.seq);
    open = moved.open;
  }
  return { closed, open, responses };
}

const brief = (v: Visit) => [v.seq, v.ordinal, v.nodeId, v.exit, v.handle, v.nextNodeId, v.breached];

describe('visitsOfMove', () => {
  it('given a decision that takes its default branch and an SLA that escalates by its breach edge, then each stay ends with how it left', () => {
    const { closed, open } = visitsOf('decision-default-sla-breach-edge-feedback.json');
    expect(closed.map(brief)).toEqual([
      [1, 0, 'start', 'auto', null, 'vip', false],
      [1, 1, 'vip', 'branch', 'default', 'triage', false],
      [2, 0, 'triage', 'sla_breach', null, 'escalate', true],
      [2, 1, 'escalate', 'action', null, 'senior', false],
      [3, 0, 'senior', 'outcome', 'outcome:done', 'closed', false],
      [3, 1, 'closed', 'end', 'resolved', null, false],
    ]);
    const triage = closed[2];
    expect(triage?.enteredAt).toBe(closed[1]?.leftAt);
    expect(Date.parse(triage?.leftAt ?? '') - Date.parse(triage?.enteredAt ?? '')).toBeGreaterThan(0);
    expect(open).toBeNull();
  });

  it('given a migration, then the stay on the old version ends as a migration and a new one begins on the new version', () => {
    const { closed, open } = visitsOf('migrated-to-second-version.json');
    const migration = closed.find((v) => v.exit === 'migration');
    const after = closed.find((v) => v.seq > (migration?.seq ?? 0));
    expect(migration).toMatchObject({ nodeId: 'work', nextNodeId: null });
    expect(after?.versionId).not.toBe(migration?.versionId);
    expect(after?.enteredAt).toBe(migration?.leftAt);
    expect(open).toBeNull();
  });

  it('given an SLA that passes in place, then the stay stays open, marked breached, until the agent completes it', () => {
    const { closed } = visitsOf('sla-breach-in-place-assign-restart.json');
    expect(closed.map(brief).slice(0, 2)).toEqual([
      [1, 0, 'start', 'auto', null, 'work', false],
      [5, 0, 'work', 'outcome', 'outcome:done', 'end', true],
    ]);
    // The restart by hand begins a new run: nothing carries over from the ended one.
    expect(closed.filter((v) => v.nodeId === 'start').map((v) => v.seq)).toEqual([1, 6]);
  });

  it('given every recorded history, then the stays chain: each one ends where the next one begins, keys are unique', () => {
    for (const name of readdirSync(HISTORIES).filter((f) => f.endsWith('.json'))) {
      const { closed } = visitsOf(name);
      const keys = new Set(closed.map((v) => `${v.seq}:${v.ordinal}`));
      expect(keys.size, name).toBe(closed.length);
      for (const visit of closed) {
        expect(Date.parse(visit.leftAt) >= Date.parse(visit.enteredAt), name).toBe(true);
        if (visit.nextNodeId === null) expect(['end', 'migration'], name).toContain(visit.exit);
      }
    }
  });
});
