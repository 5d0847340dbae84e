import { readFileSync } from 'node:fs';
import { type OutboxEffect, publishVersion, runDueEffects, startRuntimeLoop } from '@stepwise/api';
import { createDb, type Database } from '@stepwise/db';
import type { FlowDocument } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceTicket } from '../../packages/api/src/runtime/advanceTicket.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { inTransaction } from '../../packages/api/src/runtime/sql.ts';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { checkInvariants } from '../support/invariants.ts';
import { childDocument, tourDocument } from '../support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type OutboxRow = { seq: number; effects: OutboxEffect[] | null; attempts: number; done: boolean };

const HOOK_URL = 'https://crm.outbox.example/hook';

describe.each(backends())('effects outbox (%s)', (backend) => {
  let db: TestDb;
  /** A second connection pool on PostgreSQL, standing for a second server (the same handle on PGlite). */
  let second: Database;
  let org: RuntimeOrg;
  let childFlowId: string;
  let quickChildFlowId: string;
  const clock = fakeClock();
  /** Every webhook the runtime loops POSTed (no network: an injected client). */
  const posted: Array<{ type: string; ticketId: string }> = [];
  const fakeFetch: typeof fetch = async (_url, init) => {
    const body = JSON.parse(String(init?.body)) as { type: string; data: { ticketId: string } };
    posted.push({ type: body.type, ticketId: body.data.ticketId });
    return new Response(null, { status: 204 });
  };

  beforeAll(async () => {
    db = await openTestDb(backend);
    second = db.url
      ? await createDb({ url: db.url, migrate: false, maxConnections: 4, ownerOutsideScopes: true })
      : db;
    org = await createRuntimeOrg(db, 'Outbox Ltd', clock.now());
    // The subflow's child waits at a step (so its end is a move of its own), billing team, no SLA.
    childFlowId = (await publishFlow(db, org, 'Check', loopDocument({ slaMinutes: null }), 50)).flowId;
    quickChildFlowId = (await publishFlow(db, org, 'Quick check', childDocument(), 60)).flowId;
    await publishFlow(db, org, 'Tour', tourDocument(childFlowId, HOOK_URL, 'team-billing'), 10);
    await apiAs(db, org.people.admin, clock).admin.webhooks.create({ url: HOOK_URL, description: 'CRM' });
  });
  afterAll(async () => {
    if (second !== db) await second.close();
    await db.dispose();
  });

  const manager = () => apiAs(db, org.people.manager, clock);
  const outboxOf = (ticketId: string) =>
    db.query<OutboxRow>(
      `SELECT seq, effects, attempts, done_at IS NOT NULL AS done FROM runtime_jobs
        WHERE ticket_id = $1::uuid ORDER BY seq`,
      [ticketId],
    );
  /** The runtime loops of two servers, ticking at the same time, a few rounds. */
  const raceTwoLoops = async (rounds = 3) => {
    const loops = [db, second].map((database) =>
      startRuntimeLoop(database, { now: clock.now, intervalMs: 3_600_000, fetch: fakeFetch }),
    );
    try {
      for (let i = 0; i < rounds; i++) await Promise.all(loops.map((loop) => loop.tick()));
    } finally {
      await Promise.all(loops.map((loop) => loop.stop()));
    }
  };

  let parent: TicketDetail;

  it('given the tour flow, when a ticket comes in, then its intake statement records one outbox row with exactly its call_webhook and the notification of the agent it assigned', async () => {
    // when
    parent = await manager().tickets.create(ticketInput({ category: 'tour', subject: 'Outbox tour' }));
    // then
    expect(parent.ticket.status).toBe('waiting');
    expect(parent.ticket.assigneeId).not.toBeNull();
    expect(await outboxOf(parent.ticket.id)).toEqual([
      {
        seq: 1,
        effects: [
          { type: 'call_webhook', url: HOOK_URL, nodeId: 'route' },
          { type: 'notify_user', kind: 'assigned', userId: parent.ticket.assigneeId },
        ],
        attempts: 0,
        done: false,
      },
    ]);
  });

  it('given a waiting ticket, when a move loses its compare-and-set or its transaction rolls back, then no outbox row is written', async () => {
    // when: a stale sequence number
    await expect(
      apiAs(db, org.people.agent1, clock).tickets.assign({
        ticketId: parent.ticket.id,
        assigneeId: null,
        expectedSeq: parent.ticket.seq + 5,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // when: a customer reply (which enters the subflow) inside a transaction that rolls back
    let seenInside: OutboxRow[] = [];
    await expect(
      inTransaction(db, async (tx) => {
        const moved = await advanceTicket(
          db,
          { ticketId: parent.ticket.id },
          { orgId: org.orgId, userId: null, role: 'system', name: null },
          { type: 'customer_replied' },
          { now: clock.now(), query: tx },
        );
        expect(moved.ok).toBe(true);
        seenInside = await tx<OutboxRow>(
          `SELECT seq, effects, attempts, done_at IS NOT NULL AS done FROM runtime_jobs
            WHERE ticket_id = $1::uuid AND seq = 2`,
          [parent.ticket.id],
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // then: the move's own transaction held the row; after the rollback neither the move nor the row exists
    expect(seenInside.map((r) => r.effects)).toEqual([
      [{ type: 'start_subflow', flowId: childFlowId, nodeId: 'verify' }],
    ]);
    expect((await outboxOf(parent.ticket.id)).map((r) => r.seq)).toEqual([1]);
    expect((await manager().tickets.get({ ticketId: parent.ticket.id })).ticket.seq).toBe(1);
  });

  it('given a waiting ticket, when the customer replies, then the move records start_subflow; two racing loops start the child once and queue the flow webhook once', async () => {
    // when
    const reply = await apiAs(db, org.people.agent1, clock).tickets.addMessage({
      ticketId: parent.ticket.id,
      body: 'My order number is 77.',
      from: 'customer',
    });
    expect(reply.movedOn).toBe(true);
    // then
    expect((await outboxOf(parent.ticket.id)).at(-1)).toEqual({
      seq: 2,
      effects: [{ type: 'start_subflow', flowId: childFlowId, nodeId: 'verify' }],
      attempts: 0,
      done: false,
    });
    // when
    await raceTwoLoops();
    // then: each row was claimed once (one attempt), and did its work once
    expect(await outboxOf(parent.ticket.id)).toEqual([
      expect.objectContaining({ seq: 1, attempts: 1, done: true }),
      expect.objectContaining({ seq: 2, attempts: 1, done: true }),
    ]);
    const page = await manager().tickets.get({ ticketId: parent.ticket.id });
    expect(page.ticket.status).toBe('in_subflow');
    expect(page.children).toHaveLength(1);
    expect(page.children[0]?.status).toBe('at_step');
    expect(posted.filter((p) => p.type === 'flow.webhook' && p.ticketId === parent.ticket.id)).toHaveLength(
      1,
    );
  });

  it('given the child at its step, when it is completed to its end, then the move records resume_parent; the loops resume the parent once and ask for feedback once', async () => {
    // given
    const childId = (await manager().tickets.get({ ticketId: parent.ticket.id })).children[0]?.id ?? '';
    const child = await manager().tickets.get({ ticketId: childId });
    // when
    const done = await apiAs(db, org.people.agent1, clock).tickets.complete({
      ticketId: childId,
      expectedSeq: child.ticket.seq,
      nodeId: 'work',
      outcomeId: 'done',
      form: {},
      checklist: [],
      idempotencyKey: newKey(),
    });
    expect(done.ticket.status).toBe('ended');
    // then: the move statement read the parent from the child's row
    expect((await outboxOf(childId)).at(-1)).toEqual({
      seq: done.ticket.seq,
      effects: [{ type: 'resume_parent', ticketId: parent.ticket.id, seq: 2 }],
      attempts: 0,
      done: false,
    });
    // when: the resume ends the parent at a feedback end, whose own move records request_feedback
    await raceTwoLoops();
    // then
    const page = await manager().tickets.get({ ticketId: parent.ticket.id });
    expect(page.ticket).toMatchObject({ status: 'ended', endStatus: 'resolved' });
    expect(page.events.filter((e) => e.type === 'subflow.completed')).toHaveLength(1);
    expect((await outboxOf(parent.ticket.id)).at(-1)).toEqual({
      seq: 3,
      effects: [{ type: 'request_feedback' }],
      attempts: 1,
      done: true,
    });
    const feedback = await db.query<{ n: number }>(
      `SELECT (SELECT count(*)::int FROM feedback_requests WHERE ticket_id = $1::uuid)
            + (SELECT count(*)::int FROM ticket_messages WHERE ticket_id = $1::uuid AND body LIKE '%/feedback/%') AS n`,
      [parent.ticket.id],
    );
    expect(feedback[0]?.n).toBe(2);
    expect((await outboxOf(childId)).every((r) => r.done && r.attempts === 1)).toBe(true);
    // and running the outbox again finds nothing to do
    expect(await runDueEffects(db, clock.now())).toBe(0);
    expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
  });

  it('given a subflow child whose flow ends on intake, when it is created, then its intake statement records resume_parent', async () => {
    // when
    const child = await createTicket(db, ticketInput({ flowId: quickChildFlowId }), {
      orgId: org.orgId,
      actorId: null,
      now: clock.now(),
      parent: { ticketId: parent.ticket.id, seq: 41 },
    });
    // then
    expect(child.ticket.status).toBe('ended');
    expect((await outboxOf(child.ticket.id)).map((r) => r.effects)).toEqual([
      [{ type: 'resume_parent', ticketId: parent.ticket.id, seq: 41 }],
    ]);
    // and a move without after-commit effects records no row (a ticket outside any flow: none at all)
    const plain = await manager().tickets.create(ticketInput({ category: 'nobody-routes-this' }));
    expect(await outboxOf(plain.ticket.id)).toEqual([]);
    // the parent never stood at seq 41: the resume is refused as a conflict, and the row is done
    await runDueEffects(db, clock.now());
    expect(await outboxOf(child.ticket.id)).toEqual([expect.objectContaining({ done: true, attempts: 1 })]);
    expect((await manager().tickets.get({ ticketId: parent.ticket.id })).ticket.seq).toBe(3);
  });

  it('given an event whose trail runs an action, a subflow and an end, when it is inserted, then the trigger writes no outbox row', async () => {
    // given
    const trail = [
      { type: 'node_entered', nodeId: 'route', nodeType: 'action' },
      { type: 'action_performed', nodeId: 'route', ops: [] },
      { type: 'node_entered', nodeId: 'verify', nodeType: 'subflow' },
      { type: 'ended', nodeId: 'closed', status: 'resolved' },
    ];
    // when (in a transaction rolled back afterwards: the ticket's history stays as it was)
    let inside = { jobs: -1, deliveries: -1 };
    const rolledBack = inTransaction(db, async (tx) => {
      await tx(
        `INSERT INTO ticket_events (org_id, ticket_id, seq, type, data) VALUES ($1::uuid, $2::uuid, 99, 'step.completed', $3::jsonb)`,
        [org.orgId, parent.ticket.id, JSON.stringify({ input: { type: 'x' }, trail })],
      );
      const rows = await tx<{ n: number }>(
        'SELECT count(*)::int AS n FROM runtime_jobs WHERE ticket_id = $1::uuid AND seq = 99',
        [parent.ticket.id],
      );
      const deliveries = await tx<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE ticket_id = $1::uuid AND seq = 99`,
        [parent.ticket.id],
      );
      inside = { jobs: rows[0]?.n ?? -1, deliveries: deliveries[0]?.n ?? -1 };
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    // then: no job; the event webhook part of the trigger still runs
    expect(inside).toEqual({ jobs: 0, deliveries: 1 });
  });

  it('given jobs pending from before the outbox (no effects), when the upgrade runs, then it computes the same effects the moves record', async () => {
    // given: this run's rows as a legacy worker would have left them
    const ids = await db.query<{ id: string; effects: OutboxEffect[] }>(
      `SELECT j.id::text AS id, j.effects FROM runtime_jobs j JOIN tickets t ON t.id = j.ticket_id
        WHERE t.org_id = $1::uuid ORDER BY j.id`,
      [org.orgId],
    );
    expect(ids.length).toBeGreaterThanOrEqual(5);
    await db.query('UPDATE runtime_jobs SET effects = NULL, done_at = NULL WHERE id = ANY($1::bigint[])', [
      ids.map((r) => r.id),
    ]);
    // when: the migration's backfill statements
    const migration = readFileSync(new URL('../../drizzle/0006_effects_outbox.sql', import.meta.url), 'utf8');
    const statements = migration.split('--> statement-breakpoint').slice(1);
    expect(statements).toHaveLength(2);
    for (const statement of statements) await db.query(statement);
    // then
    const after = await db.query<{ id: string; effects: OutboxEffect[] }>(
      'SELECT id::text AS id, effects FROM runtime_jobs WHERE id = ANY($1::bigint[]) ORDER BY id',
      [ids.map((r) => r.id)],
    );
    // In-app notifications came after the outbox: a legacy job never held one.
    expect(after).toEqual(
      ids.map((r) => ({ ...r, effects: r.effects.filter((effect) => effect.type !== 'notify_user') })),
    );
    await db.query('UPDATE runtime_jobs SET done_at = $2::timestamptz WHERE id = ANY($1::bigint[])', [
      ids.map((r) => r.id),
      clock.now().toISOString(),
    ]);
  });
  it('given a ticket at a step, when it is migrated onto a subflow node, then the migration records start_subflow and the loop runs the child and resumes it', async () => {
    // given: v1 is a step; v2 puts a subflow (the quick child flow) in its place
    const v1doc = loopDocument({ slaMinutes: null });
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Migrating', v1doc, 70);
    const ticket = await createTicket(db, ticketInput({ flowId }), {
      orgId: org.orgId,
      actorId: null,
      now: clock.now(),
    });
    const start = v1doc.nodes.find((n) => n.id === 'start');
    const end = v1doc.nodes.find((n) => n.id === 'end');
    if (!start || !end) throw new Error('loop document without start or end');
    const v2doc: FlowDocument = {
      ...v1doc,
      nodes: [
        start,
        {
          id: 'verify',
          type: 'subflow',
          position: { x: 0, y: 150 },
          data: { label: 'Verify', flowId: quickChildFlowId },
        },
        end,
      ],
      edges: [
        { id: 'm1', source: 'start', sourceHandle: 'next', target: 'verify' },
        { id: 'm2', source: 'verify', sourceHandle: 'next', target: 'end' },
      ],
    };
    await db.query(
      'UPDATE flows SET draft = $1::jsonb, draft_revision = draft_revision + 1 WHERE id = $2::uuid',
      [JSON.stringify(v2doc), flowId],
    );
    const v2 = await publishVersion(db, {
      orgId: org.orgId,
      flowId,
      authorId: org.people.manager.userId,
      message: 'v2',
    });
    // when
    const result = await manager().versions.applyMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
      mapping: { work: 'verify' },
      expected: { [ticket.ticket.id]: ticket.ticket.seq },
    });
    expect(result.moved.map((m) => m.ticketId)).toEqual([ticket.ticket.id]);
    // then
    expect(await outboxOf(ticket.ticket.id)).toEqual([
      {
        seq: 2,
        effects: [{ type: 'start_subflow', flowId: quickChildFlowId, nodeId: 'verify' }],
        attempts: 0,
        done: false,
      },
    ]);
    // when: the child starts (and ends on intake), then its resume moves the parent on to its end
    await raceTwoLoops(2);
    // then
    const page = await manager().tickets.get({ ticketId: ticket.ticket.id });
    expect(page.children.map((c) => c.status)).toEqual(['ended']);
    expect(page.ticket).toMatchObject({ status: 'ended', nodeId: 'end' });
    expect(page.events.map((e) => e.type)).toEqual([
      'ticket.created',
      'ticket.migrated',
      'subflow.completed',
    ]);
  });
});
