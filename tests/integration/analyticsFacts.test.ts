import { seededRandom } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillAnalytics, rebuildAnalytics } from '../../packages/api/src/analytics/rebuild.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { fireDueTimers } from '../../packages/api/src/runtime/fireDueTimers.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  publishNextVersion,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

type Snapshot = { visits: unknown[]; tickets: unknown[] };

describe.each(backends())('analytics facts (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Facts Org', clock.now());
  });
  afterAll(async () => {
    await db.dispose();
  });

  const snapshot = async (): Promise<Snapshot> => ({
    visits: await db.query(
      `SELECT ticket_id, seq, ordinal, version_id, node_id, entered_at, left_at, exit, handle, next_node_id, agent_id,
              breached FROM ticket_visits WHERE org_id = $1::uuid ORDER BY ticket_id, seq, ordinal`,
      [org.orgId],
    ),
    tickets: await db.query(
      `SELECT id, node_entered_at, first_response_at FROM tickets WHERE org_id = $1::uuid ORDER BY id`,
      [org.orgId],
    ),
  });

  it('given a random history (steps, loops, SLA breaches, a migration, open and ended tickets), when the facts are rebuilt from the event log, then they equal what the moves wrote', async () => {
    // given: tickets arriving over time, worked at random by an agent and a manager, some breaching their SLA
    const next = seededRandom(20301);
    const count = backend === 'postgres' ? 1000 : 150;
    const { flowId, versionId: v1 } = await publishFlow(
      db,
      org,
      'Facts loop',
      loopDocument({ slaMinutes: 30 }),
      1,
    );
    const agents = [apiAs(db, org.people.agent1, clock), apiAs(db, org.people.manager, clock)] as const;
    const open = new Map<string, number>();
    const work = async (ticketId: string) => {
      const seq = open.get(ticketId);
      if (seq === undefined) return;
      const done = next() < 0.3;
      const agent = next() < 0.5 ? agents[0] : agents[1];
      const moved = await agent.tickets.complete({
        ticketId,
        expectedSeq: seq,
        nodeId: 'work',
        outcomeId: done ? 'done' : 'again',
        idempotencyKey: newKey(),
      });
      if (moved.ticket.status !== 'at_step') open.delete(ticketId);
      else open.set(ticketId, moved.ticket.seq);
    };
    for (let i = 0; i < count; i++) {
      const created = await createTicket(db, ticketInput({ flowId }), {
        orgId: org.orgId,
        actorId: null,
        now: clock.now(),
      });
      open.set(created.ticket.id, created.ticket.seq);
      clock.advance(Math.floor(next() * 4 * MINUTE));
      if (next() < 0.6) {
        const ids = [...open.keys()];
        await work(ids[Math.floor(next() * ids.length)] ?? '');
      }
      if (i % 50 === 49) {
        // An SLA passes now and then: the timers fire through the runtime.
        clock.advance(31 * MINUTE);
        await fireDueTimers(db, clock.now());
        for (const ticket of await db.query<{ id: string; seq: number }>(
          `SELECT id, seq FROM tickets WHERE org_id = $1::uuid AND status = 'at_step'`,
          [org.orgId],
        ))
          if (open.has(ticket.id)) open.set(ticket.id, ticket.seq);
      }
      if (i === Math.floor(count / 2)) {
        // Halfway: v2 is published and the open tickets are moved to it.
        const v2 = await publishNextVersion(db, org, flowId, loopDocument({ slaMinutes: 45 }), 'v2');
        const manager = apiAs(db, org.people.manager, clock);
        const preview = await manager.versions.previewMigration({
          flowId,
          fromVersionId: v1,
          toVersionId: v2.id,
        });
        const expected = Object.fromEntries(preview.tickets.map((t) => [t.ticketId, t.seq]));
        await manager.versions.applyMigration({ flowId, fromVersionId: v1, toVersionId: v2.id, expected });
        for (const [id, seq] of Object.entries(expected)) if (open.has(id)) open.set(id, seq + 1);
      }
    }
    const incremental = await snapshot();
    const exits = new Set((incremental.visits as Array<{ exit: string }>).map((v) => v.exit));
    expect([...exits].sort()).toEqual(['action', 'auto', 'end', 'migration', 'outcome']);
    expect(
      (incremental.visits as Array<{ breached: boolean }>).some((v) => v.breached),
      'some stays breached their SLA',
    ).toBe(true);
    expect(open.size, 'some tickets are still open').toBeGreaterThan(0);

    // when: the facts are wiped and rebuilt from the event log
    await db.query('DELETE FROM ticket_visits WHERE org_id = $1::uuid', [org.orgId]);
    await db.query(
      'UPDATE tickets SET node_entered_at = NULL, first_response_at = NULL WHERE org_id = $1::uuid',
      [org.orgId],
    );
    const rebuilt = await rebuildAnalytics(db, { orgId: org.orgId, batch: 64 });

    // then: the same rows, byte for byte
    expect(rebuilt.skipped).toBe(0);
    expect(rebuilt.tickets).toBe(count);
    expect(await snapshot()).toEqual(incremental);
  });

  it('given a database upgraded from before the facts, when a server starts, then it rebuilds them once — unless it is stopped first', async () => {
    // given: the facts wiped and the migration's request for a rebuild
    const before = await snapshot();
    await db.query('DELETE FROM ticket_visits WHERE org_id = $1::uuid', [org.orgId]);
    await db.query(
      'INSERT INTO analytics_backfill (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET done_at = NULL',
    );
    // when a server stopping at once starts it, nothing is marked done
    const stopped = new AbortController();
    stopped.abort();
    expect(await backfillAnalytics(db, stopped.signal)).toBeNull();
    expect(await db.query('SELECT 1 FROM analytics_backfill WHERE done_at IS NULL')).toHaveLength(1);
    // when a server runs it, the facts are back and the request is done; the next start has nothing to do
    const result = await backfillAnalytics(db);
    expect(result?.visits).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(before);
    expect(await db.query('SELECT 1 FROM analytics_backfill WHERE done_at IS NULL')).toHaveLength(0);
    expect(await backfillAnalytics(db)).toBeNull();
  });

  it('given a ticket worked by an agent, then its first response is the first completion, and its open visit began when it entered the step', async () => {
    // given
    const { flowId } = await publishFlow(db, org, 'First response', loopDocument({ slaMinutes: null }), 2);
    const created = await createTicket(db, ticketInput({ flowId }), {
      orgId: org.orgId,
      actorId: null,
      now: clock.now(),
    });
    const createdAt = clock.now().toISOString();
    clock.advance(7 * MINUTE);
    const firstAt = clock.now().toISOString();
    // when
    const moved = await apiAs(db, org.people.agent1, clock).tickets.complete({
      ticketId: created.ticket.id,
      expectedSeq: created.ticket.seq,
      nodeId: 'work',
      outcomeId: 'again',
      idempotencyKey: newKey(),
    });
    clock.advance(5 * MINUTE);
    await apiAs(db, org.people.manager, clock).tickets.complete({
      ticketId: created.ticket.id,
      expectedSeq: moved.ticket.seq,
      nodeId: 'work',
      outcomeId: 'again',
      idempotencyKey: newKey(),
    });
    // then
    const [row] = await db.query<{ first: string; entered: string }>(
      `SELECT to_char(first_response_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS first,
              to_char(node_entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS entered
         FROM tickets WHERE id = $1::uuid`,
      [created.ticket.id],
    );
    expect(row?.first).toBe(firstAt);
    expect(row?.entered).toBe(clock.now().toISOString());
    const visits = await db.query<{
      node_id: string;
      exit: string;
      agent_id: string | null;
      minutes: number;
    }>(
      `SELECT node_id, exit, agent_id, extract(epoch FROM left_at - entered_at)::int / 60 AS minutes
         FROM ticket_visits WHERE ticket_id = $1::uuid ORDER BY seq, ordinal`,
      [created.ticket.id],
    );
    expect(visits).toEqual([
      { node_id: 'start', exit: 'auto', agent_id: null, minutes: 0 },
      { node_id: 'work', exit: 'outcome', agent_id: org.people.agent1.userId, minutes: 7 },
      { node_id: 'note', exit: 'action', agent_id: null, minutes: 0 },
      { node_id: 'work', exit: 'outcome', agent_id: org.people.manager.userId, minutes: 5 },
      { node_id: 'note', exit: 'action', agent_id: null, minutes: 0 },
    ]);
    expect(createdAt < firstAt).toBe(true);
  });
});
