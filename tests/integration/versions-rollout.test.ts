import { appRouter, startRuntimeLoop } from '@stepwise/api';
import type { FlowDocument, StepNode } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapTeams } from '../../packages/api/src/seed/seedDemo.ts';
import { chooseVersion } from '../../packages/api/src/runtime/chooseVersion.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { trpcError } from '../support/apiSession.ts';
import { checkInvariants } from '../support/invariants.ts';
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

/** loopDocument with its step changed: SLA, team, instructions, and where "Done" leads. */
function secondVersion(
  options: { slaMinutes?: number; team?: string; reviewAfterDone?: boolean } = {},
): FlowDocument {
  const base = loopDocument();
  const nodes = base.nodes.map((n) =>
    n.id === 'work' && n.type === 'step'
      ? ({
          ...n,
          data: {
            ...n.data,
            instructions: 'Do one careful pass of work.',
            slaMinutes: options.slaMinutes ?? 120,
            teamId: options.team ?? 'team-technical',
          },
        } satisfies StepNode)
      : n,
  );
  if (!options.reviewAfterDone) return { ...base, nodes };
  const review: StepNode = {
    id: 'review',
    type: 'step',
    position: { x: 300, y: 300 },
    data: {
      title: 'Review the work',
      instructions: 'Check the pass.',
      checklist: [],
      form: [],
      teamId: 'team-billing',
      slaMinutes: 30,
      outcomes: [{ id: 'ok', label: 'OK' }],
    },
  };
  return {
    ...base,
    nodes: [...nodes, review],
    edges: [
      ...base.edges.filter((e) => e.id !== 'e-done'),
      { id: 'e-done', source: 'work', sourceHandle: 'outcome:done', target: 'review' },
      { id: 'e-review', source: 'review', sourceHandle: 'outcome:ok', target: 'end' },
    ],
  };
}

describe.each(backends())('versions: rollout and migration (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend, { maxConnections: 8 });
    org = await createRuntimeOrg(db, 'Rollout Ltd', clock.now());
  });
  afterAll(async () => {
    await db.dispose();
  });

  const manager = () => apiAs(db, org.people.manager, clock);

  const publishNext = (flowId: string, document: FlowDocument, message: string) =>
    publishNextVersion(db, org, flowId, document, message);

  const start = (flowId: string) =>
    createTicket(db, ticketInput({ flowId }), { orgId: org.orgId, actorId: null, now: clock.now() });

  const versionRows = (flowId: string) =>
    db.query<{ id: string; number: number; content_hash: string; message: string; document: unknown }>(
      'SELECT id, number, content_hash, message, document FROM flow_versions WHERE flow_id = $1::uuid ORDER BY number',
      [flowId],
    );

  it('given the router, when its versions procedures are listed, then none updates or deletes a published version', () => {
    // given / when
    const names = Object.keys(appRouter._def.procedures as Record<string, unknown>)
      .filter((p) => p.startsWith('versions.'))
      .sort();
    // then: each procedure is a read, a publish (insert), a draft write, a pilot setting or a ticket move
    expect(names).toEqual(
      [
        'versions.applyMigration',
        'versions.compare',
        'versions.get',
        'versions.list',
        'versions.previewMigration',
        'versions.promotePilot',
        'versions.publish',
        'versions.restore',
        'versions.rollbackPilot',
        'versions.startPilot',
      ].sort(),
    );
  });

  it('given 100 tickets on v1, when v2 is published and a step is completed on each, then they follow v1 while new tickets take v2', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Pinned', loopDocument(), 50);
    const tickets = [];
    for (let i = 0; i < 100; i++) tickets.push(await start(flowId));
    const before = await versionRows(flowId);
    // when
    const v2 = await publishNext(flowId, secondVersion({ reviewAfterDone: true }), 'Review after done');
    const api = manager();
    for (const t of tickets) {
      await api.tickets.complete({
        ticketId: t.ticket.id,
        expectedSeq: t.ticket.seq,
        nodeId: 'work',
        outcomeId: 'done',
        idempotencyKey: newKey(),
      });
    }
    const fresh = await start(flowId);
    const freshDone = await api.tickets.complete({
      ticketId: fresh.ticket.id,
      expectedSeq: fresh.ticket.seq,
      nodeId: 'work',
      outcomeId: 'done',
      idempotencyKey: newKey(),
    });
    // then: v1's "Done" ends the ticket; v2's leads to the review
    const rows = await db.query<{ version_id: string; status: string; to_node: string }>(
      `SELECT t.version_id, t.status, e.to_node FROM tickets t
         JOIN ticket_events e ON e.ticket_id = t.id AND e.seq = t.seq
        WHERE t.id = ANY($1::uuid[])`,
      [tickets.map((t) => t.ticket.id)],
    );
    expect(rows).toHaveLength(100);
    expect(rows.every((r) => r.version_id === v1 && r.status === 'ended' && r.to_node === 'end')).toBe(true);
    expect(fresh.version?.id).toBe(v2.id);
    expect(freshDone.ticket.nodeId).toBe('review');
    // and the publish never touched v1's row
    const after = await versionRows(flowId);
    expect(after[0]).toEqual(before[0]);
    expect(after.map((v) => v.number)).toEqual([1, 2]);
  });

  it('given a 30% pilot, when 1,000 tickets are created, then 30% ± 5% start on the pilot version', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Piloted', loopDocument(), 60);
    const v2 = await publishNext(flowId, secondVersion(), 'Candidate');
    await db.query('UPDATE flows SET active_version_id = $1::uuid WHERE id = $2::uuid', [v1, flowId]);
    await manager().versions.startPilot({ flowId, versionId: v2.id, percent: 30 });
    // when
    const created: Array<{ id: string; versionId: string | undefined }> = [];
    for (let i = 0; i < 1000; i++) {
      const t = await start(flowId);
      created.push({ id: t.ticket.id, versionId: t.version?.id });
    }
    // then
    const counts = await db.query<{ version_id: string; n: number }>(
      'SELECT version_id, count(*)::int AS n FROM tickets WHERE flow_id = $1::uuid GROUP BY version_id',
      [flowId],
    );
    const onPilot = counts.find((c) => c.version_id === v2.id)?.n ?? 0;
    expect(onPilot).toBeGreaterThanOrEqual(250);
    expect(onPilot).toBeLessThanOrEqual(350);
    expect(counts.reduce((s, c) => s + c.n, 0)).toBe(1000);
    // deterministic: each ticket is where chooseVersion puts its id
    const rollout = { activeVersionId: v1, pilotVersionId: v2.id, pilotPercent: 30 };
    expect(created.every((t) => t.versionId === chooseVersion(rollout, t.id))).toBe(true);
    const list = await manager().versions.list({ flowId });
    expect(list.map((v) => [v.number, v.isActive, v.isPilot])).toEqual([
      [2, false, true],
      [1, true, false],
    ]);
    expect(list.reduce((s, v) => s + v.liveTickets, 0)).toBe(1000);
  });

  it('given a pilot, when rolled back, then new tickets take the active version and pilot tickets stay pinned; promoted, the pilot becomes active', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Rollback', loopDocument(), 61);
    const v2 = await publishNext(flowId, secondVersion(), 'Candidate');
    await db.query('UPDATE flows SET active_version_id = $1::uuid WHERE id = $2::uuid', [v1, flowId]);
    const api = manager();
    await api.versions.startPilot({ flowId, versionId: v2.id, percent: 99 });
    const piloted = [];
    for (let i = 0; i < 10; i++) piloted.push(await start(flowId));
    const onPilot = piloted.filter((t) => t.version?.id === v2.id);
    expect(onPilot.length).toBeGreaterThan(0);
    // when
    await api.versions.rollbackPilot({ flowId });
    const after = [];
    for (let i = 0; i < 10; i++) after.push(await start(flowId));
    // then
    expect(after.every((t) => t.version?.id === v1)).toBe(true);
    const pinned = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tickets WHERE version_id = $1::uuid',
      [v2.id],
    );
    expect(pinned[0]?.n).toBe(onPilot.length);
    expect((await trpcError(api.versions.promotePilot({ flowId }))).code).toBe('PRECONDITION_FAILED');
    // when promoted
    await api.versions.startPilot({ flowId, versionId: v2.id, percent: 10 });
    await api.versions.promotePilot({ flowId });
    const flow = await api.flows.get({ flowId });
    expect([flow.activeVersionId, flow.pilotVersionId, flow.pilotPercent]).toEqual([v2.id, null, 0]);
    const audit = await db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'version.pilot%' ORDER BY created_at, id",
      [flowId],
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'version.pilot_started',
        'version.pilot_rolled_back',
        'version.pilot_promoted',
      ]),
    );
    // bad percent and an agent are refused
    expect((await trpcError(api.versions.startPilot({ flowId, versionId: v1, percent: 100 }))).code).toBe(
      'BAD_REQUEST',
    );
    const agentApi = apiAs(db, org.people.agent1, clock);
    expect((await trpcError(agentApi.versions.rollbackPilot({ flowId }))).code).toBe('FORBIDDEN');
  });

  it('given an active v1, when v2 is published as a 25% pilot, then v1 stays active and v2 is the pilot', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Published as pilot', loopDocument(), 67);
    const api = manager();
    const draft = await api.flows.get({ flowId });
    const edited = mapTeams(secondVersion(), {
      'team-billing': org.teams.billing,
      'team-technical': org.teams.technical,
    });
    const saved = await api.flows.saveDraft({ flowId, revision: draft.draftRevision, document: edited });
    // when
    const v2 = await api.versions.publish({
      flowId,
      message: 'Try it on a quarter',
      revision: saved.revision,
      pilotPercent: 25,
    });
    // then
    const after = await api.flows.get({ flowId });
    expect([after.activeVersionId, after.pilotVersionId, after.pilotPercent]).toEqual([v1, v2.id, 25]);
    const list = await api.versions.list({ flowId });
    expect(list.map((v) => [v.number, v.isActive, v.isPilot])).toEqual([
      [2, false, true],
      [1, true, false],
    ]);
    // and the list says since when the pilot runs, and who started it
    expect(list.map((v) => [v.number, v.pilotSince, v.pilotStartedBy])).toEqual([
      [2, clock.now().toISOString(), org.people.manager.name],
      [1, null, null],
    ]);
    // and a pilot restarted later (another share) runs since then
    clock.advance(15 * MINUTE);
    await api.versions.startPilot({ flowId, versionId: v2.id, percent: 50 });
    const restarted = await api.versions.list({ flowId });
    expect(restarted.find((v) => v.isPilot)?.pilotSince).toBe(clock.now().toISOString());
    // and rolled back, then the same draft published as a pilot again, v2 is the pilot again (no copy)
    await api.versions.rollbackPilot({ flowId });
    const again = await api.versions.publish({ flowId, message: 'Again', pilotPercent: 10 });
    expect(again.id).toBe(v2.id);
    const reflown = await api.flows.get({ flowId });
    expect([reflown.activeVersionId, reflown.pilotVersionId, reflown.pilotPercent]).toEqual([v1, v2.id, 10]);
    expect((await versionRows(flowId)).map((v) => v.number)).toEqual([1, 2]);
  });

  it('given live tickets on v1, when comparing v1 with v2, then the diff lists the step changes and the live count per node', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Compared', loopDocument(), 62);
    for (let i = 0; i < 3; i++) await start(flowId);
    const v2 = await publishNext(flowId, secondVersion({ slaMinutes: 90 }), 'Slower SLA');
    // when
    const result = await apiAs(db, org.people.agent1, clock).versions.compare({
      flowId,
      from: v1,
      to: v2.id,
    });
    // then
    expect(result.from.label).toBe('v1');
    expect(result.to.label).toBe('v2');
    expect(result.liveByNode).toEqual({ work: 3 });
    const work = result.diff.nodes.changed.find((n) => n.id === 'work');
    expect(work?.changes.map((c) => c.path).sort()).toEqual(
      ['data.instructions', 'data.slaMinutes', 'data.teamId'].sort(),
    );
    const draft = await manager().versions.compare({ flowId, from: v2.id, to: 'draft' });
    expect(draft.diff.isEmpty).toBe(true);
    expect(draft.to.label).toBe('Draft');
    // another flow's version is not found
    const other = await publishFlow(db, org, 'Compared elsewhere', loopDocument(), 63);
    expect(
      (await trpcError(manager().versions.compare({ flowId, from: other.versionId, to: v2.id }))).code,
    ).toBe('NOT_FOUND');
  });

  it('given live tickets, when a migration is previewed then applied, then each ticket lands where the preview said, with its timers re-planned', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Migrated', loopDocument(), 64);
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await start(flowId));
    const ended = await start(flowId);
    await manager().tickets.complete({
      ticketId: ended.ticket.id,
      expectedSeq: ended.ticket.seq,
      nodeId: 'work',
      outcomeId: 'done',
      idempotencyKey: newKey(),
    });
    const v2 = await publishNext(flowId, secondVersion({ slaMinutes: 120 }), 'Technical, 2 h');
    clock.advance(10 * MINUTE);
    const api = manager();
    // when
    const preview = await api.versions.previewMigration({ flowId, fromVersionId: v1, toVersionId: v2.id });
    const expected = Object.fromEntries(preview.tickets.map((t) => [t.ticketId, t.seq]));
    const result = await api.versions.applyMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
      expected,
    });
    // then: the preview
    expect(preview.proposed.mapping).toEqual({ work: 'work' });
    expect(preview.tickets.map((t) => t.ticketId).sort()).toEqual(tickets.map((t) => t.ticket.id).sort());
    for (const t of preview.tickets) {
      expect(t).toMatchObject({
        ok: true,
        fromNode: 'work',
        toNode: 'work',
        changes: {
          team: { from: org.teams.billing, to: org.teams.technical },
          sla: { fromMinutes: 60, toMinutes: 120 },
        },
      });
    }
    // and the apply matches it ticket by ticket
    expect(result.skipped).toEqual([]);
    expect(result.unmappable).toEqual([]);
    expect(result.moved.map((m) => [m.ticketId, m.toNode]).sort()).toEqual(
      preview.tickets.map((t) => [t.ticketId, t.toNode]).sort(),
    );
    const now = clock.now().getTime();
    for (const t of preview.tickets) {
      const detail = await api.tickets.get({ ticketId: t.ticketId });
      expect(detail.version?.id).toBe(v2.id);
      expect(detail.ticket.nodeId).toBe(t.toNode);
      expect(detail.ticket.teamId).toBe(org.teams.technical);
      // the SLA keeps its clock: they entered "work" 10 minutes before the migration
      expect(detail.ticket.slaDueAt).toBe(new Date(now - 10 * MINUTE + 120 * MINUTE).toISOString());
      const timers = await db.query<{ node_id: string; kind: string; due: string; cancelled: boolean }>(
        `SELECT node_id, kind, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due,
                cancelled_at IS NOT NULL AS cancelled
           FROM timers WHERE ticket_id = $1::uuid ORDER BY id`,
        [t.ticketId],
      );
      expect(timers).toEqual([
        {
          node_id: 'work',
          kind: 'sla',
          due: new Date(now - 10 * MINUTE + 60 * MINUTE).toISOString(),
          cancelled: true,
        },
        {
          node_id: 'work',
          kind: 'sla',
          due: new Date(now - 10 * MINUTE + 120 * MINUTE).toISOString(),
          cancelled: false,
        },
      ]);
      const [event] = await db.query<{ type: string; data: unknown }>(
        'SELECT type, data FROM ticket_events WHERE ticket_id = $1::uuid ORDER BY seq DESC LIMIT 1',
        [t.ticketId],
      );
      expect(event).toMatchObject({
        type: 'ticket.migrated',
        data: {
          fromVersion: v1,
          toVersion: v2.id,
          fromNode: 'work',
          toNode: 'work',
          input: {
            type: 'migrate',
            toVersion: v2.id,
            state: { nodeId: 'work', teamId: org.teams.technical },
          },
        },
      });
    }
    const audit = await db.query<{ data: unknown }>(
      "SELECT data FROM audit_log WHERE target_id = $1 AND action = 'version.tickets_migrated'",
      [flowId],
    );
    expect(audit).toEqual([{ data: expect.objectContaining({ moved: 5, skipped: 0, unmappable: 0 }) }]);
    // and a migrated ticket goes on along its new version: its next step follows v2, and replaying its
    // events (from the migration, on v2) rebuilds its state — the invariants hold for every ticket
    const first = preview.tickets[0]!;
    const moved = await api.tickets.get({ ticketId: first.ticketId });
    await api.tickets.complete({
      ticketId: first.ticketId,
      expectedSeq: moved.ticket.seq,
      nodeId: 'work',
      outcomeId: 'done',
      idempotencyKey: newKey(),
    });
    expect(await checkInvariants(db)).toEqual([]);
  });

  it('given tickets that entered a 60-min SLA step 40 (then assigned) and 130 minutes ago (then breached), when migrated to a 120-min SLA, then each is due at its entry + 120 min, as previewed', async () => {
    // given: a ticket that entered "work" (60-min SLA) 130 minutes ago — its SLA fired and breached
    // at 60 minutes without moving it (a stay, not an entry) —, one that entered 40 minutes ago, and
    // v2 where "work" has a 120-min SLA and "Park" has none
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Clock kept', loopDocument(), 65);
    const entryOld = clock.now().getTime();
    const old = await start(flowId);
    clock.advance(61 * MINUTE);
    const runtime = startRuntimeLoop(db, { now: clock.now, intervalMs: 3_600_000, timerBatch: 1000 });
    try {
      await runtime.tick();
    } finally {
      await runtime.stop();
    }
    clock.advance(29 * MINUTE);
    const entryRecent = clock.now().getTime();
    const recent = await start(flowId);
    clock.advance(25 * MINUTE);
    // an agent takes it meanwhile: an event, but not an entry into the step
    await apiAs(db, org.people.agent1, clock).tickets.assign({
      ticketId: recent.ticket.id,
      assigneeId: org.people.agent1.userId,
    });
    clock.advance(15 * MINUTE);
    const v2 = await publishNext(flowId, secondVersion({ slaMinutes: 120 }), 'Technical, 2 h');
    const now = clock.now().getTime();
    const events = await db.query<{ type: string; from_node: string | null; to_node: string | null }>(
      'SELECT type, from_node, to_node FROM ticket_events WHERE ticket_id = $1::uuid ORDER BY seq',
      [old.ticket.id],
    );
    expect(events).toEqual([
      { type: 'ticket.created', from_node: null, to_node: 'work' },
      { type: 'timer.fired', from_node: 'work', to_node: 'work' },
    ]);
    const api = manager();
    // when
    const preview = await api.versions.previewMigration({ flowId, fromVersionId: v1, toVersionId: v2.id });
    const result = await api.versions.applyMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
      expected: Object.fromEntries(preview.tickets.map((t) => [t.ticketId, t.seq])),
    });
    // then: the preview states each ticket's entry and new due time, and whether it is already overdue
    const dueRecent = new Date(entryRecent + 120 * MINUTE).toISOString();
    const dueOld = new Date(entryOld + 120 * MINUTE).toISOString();
    expect(entryRecent).toBe(now - 40 * MINUTE);
    const byId = new Map(preview.tickets.map((t) => [t.ticketId, t]));
    expect(byId.get(recent.ticket.id)).toMatchObject({
      ok: true,
      enteredAt: new Date(entryRecent).toISOString(),
      slaDueAt: dueRecent,
      overdue: false,
    });
    expect(byId.get(old.ticket.id)).toMatchObject({
      ok: true,
      enteredAt: new Date(entryOld).toISOString(),
      slaDueAt: dueOld,
      overdue: true,
    });
    // and the apply does what the preview said: the ticket, its pending timer and the result agree
    expect(result.moved.map((m) => [m.ticketId, m.slaDueAt]).sort()).toEqual(
      preview.tickets.map((t) => [t.ticketId, t.slaDueAt]).sort(),
    );
    for (const [ticketId, due] of [
      [recent.ticket.id, dueRecent],
      [old.ticket.id, dueOld],
    ] as const) {
      const detail = await api.tickets.get({ ticketId });
      expect(detail.ticket.slaDueAt).toBe(due);
      const pending = await db.query<{ node_id: string; kind: string; due: string }>(
        `SELECT node_id, kind, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due
           FROM timers WHERE ticket_id = $1::uuid AND fired_at IS NULL AND cancelled_at IS NULL`,
        [ticketId],
      );
      expect(pending).toEqual([{ node_id: 'work', kind: 'sla', due }]);
    }
    // and a second migration (back to v1, 60 min) still counts from the entry, not from the first move
    clock.advance(5 * MINUTE);
    const back = await api.versions.previewMigration({ flowId, fromVersionId: v2.id, toVersionId: v1 });
    expect(back.tickets.find((t) => t.ticketId === recent.ticket.id)).toMatchObject({
      enteredAt: new Date(entryRecent).toISOString(),
      slaDueAt: new Date(entryRecent + 60 * MINUTE).toISOString(),
      overdue: false,
    });
    expect(await checkInvariants(db)).toEqual([]);
  });

  it('given a ticket migrated to a step without an SLA, when previewed, then it has no due time and is not overdue', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'No SLA after', loopDocument(), 66);
    await start(flowId);
    const v2 = await publishNext(flowId, loopDocument({ slaMinutes: null }), 'No SLA');
    // when
    const preview = await manager().versions.previewMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
    });
    // then
    expect(preview.tickets).toHaveLength(1);
    expect(preview.tickets[0]).toMatchObject({
      ok: true,
      slaDueAt: null,
      overdue: false,
      changes: { sla: { fromMinutes: 60, toMinutes: null } },
    });
  });

  it('given a preview, when a ticket moves before the apply, then it is skipped as moved; an unmapped node leaves its tickets', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Raced migration', loopDocument(), 65);
    const tickets = [];
    for (let i = 0; i < 3; i++) tickets.push(await start(flowId));
    const v2 = await publishNext(flowId, secondVersion(), 'Next');
    const api = manager();
    const preview = await api.versions.previewMigration({ flowId, fromVersionId: v1, toVersionId: v2.id });
    const expected = Object.fromEntries(preview.tickets.map((t) => [t.ticketId, t.seq]));
    const [first, second] = tickets;
    if (!first || !second) throw new Error('tickets missing');
    // when: the first ticket loops back to its step meanwhile
    await api.tickets.complete({
      ticketId: first.ticket.id,
      expectedSeq: first.ticket.seq,
      nodeId: 'work',
      outcomeId: 'again',
      idempotencyKey: newKey(),
    });
    const result = await api.versions.applyMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
      ticketIds: [first.ticket.id, second.ticket.id],
      expected,
    });
    // then
    expect(result.skipped).toEqual([{ ticketId: first.ticket.id, reason: 'moved' }]);
    expect(result.moved.map((m) => m.ticketId)).toEqual([second.ticket.id]);
    const versions = await db.query<{ id: string; version_id: string }>(
      'SELECT id, version_id FROM tickets WHERE id = ANY($1::uuid[])',
      [tickets.map((t) => t.ticket.id)],
    );
    const byId = new Map(versions.map((v) => [v.id, v.version_id]));
    expect([first, second, tickets[2]].map((t) => byId.get(t?.ticket.id ?? ''))).toEqual([v1, v2.id, v1]);
    // when the manager maps the step to nothing
    const third = tickets[2];
    if (!third) throw new Error('ticket missing');
    const unmapped = await api.versions.previewMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
      mapping: { work: null },
    });
    const left = await api.versions.applyMigration({
      flowId,
      fromVersionId: v1,
      toVersionId: v2.id,
      mapping: { work: null },
      ticketIds: [third.ticket.id],
      expected: { [third.ticket.id]: third.ticket.seq },
    });
    // then
    expect(unmapped.tickets.find((t) => t.ticketId === third.ticket.id)).toMatchObject({
      ok: false,
      toNode: null,
    });
    expect(left.unmappable).toEqual([
      expect.objectContaining({ ticketId: third.ticket.id, code: 'NOT_MAPPED' }),
    ]);
    expect(left.moved).toEqual([]);
  });

  it('given two versions, when v1 is restored, then the draft gets a new revision with v1 and versions are untouched', async () => {
    // given
    const { flowId, versionId: v1 } = await publishFlow(db, org, 'Restored', loopDocument(), 66);
    await publishNext(flowId, secondVersion(), 'v2');
    const api = manager();
    const before = await api.flows.get({ flowId });
    const versionsBefore = await versionRows(flowId);
    // when
    const restored = await api.versions.restore({ flowId, versionId: v1, revision: before.draftRevision });
    // then
    expect(restored.revision).toBe(before.draftRevision + 1);
    const after = await api.flows.get({ flowId });
    const v1Row = versionsBefore[0];
    expect(after.draft).toEqual(v1Row?.document);
    expect(after.activeVersionId).toBe(before.activeVersionId);
    expect(await versionRows(flowId)).toEqual(versionsBefore);
    // and a stale revision is refused with nothing written
    const stale = await trpcError(
      api.versions.restore({ flowId, versionId: v1, revision: before.draftRevision }),
    );
    expect(stale.code).toBe('CONFLICT');
    expect((await api.flows.get({ flowId })).draftRevision).toBe(restored.revision);
  });
});
