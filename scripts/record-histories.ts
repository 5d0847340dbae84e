/**
 * Records the replay corpus (`packages/flow/fixtures/histories/*.json`): drives the real runtime
 * (routing, the advance pipeline, the timer poller, the job worker, migrations, feedback) on an
 * in-memory PGlite database through a set of scenarios, then dumps, per ticket, the documents of the
 * versions it ran on, its events exactly as stored, and its final run state. The corpus test of
 * `@stepwise/flow` replays every history and fails on any difference, so an engine change that would
 * replay stored tickets differently is caught.
 *
 * Run: `npx tsx scripts/record-histories.ts` (rewrites the folder). The clock is fixed and every id is
 * replaced by a readable alias, so re-recording an unchanged runtime gives the same files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fireDueTimers, publishVersion, runDueEffects } from '@stepwise/api';
import { createDb, type Database } from '@stepwise/db';
import { CURRENT_SCHEMA_VERSION, type FlowDocument, type FlowNode } from '@stepwise/flow';
import {
  comparableState,
  runStateOf,
  type TicketRow,
  ticketColumns,
} from '../packages/api/src/runtime/ticketState.ts';
import { mapTeams } from '../packages/api/src/seed/seedDemo.ts';
import {
  breachNotifyDocument,
  childDocument,
  handWorkDocument,
  tourDocument,
} from '../tests/support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  publishFlow,
  ticketInput,
} from '../tests/support/runtimeFixture.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../packages/flow/fixtures/histories');
const MINUTE = 60_000;
const PUBLIC_URL = 'https://support.example';

/**
 * Every node kind: intake → a decision (VIP customers, else the default branch). VIP: an action tags
 * the ticket, a 15-minute duration wait, then an end. Others: "Triage" (Billing, 30-minute SLA whose
 * breach edge escalates) → "Escalate" (assigns Technical round-robin) → "Senior review" (keeps the
 * ticket's current team) → an end asking for feedback.
 */
function escalationDocument(): FlowDocument {
  const at = (y: number) => ({ x: 0, y });
  const step = (id: string, title: string, extra: Record<string, unknown>): FlowNode =>
    ({
      id,
      type: 'step',
      position: at(200),
      data: {
        title,
        instructions: '',
        checklist: [],
        form: [],
        teamId: null,
        slaMinutes: null,
        outcomes: [{ id: 'done', label: 'Done' }],
        ...extra,
      },
    }) as FlowNode;
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [{ key: 'resolution', label: 'Resolution', type: 'text' }],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: at(0),
        data: {
          label: 'Start',
          trigger: { mode: 'auto', channels: [], categories: ['escalation'], priorities: [], tiers: [] },
        },
      },
      {
        id: 'vip',
        type: 'decision',
        position: at(100),
        data: {
          label: 'VIP customer?',
          branches: [
            {
              id: 'is_vip',
              label: 'VIP',
              condition: {
                kind: 'group',
                combinator: 'all',
                rules: [{ kind: 'comparison', field: 'customer.tier', operator: 'equals', value: 'vip' }],
              },
            },
          ],
        },
      },
      {
        id: 'tag',
        type: 'action',
        position: at(200),
        data: { label: 'Tag VIP', ops: [{ op: 'add_tag', tag: 'vip' }] },
      },
      {
        id: 'cool',
        type: 'wait',
        position: at(300),
        data: { label: 'Cool off', mode: 'duration', minutes: 15 },
      },
      {
        id: 'vip_end',
        type: 'end',
        position: at(400),
        data: { label: 'Done', status: 'resolved', feedback: false },
      },
      step('triage', 'Triage', {
        teamId: 'team-billing',
        slaMinutes: 30,
        form: [{ key: 'resolution', label: 'Resolution', type: 'text', required: false }],
      }),
      {
        id: 'escalate',
        type: 'action',
        position: at(300),
        data: {
          label: 'Escalate',
          ops: [{ op: 'assign', teamId: 'team-technical', strategy: 'round_robin' }],
        },
      },
      step('senior', 'Senior review', { teamSource: 'current' }),
      {
        id: 'closed',
        type: 'end',
        position: at(500),
        data: { label: 'Closed', status: 'resolved', feedback: true },
      },
    ],
    edges: [
      { id: 'x1', source: 'start', sourceHandle: 'next', target: 'vip' },
      { id: 'x2', source: 'vip', sourceHandle: 'branch:is_vip', target: 'tag' },
      { id: 'x3', source: 'tag', sourceHandle: 'next', target: 'cool' },
      { id: 'x4', source: 'cool', sourceHandle: 'next', target: 'vip_end' },
      { id: 'x5', source: 'vip', sourceHandle: 'default', target: 'triage' },
      { id: 'x6', source: 'triage', sourceHandle: 'outcome:done', target: 'closed' },
      { id: 'x7', source: 'triage', sourceHandle: 'sla_breach', target: 'escalate' },
      { id: 'x8', source: 'escalate', sourceHandle: 'next', target: 'senior' },
      { id: 'x9', source: 'senior', sourceHandle: 'outcome:done', target: 'closed' },
    ],
    notes: [],
  };
}

/** The loop flow's second version: "Done" goes through a review step (Technical) before the end. */
function loopSecondVersion(): FlowDocument {
  const base = loopDocument();
  return {
    ...base,
    nodes: [
      ...base.nodes,
      {
        id: 'review',
        type: 'step',
        position: { x: 250, y: 300 },
        data: {
          title: 'Review',
          instructions: '',
          checklist: [],
          form: [],
          teamId: 'team-technical',
          slaMinutes: 120,
          outcomes: [{ id: 'ok', label: 'OK' }],
        },
      },
    ],
    edges: [
      ...base.edges.filter((e) => e.id !== 'e-done'),
      { id: 'e-done', source: 'work', sourceHandle: 'outcome:done', target: 'review' },
      { id: 'e-review', source: 'review', sourceHandle: 'outcome:ok', target: 'end' },
    ],
  };
}

type Scenario = {
  name: string;
  description: string;
  ticketId: string;
  /** The version the ticket was created on; undefined: read it at the end (a subflow's child never moves). */
  createdOn: string | null | undefined;
  parent?: string;
};

async function main(): Promise<void> {
  const db = await createDb({ dataDir: 'memory://', ownerOutsideScopes: true });
  const clock = fakeClock(new Date('2030-03-04T09:00:00.000Z'));
  const org = await createRuntimeOrg(db, 'Corpus Ltd', clock.now());
  const aliases = new Map<string, string>([
    [org.orgId, 'org'],
    [org.teams.billing, 'team-billing'],
    [org.teams.technical, 'team-technical'],
    ...Object.entries(org.people).map(([key, p]) => [p.userId, `user-${key}`] as [string, string]),
  ]);
  // Round-robin breaks ties by user id (random here): distinct last assignments make its picks stable.
  await db.query(
    `UPDATE team_members SET last_assigned_at = CASE user_id WHEN $1::uuid THEN $3::timestamptz ELSE $4::timestamptz END
      WHERE user_id IN ($1::uuid, $2::uuid)`,
    [org.people.agent1.userId, org.people.agent2.userId, '2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z'],
  );
  const manager = () => apiAs(db, org.people.manager, clock);
  const agent = (key: 'agent1' | 'agent2') => apiAs(db, org.people[key], clock);
  const publish = async (name: string, alias: string, document: FlowDocument, order: number) => {
    const flow = await publishFlow(db, org, name, document, order);
    aliases.set(flow.flowId, `flow-${alias}`);
    aliases.set(flow.versionId, `version-${alias}-1`);
    return flow;
  };
  const drain = async () => {
    for (let i = 0; i < 5; i++) await runDueEffects(db, clock.now(), { publicUrl: PUBLIC_URL });
  };
  const complete = async (ticketId: string, nodeId: string, outcomeId: string, form = {}) => {
    const page = await manager().tickets.get({ ticketId });
    clock.advance(5 * MINUTE);
    return manager().tickets.complete({
      ticketId,
      expectedSeq: page.ticket.seq,
      nodeId,
      outcomeId,
      form,
      checklist: [],
      idempotencyKey: `key-${ticketId}-${page.ticket.seq}`,
    });
  };
  /** Answers the feedback link the ticket's end sent the customer. */
  const giveFeedback = async (ticketId: string, score: number, comment: string | null) => {
    const [sent] = await db.query<{ body: string }>(
      `SELECT body FROM ticket_messages WHERE ticket_id = $1::uuid AND body LIKE '%/feedback/%'`,
      [ticketId],
    );
    const token = /\/feedback\/([A-Za-z0-9_-]{43})/.exec(sent?.body ?? '')?.[1];
    if (!token) throw new Error(`Ticket ${ticketId} was not sent a feedback link`);
    await apiAs(db, null, clock).feedback.submit({ token, score, ...(comment === null ? {} : { comment }) });
  };
  /** The version each ticket was created on (null: no flow took it), read right after its creation. */
  const createdOn = new Map<string, string | null>();
  const create = async (input: Parameters<ReturnType<typeof manager>['tickets']['create']>[0]) => {
    const t = await manager().tickets.create(input);
    const [row] = await db.query<{ version_id: string | null }>(
      'SELECT version_id FROM tickets WHERE id = $1::uuid',
      [t.ticket.id],
    );
    createdOn.set(t.ticket.id, row?.version_id ?? null);
    return t;
  };
  const scenarios: Scenario[] = [];
  const record = (s: Omit<Scenario, 'createdOn'>) =>
    scenarios.push({ ...s, createdOn: createdOn.get(s.ticketId) });

  const child = await publish('Verify identity', 'verify', childDocument(), 50);
  await publish(
    'Runtime tour',
    'tour',
    tourDocument(child.flowId, 'https://hooks.example/tour', 'team-billing'),
    10,
  );
  await publish('Escalation', 'escalation', escalationDocument(), 20);
  const loop = await publish('Loop', 'loop', loopDocument(), 30);

  // A ticket worked through a step three times (an action in the loop), then done.
  {
    const t = await create(ticketInput({ flowId: loop.flowId, subject: 'Loop three times' }));
    for (let i = 0; i < 2; i++) await complete(t.ticket.id, 'work', 'again');
    await complete(t.ticket.id, 'work', 'done');
    record({
      name: 'step-loop-to-end',
      description:
        'Started by hand at creation; a step completed "again" twice (through an action) and then "done" to the end.',
      ticketId: t.ticket.id,
    });
  }
  // A step's SLA passes with no breach edge (escalated in place), then a hand assignment, a release,
  // and the step is done; then, ended, it is started by hand again: the breach mark carries into the new run.
  {
    const t = await create(ticketInput({ flowId: loop.flowId, subject: 'Slow ticket' }));
    clock.advance(61 * MINUTE);
    await fireDueTimers(db, clock.now());
    clock.advance(MINUTE);
    await agent('agent1').tickets.assign({ ticketId: t.ticket.id, assigneeId: org.people.agent1.userId });
    clock.advance(MINUTE);
    await agent('agent1').tickets.assign({ ticketId: t.ticket.id, assigneeId: null });
    await complete(t.ticket.id, 'work', 'done');
    clock.advance(MINUTE);
    await manager().tickets.startFlow({ ticketId: t.ticket.id, flowId: loop.flowId });
    await complete(t.ticket.id, 'work', 'again');
    await complete(t.ticket.id, 'work', 'done');
    record({
      name: 'sla-breach-in-place-assign-restart',
      description:
        'SLA timer fired at a step with no breach edge (priority escalated in place); assigned and released by hand; done; then started again by hand and done within its SLA (the new run keeps the breach mark of the first).',
      ticketId: t.ticket.id,
    });
  }
  // A ticket no flow takes, then started by hand.
  {
    const t = await create(ticketInput({ category: 'nothing-matches', subject: 'Unrouted' }));
    clock.advance(MINUTE);
    await manager().tickets.startFlow({ ticketId: t.ticket.id, flowId: loop.flowId });
    await complete(t.ticket.id, 'work', 'done');
    record({
      name: 'unrouted-then-started',
      description:
        'Created with no matching flow (unrouted), then started by hand on the loop flow and done.',
      ticketId: t.ticket.id,
    });
  }
  // The decision's default branch, an SLA breach edge, an assign action (round-robin), a step that keeps
  // the current team, and an end that asks for feedback, answered.
  {
    const t = await create(
      ticketInput({
        category: 'escalation',
        subject: 'Printer on fire',
        customer: { name: 'Ada', email: 'ada@example.com', tier: 'existing' },
      }),
    );
    clock.advance(31 * MINUTE);
    await fireDueTimers(db, clock.now());
    await complete(t.ticket.id, 'senior', 'done');
    await drain();
    clock.advance(MINUTE);
    await giveFeedback(t.ticket.id, 2, null);
    record({
      name: 'decision-default-sla-breach-edge-feedback',
      description:
        'Decision took its default branch; the SLA breach edge escalated through an assign action to a step keeping the current team; ended asking for feedback.',
      ticketId: t.ticket.id,
    });
  }
  // The decision's VIP branch, an action, a duration wait whose timer ends it.
  {
    const t = await create(
      ticketInput({
        category: 'escalation',
        subject: 'VIP question',
        customer: { name: 'Bo', email: 'bo@example.com', tier: 'vip' },
      }),
    );
    clock.advance(16 * MINUTE);
    await fireDueTimers(db, clock.now());
    record({
      name: 'decision-branch-duration-wait',
      description:
        'Decision matched its VIP branch; an action tagged the ticket; a 15-minute duration wait ended by its timer.',
      ticketId: t.ticket.id,
    });
  }
  // A reply wait that times out.
  {
    const t = await create(ticketInput({ category: 'tour', subject: 'Silent customer' }));
    clock.advance(61 * MINUTE);
    await fireDueTimers(db, clock.now());
    record({
      name: 'reply-wait-timeout',
      description:
        'An action assigned Billing round-robin (agent picked by the runtime), messaged and called a webhook; the reply wait timed out to an unresolved end.',
      ticketId: t.ticket.id,
    });
  }
  // A customer reply, a subflow (its child ticket runs the other flow), the parent resumed, feedback given.
  {
    const t = await create(ticketInput({ category: 'tour', subject: 'Chatty customer' }));
    clock.advance(MINUTE);
    await agent('agent1').tickets.addMessage({
      ticketId: t.ticket.id,
      body: 'Order 1234.',
      from: 'customer',
    });
    clock.advance(MINUTE);
    await drain();
    const page = await manager().tickets.get({ ticketId: t.ticket.id });
    const childId = page.children[0]?.id;
    if (!childId) throw new Error('The subflow started no child ticket');
    clock.advance(MINUTE);
    await giveFeedback(t.ticket.id, 4, 'Quick and kind.');
    record({
      name: 'subflow-parent',
      description:
        'Customer replied at a reply wait; the subflow node started a child ticket; the child ended and the parent resumed (subflow_completed) to an end asking for feedback; the customer rated it.',
      ticketId: t.ticket.id,
    });
    record({
      name: 'subflow-child',
      description:
        'The child ticket of subflow-parent: started on the child flow by the subflow node, ran an action and ended.',
      ticketId: childId,
      parent: 'subflow-parent',
    });
  }
  // A ticket migrated to the loop flow's second version, then on along it.
  {
    const t = await create(ticketInput({ flowId: loop.flowId, subject: 'Moved along' }));
    await complete(t.ticket.id, 'work', 'again');
    const mapped = mapTeams(loopSecondVersion(), {
      'team-billing': org.teams.billing,
      'team-technical': org.teams.technical,
    });
    await db.query(
      'UPDATE flows SET draft = $1::jsonb, draft_revision = draft_revision + 1 WHERE id = $2::uuid',
      [JSON.stringify(mapped), loop.flowId],
    );
    const v2 = await publishVersion(db, {
      orgId: org.orgId,
      flowId: loop.flowId,
      authorId: org.people.manager.userId,
      message: 'v2',
    });
    aliases.set(v2.id, 'version-loop-2');
    clock.advance(10 * MINUTE);
    const page = await manager().tickets.get({ ticketId: t.ticket.id });
    await manager().versions.applyMigration({
      flowId: loop.flowId,
      fromVersionId: loop.versionId,
      toVersionId: v2.id,
      ticketIds: [t.ticket.id],
      expected: { [t.ticket.id]: page.ticket.seq },
    });
    await complete(t.ticket.id, 'work', 'done');
    await complete(t.ticket.id, 'review', 'ok');
    record({
      name: 'migrated-to-second-version',
      description:
        'A loop ticket migrated from version 1 to version 2 while at its step, then done through the review step that only version 2 has.',
      ticketId: t.ticket.id,
    });
  }

  // A notify node on a breach edge: the SLA passes, the channel is posted to (through the outbox), the
  // lead step is done. Last, so that the earlier scenarios' tickets keep their numbers.
  {
    await publish('Breach notify', 'notify', breachNotifyDocument(), 40);
    const t = await create(ticketInput({ category: 'breach-notify', subject: 'Slow refund' }));
    clock.advance(11 * MINUTE);
    await fireDueTimers(db, clock.now());
    await drain();
    await complete(t.ticket.id, 'lead', 'done');
    record({
      name: 'sla-breach-notify-channel',
      description:
        'The SLA breach edge of a step went through a notify node (a channel message left for the outbox) to a step keeping the current team, then to the end.',
      ticketId: t.ticket.id,
    });
  }

  // Worked by hand: an internal note, edits of priority, tags and a custom field, a reassignment to an
  // agent and then to a team, each with its reason; the decision after the step sees the edited priority.
  // Last, so that the earlier scenarios' tickets keep their numbers.
  {
    await publish('Hand work', 'hand', handWorkDocument(), 45);
    const t = await create(ticketInput({ category: 'hand-work', subject: 'Order never arrived' }));
    const ticketId = t.ticket.id;
    clock.advance(MINUTE);
    await manager().work.addNote({ ticketId, body: 'Customer called twice; courier lost the parcel.' });
    clock.advance(MINUTE);
    await manager().work.edit({
      ticketId,
      priority: 'urgent',
      tags: ['courier'],
      fields: { order_ref: 'A-77' },
    });
    clock.advance(MINUTE);
    await manager().work.reassign({
      ticketId,
      assigneeId: org.people.agent2.userId,
      reason: 'Agent 2 handled this customer before.',
    });
    clock.advance(MINUTE);
    await manager().work.reassign({
      ticketId,
      teamId: org.teams.technical,
      reason: 'The courier integration is Technical’s.',
    });
    await complete(ticketId, 'assess', 'done');
    await complete(ticketId, 'expedite', 'done');
    record({
      name: 'hand-work-note-edit-reassign',
      description:
        'An internal note; a hand edit made the ticket urgent, tagged it and set a custom field; reassigned to an agent and then to a team with reasons; the decision after the step took the urgent branch because of the edit.',
      ticketId,
    });
  }

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const scenario of scenarios) {
    aliases.set(scenario.ticketId, `ticket-${scenario.name}`);
  }
  for (const scenario of scenarios) {
    const history = await historyOf(db, scenario, aliases);
    const text = `${JSON.stringify(alias(history, aliases), null, 2)}\n`;
    writeFileSync(join(OUT, `${scenario.name}.json`), text);
  }
  await db.close();
  // The repository's formatter has the last word on the layout of committed JSON.
  execFileSync('npx', ['biome', 'format', '--write', OUT], { stdio: 'ignore' });
  console.log(`Recorded ${readdirSync(OUT).length} histories in ${OUT}`);
}

async function historyOf(db: Database, scenario: Scenario, aliases: ReadonlyMap<string, string>) {
  const [row] = await db.query<TicketRow>(
    `SELECT ${ticketColumns('t')} FROM tickets t WHERE t.id = $1::uuid`,
    [scenario.ticketId],
  );
  if (!row) throw new Error(`No ticket ${scenario.ticketId}`);
  const events = await db.query<{
    seq: number;
    type: string;
    from_node: string | null;
    to_node: string | null;
    created_at: string;
    data: unknown;
  }>(
    `SELECT seq, type, from_node, to_node, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, data
       FROM ticket_events WHERE ticket_id = $1::uuid ORDER BY seq`,
    [scenario.ticketId],
  );
  const versionIds = new Set<string>();
  if (row.version_id) versionIds.add(row.version_id);
  for (const e of events) {
    const data = e.data as Record<string, unknown>;
    for (const key of ['versionId', 'fromVersion', 'toVersion']) {
      if (typeof data[key] === 'string') versionIds.add(data[key] as string);
    }
  }
  const createdOn = scenario.createdOn === undefined ? row.version_id : scenario.createdOn;
  if (createdOn) versionIds.add(createdOn);
  const documents: Record<string, unknown> = {};
  const byAlias = (id: string) => aliases.get(id) ?? id;
  for (const id of [...versionIds].sort((a, b) => byAlias(a).localeCompare(byAlias(b)))) {
    const [v] = await db.query<{ document: unknown }>(
      'SELECT document FROM flow_versions WHERE id = $1::uuid',
      [id],
    );
    documents[id] = v?.document;
  }
  const timers = await db.query<{ seq: number; kind: string; node_id: string; due_at: string }>(
    `SELECT seq, kind, node_id, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due_at
       FROM timers WHERE ticket_id = $1::uuid ORDER BY seq, kind, node_id`,
    [scenario.ticketId],
  );
  const state = runStateOf(row);
  return {
    name: scenario.name,
    description: scenario.description,
    ...(scenario.parent ? { parent: scenario.parent } : {}),
    // The version the ticket was created on (null: no flow took it) and the one it is pinned to at the end.
    createdOn,
    versionId: row.version_id,
    documents,
    events: events.map((e) => ({
      seq: e.seq,
      type: e.type,
      fromNode: e.from_node,
      toNode: e.to_node,
      createdAt: e.created_at,
      data: e.data,
    })),
    // The timers each move scheduled (by the sequence number of its event), fired or not.
    timers: timers.map((t) => ({ seq: t.seq, kind: t.kind, nodeId: t.node_id, dueAt: t.due_at })),
    final: state ? comparableState(state) : null,
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The value with every id (whole strings and ids inside text, such as an action's "assign <team>")
 * replaced by its alias. An id without one is a mistake: it would not be stable.
 */
function alias(value: unknown, aliases: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(UUID, (id) => {
      const name = aliases.get(id.toLowerCase());
      if (!name) throw new Error(`No alias for id ${id}`);
      return name;
    });
  }
  if (Array.isArray(value)) return value.map((v) => alias(v, aliases));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [alias(k, aliases) as string, alias(v, aliases)]),
    );
  }
  return value;
}

await main();
