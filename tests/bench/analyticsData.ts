/**
 * The analytics benchmarks' data set: a year of one support flow's tickets, shaped exactly as the runtime
 * writes them.
 *
 * How it is made. A few hundred *template* tickets are worked through the real runtime on the
 * *Ticket resolution* template flow (12 nodes), two published versions: created through intake, taken and
 * handed over, triaged, routed, resolved (some looping between billing and technical, some breaching their
 * SLA — in place, or escalated by the breach edge), ended, asked for a rating and (some) rated; a few are
 * left open at a step. Every row they have — the ticket with its facts columns, its events, its stays
 * (`ticket_visits`), its feedback request — is what the move statements wrote. Then set-based SQL
 * (`generate_series`, `INSERT … SELECT`) clones them into as many tickets as asked: each clone takes a
 * template of its version, its own creation time over the year, its own pace (every offset from the
 * creation scaled by one factor, rounded to the millisecond), its own channel, customer tier and rating.
 * Every timestamp of a clone — its events, its stays' entry and exit, its closed, first-response, breach
 * and node-entry columns — is the template's offset from its creation, scaled: a stay's entry is an
 * event's time in the template, so it is that same event's time in the clone, and the facts stay what
 * `rebuildAnalytics` computes from the clone's events (K0 in tests/bench/analytics.ts checks it on 2k
 * tickets, row for row).
 *
 * Why clone the facts rather than rebuild them: `rebuildAnalytics` parses and folds every event in
 * Node, in batches of a few hundred tickets — about 15,000 events a second here, so 9 minutes for 1M
 * tickets (27 for 3M) on top of generating the events, where cloning the stays takes under a minute of
 * the 4.4 the whole 1M data set takes.
 *
 * Not cloned (the reports read none of them): messages, timers, idempotency keys, outbox rows.
 */
import type { Database } from '@stepwise/db';
import { seededRandom } from '@stepwise/flow';
import { assignTicket, recordFeedback } from '../../packages/api/src/runtime/operations.ts';
import { completeStep } from '../../packages/api/src/runtime/completeStep.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { hashFeedbackToken } from '../../packages/api/src/runtime/feedbackLink.ts';
import { fireDueTimers } from '../../packages/api/src/runtime/fireDueTimers.ts';
import { runDueEffects } from '../../packages/api/src/runtime/runDueEffects.ts';
import {
  createRuntimeOrg,
  type Person,
  publishFlow,
  publishNextVersion,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';

/** Bump when the shape of the generated data changes: a stored data set with another version is regenerated. */
export const GENERATOR_VERSION = 2;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The instant the data set ends at ("now" for its reports): fixed, so every run reads the same rows. */
export const DATA_NOW = '2031-01-01T00:00:00.000Z';

export type AnalyticsDataSet = {
  orgId: string;
  flowId: string;
  /** v1 (the first half of the year), v2 (the second half, active now). */
  versions: Array<{ id: string; number: number }>;
  now: string;
  tickets: number;
  finished: number;
  events: number;
  visits: number;
};

const CATEGORIES = ['billing', 'technical', 'account', 'general'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const ISSUE = { billing: 'Billing', technical: 'Technical', account: 'Account', general: 'Other' } as const;

/** The version 2 of the flow: triage's SLA tightened from 60 to 45 minutes, billing's from 8 to 6 hours. */
function secondVersion() {
  const document = template('ticket-resolution');
  return {
    ...document,
    nodes: document.nodes.map((n) =>
      n.type === 'step' && n.id === 'triage'
        ? { ...n, data: { ...n.data, slaMinutes: 45 } }
        : n.type === 'step' && n.id === 'resolve_billing'
          ? { ...n, data: { ...n.data, slaMinutes: 360 } }
          : n,
    ) as typeof document.nodes,
  };
}

type TicketRow = { seq: number; status: string; node_id: string | null; sla_due_at: string | null };

/**
 * Works `count` template tickets of the current active version through the runtime, one after the other
 * (each on its own day, so no timer of one fires during another), `open` of them left open at a step.
 */
async function workTemplates(
  db: Database,
  org: Awaited<ReturnType<typeof createRuntimeOrg>>,
  flowId: string,
  options: { count: number; open: number; seed: number; startAt: number },
): Promise<void> {
  const next = seededRandom(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo));
  const { agent1, agent2, manager } = org.people;
  const publicUrl = 'https://support.example';
  let clock = options.startAt;
  const now = () => new Date(clock);
  const read = async (id: string) =>
    (
      await db.query<TicketRow>(
        `SELECT seq, status, node_id, to_char(sla_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS sla_due_at
           FROM tickets WHERE org_id = $2::uuid AND id = $1::uuid`,
        [id, org.orgId],
      )
    )[0] as TicketRow;
  /** Time passes; when the step's SLA passes meanwhile, the timer fires through the runtime. */
  const wait = async (id: string, ms: number) => {
    const target = clock + ms;
    const ticket = await read(id);
    const due = ticket.sla_due_at ? Date.parse(ticket.sla_due_at) : null;
    if (due !== null && due < target) {
      clock = due + between(1_000, 5 * MINUTE);
      await fireDueTimers(db, now());
    }
    clock = Math.max(clock, target);
  };
  const assign = async (id: string, to: Person | null) => {
    clock += between(1_000, 2 * MINUTE);
    await assignTicket(db, manager, { ticketId: id, assigneeId: to?.userId ?? null }, now());
  };
  const complete = async (id: string, who: Person, outcomeId: string, form: Record<string, string>) => {
    const ticket = await read(id);
    const checklist: Record<string, string[]> = {
      triage: ['read_conversation', 'check_priority'],
      resolve_billing: ['account_checked', 'customer_answered'],
      resolve_technical: ['reproduced', 'customer_answered'],
      resolve_overdue: ['reproduced', 'customer_answered'],
    };
    await completeStep(
      db,
      who,
      {
        ticketId: id,
        expectedSeq: ticket.seq,
        nodeId: ticket.node_id ?? '',
        outcomeId,
        form,
        checklist: checklist[ticket.node_id ?? ''] ?? [],
        idempotencyKey: `tpl-${id}-${ticket.seq}`,
      },
      now(),
    );
  };
  for (let i = 0; i < options.count; i++) {
    const leaveOpen = i >= options.count - options.open;
    clock = options.startAt + i * 10 * DAY + between(0, 8 * HOUR);
    const category = pick(CATEGORIES);
    const priority = pick(PRIORITIES);
    const created = await createTicket(db, ticketInput({ flowId, category, priority }), {
      orgId: org.orgId,
      actorId: null,
      now: now(),
    });
    const id = created.ticket.id;
    const triager = next() < 0.5 ? agent1 : agent2;
    // Now and then nobody takes the ticket before triage's SLA passes: the timer fires and marks the
    // breach in place. (A timer fires only while the ticket is at the sequence number it entered the
    // step with, so a ticket taken first never breaches: the runtime's behaviour, kept as it is.)
    await wait(id, next() < 0.12 ? between(50 * MINUTE, 3 * HOUR) : between(2 * MINUTE, 40 * MINUTE));
    await assign(id, triager);
    if (next() < 0.3) {
      await wait(id, between(5 * MINUTE, 30 * MINUTE));
      await assign(id, triager === agent1 ? agent2 : agent1);
    }
    if (leaveOpen && next() < 0.5) continue;
    await wait(id, between(3 * MINUTE, 40 * MINUTE));
    const spam = next() < 0.06;
    const issue =
      category === 'technical' || category === 'general' ? pick(['Technical', 'Other']) : ISSUE[category];
    await complete(id, triager, spam ? 'no_action' : 'triaged', { issue_type: issue });
    if (spam) continue;
    // Resolution: billing and technical, sometimes handed over or bounced between the two.
    for (let round = 0; round < 3; round++) {
      const ticket = await read(id);
      if (ticket.status !== 'at_step' || !ticket.node_id) break;
      const billing = ticket.node_id === 'resolve_billing';
      const worker = billing ? agent1 : next() < 0.5 ? agent1 : agent2;
      // Sometimes the step's SLA passes before anyone takes it (billing: marked in place; technical: the
      // breach edge escalates it to the overdue step).
      await wait(id, next() < 0.08 ? between(4 * HOUR, 12 * HOUR) : between(5 * MINUTE, 2 * HOUR));
      const taken = await read(id);
      if (taken.status !== 'at_step' || !taken.node_id) break;
      await assign(id, worker);
      if (next() < 0.5) {
        // handed over to a colleague (billing has one agent: released to the queue, then taken again)
        await wait(id, between(10 * MINUTE, 3 * HOUR));
        if (billing) {
          await assign(id, null);
          await wait(id, between(5 * MINUTE, HOUR));
        }
        await assign(id, billing ? agent1 : worker === agent1 ? agent2 : agent1);
      }
      if (leaveOpen) break;
      const slow = next() < 0.15;
      await wait(id, slow ? between(4 * HOUR, 3 * DAY) : between(15 * MINUTE, 3 * HOUR));
      const after = await read(id);
      if (after.status !== 'at_step' || !after.node_id) break;
      const onBilling = after.node_id === 'resolve_billing';
      const bounce = round < 2 && next() < 0.3;
      const outcome = bounce ? (onBilling ? 'needs_technical' : 'needs_billing') : 'resolved';
      const who = onBilling ? agent1 : after.node_id === 'resolve_overdue' ? agent1 : worker;
      await complete(
        id,
        who,
        outcome,
        onBilling
          ? { billing_reference: `INV-${i}` }
          : { root_cause: pick(['Bug', 'User error', 'Configuration']) },
      );
    }
    if (leaveOpen) continue;
    // The rating request goes out after the commit; about half the customers answer.
    clock += between(1_000, 30_000);
    for (let k = 0; k < 3; k++) await runDueEffects(db, now(), { publicUrl });
    const [message] = await db.query<{ body: string }>(
      `SELECT body FROM ticket_messages WHERE org_id = $2::uuid AND ticket_id = $1::uuid AND body LIKE '%/feedback/%'`,
      [id, org.orgId],
    );
    const token = /\/feedback\/([A-Za-z0-9_-]{43})/.exec(message?.body ?? '')?.[1];
    if (token && next() < 0.55) {
      clock += between(10 * MINUTE, 2 * DAY);
      await recordFeedback(db, {
        tokenHash: hashFeedbackToken(token),
        score: 1 + Math.floor(next() * 5),
        comment: null,
        now: now(),
      });
    }
  }
}

/**
 * The templates: an organization, the flow published as v1 and worked, then v2 published and worked.
 * `bench_tpl*` tables hold, per template, every timestamp as its offset from the ticket's creation.
 */
async function makeTemplates(db: Database, perVersion: number, openPerVersion: number) {
  // Before the data set's year (the templates are removed once cloned).
  const start = Date.parse('2020-01-01T00:00:00.000Z');
  const org = await createRuntimeOrg(db, 'Analytics Bench', new Date(start));
  const v1 = await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 1);
  // Open tickets are v2's only (the active version): the last templates, so no timer of theirs fires
  // while another template is worked.
  await workTemplates(db, org, v1.flowId, { count: perVersion, open: 0, seed: 101, startAt: start });
  const v2 = await publishNextVersion(db, org, v1.flowId, secondVersion(), 'Tighter triage and billing SLAs');
  await workTemplates(db, org, v1.flowId, {
    count: perVersion,
    open: openPerVersion,
    seed: 202,
    startAt: start + (perVersion + 5) * 10 * DAY,
  });
  const ms = (column: string) => `(extract(epoch FROM ${column} - t.created_at) * 1000)::bigint`;
  await db.query(`DROP TABLE IF EXISTS bench_tpl, bench_tpl_events, bench_tpl_visits`);
  await db.query(
    `CREATE TABLE bench_tpl AS
    SELECT row_number() OVER (ORDER BY t.number)::int AS tpl, t.id AS ticket_id, t.version_id, t.status <> 'ended' AS open,
      row_number() OVER (PARTITION BY t.version_id, t.status <> 'ended' ORDER BY t.number)::int - 1 AS k,
      ${ms('t.closed_at')} AS closed_off, ${ms('t.sla_breached_at')} AS breached_off,
      ${ms('t.first_response_at')} AS response_off, ${ms('t.node_entered_at')} AS entered_off,
      ${ms('t.updated_at')} AS updated_off, ${ms('t.sla_due_at')} AS due_off,
      ${ms('f.created_at')} AS fb_created_off, ${ms('f.expires_at')} AS fb_expires_off, ${ms('f.used_at')} AS fb_used_off,
      f.id IS NOT NULL AS asked, t.csat_score IS NOT NULL AS rated
    FROM tickets t LEFT JOIN feedback_requests f ON f.org_id = t.org_id AND f.ticket_id = t.id
    WHERE t.flow_id = $1::uuid`,
    [v1.flowId],
  );
  await db.query(`CREATE TABLE bench_tpl_events AS
    SELECT p.tpl, e.seq, e.type, e.actor_id, e.from_node, e.to_node, e.data, ${ms('e.created_at')} AS off
    FROM bench_tpl p JOIN tickets t ON t.id = p.ticket_id
      JOIN ticket_events e ON e.org_id = t.org_id AND e.ticket_id = t.id`);
  await db.query(`CREATE TABLE bench_tpl_visits AS
    SELECT p.tpl, v.seq, v.ordinal, v.version_id, v.node_id, ${ms('v.entered_at')} AS entered_off,
      ${ms('v.left_at')} AS left_off, v.exit, v.handle, v.next_node_id, v.agent_id, v.breached
    FROM bench_tpl p JOIN tickets t ON t.id = p.ticket_id
      JOIN ticket_visits v ON v.org_id = t.org_id AND v.ticket_id = t.id`);
  return { org, flowId: v1.flowId, v1: v1.versionId, v2: v2.id };
}

/** A deterministic uniform [0, 1) of (g, k) in SQL. */
const rnd = (g: string, k: number) =>
  `((hashint8extended(${g}::bigint, ${k}) & 2147483647)::float8 / 2147483648.0)`;

/** Indexes of the bulk-loaded tables that are not constraints: dropped for the load, built again after. */
const LOADED = ['tickets', 'ticket_events', 'ticket_visits', 'feedback_requests'];

/**
 * Clones the templates into `tickets` tickets (1% of them open, created in the data set's last three
 * days; the rest finished over the year before `DATA_NOW`, v1's in its first half, v2's in its second).
 */
async function cloneTemplates(
  db: Database,
  ids: { orgId: string; flowId: string; v1: string; v2: string },
  tickets: number,
  log: (line: string) => void,
) {
  const open = Math.max(1, Math.round(tickets / 100));
  const finished = tickets - open;
  const now = `'${DATA_NOW}'::timestamptz`;
  const [counter] = await db.query<{ c: number }>(
    'UPDATE organizations SET ticket_counter = ticket_counter + $2::int WHERE id = $1::uuid RETURNING ticket_counter - $2::int AS c',
    [ids.orgId, tickets],
  );
  const base = counter?.c ?? 0;
  // The plan: one row per clone — its id, template, creation, pace, channel, tier and rating.
  await db.query('DROP TABLE IF EXISTS bench_plan');
  await db.query(
    `CREATE UNLOGGED TABLE bench_plan AS
    WITH g AS (SELECT g, g > ${finished} AS open, ${rnd('g', 1)} AS u FROM generate_series(1, ${tickets}) g),
    counts AS (SELECT version_id, open, count(*)::int AS n FROM bench_tpl GROUP BY version_id, open),
    chosen AS (
      SELECT g.g, g.open, CASE WHEN g.open OR g.u >= 0.5 THEN $2::uuid ELSE $1::uuid END AS version_id,
        CASE WHEN g.open THEN 0 WHEN g.u >= 0.5 THEN (g.u - 0.5) * 2 ELSE g.u * 2 END AS at
      FROM g)
    SELECT c.g, gen_random_uuid() AS id, p.tpl, c.version_id, c.open,
      0.4 + 1.6 * ${rnd('c.g', 2)} AS scale, c.at,
      (ARRAY['email','chat','phone','web','email','web'])[1 + floor(${rnd('c.g', 3)} * 6)::int] AS channel,
      (ARRAY['new','existing','existing','existing','vip'])[1 + floor(${rnd('c.g', 4)} * 5)::int] AS tier,
      CASE WHEN ${rnd('c.g', 5)} < 0.06 THEN 1 WHEN ${rnd('c.g', 5)} < 0.13 THEN 2 WHEN ${rnd('c.g', 5)} < 0.27 THEN 3
           WHEN ${rnd('c.g', 5)} < 0.55 THEN 4 ELSE 5 END AS score
    FROM chosen c
    JOIN counts n ON n.version_id = c.version_id AND n.open = c.open
    JOIN bench_tpl p ON p.version_id = c.version_id AND p.open = c.open
      AND p.k = floor(${rnd('c.g', 6)} * n.n)::int`,
    [ids.v1, ids.v2],
  );
  // Creation: v1's clones over the first half of the year, v2's over the second, each ending by DATA_NOW;
  // the open ones over the last three days (their stay in progress began before now).
  await db.query(`ALTER TABLE bench_plan ADD COLUMN created_at timestamptz`);
  await db.query(
    `UPDATE bench_plan b SET created_at = date_trunc('milliseconds', CASE
      WHEN b.open THEN ${now} - interval '3 days'
        + ${rnd('b.g', 7)} * greatest(0, 3 * 86400000::bigint - round(t.updated_off * b.scale)) * interval '1 millisecond'
      WHEN b.version_id = $1::uuid THEN ${now} - interval '365 days'
        + b.at * (182 * 86400000::bigint - round(t.updated_off * b.scale)) * interval '1 millisecond'
      ELSE ${now} - interval '183 days'
        + b.at * (183 * 86400000::bigint - round(t.updated_off * b.scale)) * interval '1 millisecond'
    END) FROM bench_tpl t WHERE t.tpl = b.tpl`,
    [ids.v1],
  );
  const at = (off: string) =>
    `CASE WHEN ${off} IS NULL THEN NULL ELSE b.created_at + round(${off} * b.scale) * interval '1 millisecond' END`;
  const started = performance.now();
  const step = async (label: string, text: string, params: unknown[] = []) => {
    const t0 = performance.now();
    await db.query(text, params);
    log(`    ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  // The load: no triggers or foreign-key checks (the rows are copies of checked ones), secondary indexes
  // built once afterwards. Rows go in the order the runtime would have written them last — a ticket's
  // row at its last move, a stay when it ended — so the tables' physical order is a live database's
  // (the reports' range scans read the recent end of each table).
  const indexes = await db.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
      WHERE c.relname = ANY($1::text[]) AND c.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [LOADED],
  );
  for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);
  await db.query(`SET session_replication_role = replica`);
  try {
    await step(
      'tickets',
      `INSERT INTO tickets (id, org_id, number, flow_id, version_id, node_id, seq, status, end_status, channel, priority,
        category, subject, description, customer_name, customer_email, customer_tier, tags, fields, team_id, assignee_id,
        breached, sla_breached_at, sla_due_at, created_at, updated_at, closed_at, csat_score, csat_comment,
        node_entered_at, first_response_at)
      SELECT b.id, s.org_id, ${base} + b.g, s.flow_id, s.version_id, s.node_id, s.seq, s.status, s.end_status, b.channel,
        s.priority, s.category, s.subject, s.description, 'Customer ' || b.g, 'customer' || b.g || '@example.com', b.tier,
        s.tags, s.fields, s.team_id, s.assignee_id, s.breached, ${at('t.breached_off')}, ${at('t.due_off')}, b.created_at,
        ${at('t.updated_off')}, ${at('t.closed_off')},
        CASE WHEN t.rated THEN b.score END, NULL, ${at('t.entered_off')}, ${at('t.response_off')}
      FROM bench_plan b JOIN bench_tpl t ON t.tpl = b.tpl JOIN tickets s ON s.id = t.ticket_id
      ORDER BY b.created_at + round(t.updated_off * b.scale) * interval '1 millisecond'`,
    );
    await step(
      'ticket_events',
      `INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
      SELECT $1::uuid, b.id, e.seq, e.type, e.actor_id, e.from_node, e.to_node,
        CASE e.data->'input'->>'type'
          WHEN 'created' THEN jsonb_set(jsonb_set(e.data, '{input,ticket,channel}', to_jsonb(b.channel)),
            '{input,ticket,customer}', jsonb_build_object('name', 'Customer ' || b.g, 'email', 'customer' || b.g || '@example.com', 'tier', b.tier))
          WHEN 'feedback' THEN jsonb_set(e.data, '{input,score}', to_jsonb(b.score))
          ELSE e.data END,
        ${at('e.off')}
      FROM bench_plan b JOIN bench_tpl_events e ON e.tpl = b.tpl`,
      [ids.orgId],
    );
    await step(
      'ticket_visits',
      `INSERT INTO ticket_visits (ticket_id, seq, ordinal, org_id, version_id, node_id, entered_at, left_at, exit, handle,
        next_node_id, agent_id, breached)
      SELECT b.id, v.seq, v.ordinal, $1::uuid, v.version_id, v.node_id, ${at('v.entered_off')}, ${at('v.left_off')}, v.exit,
        v.handle, v.next_node_id, v.agent_id, v.breached
      FROM bench_plan b JOIN bench_tpl_visits v ON v.tpl = b.tpl
      ORDER BY 8`,
      [ids.orgId],
    );
    await step(
      'feedback_requests',
      `INSERT INTO feedback_requests (org_id, ticket_id, token_hash, created_at, expires_at, used_at)
      SELECT $1::uuid, b.id, md5(b.id::text || ':feedback'), ${at('t.fb_created_off')}, ${at('t.fb_expires_off')},
        ${at('t.fb_used_off')}
      FROM bench_plan b JOIN bench_tpl t ON t.tpl = b.tpl WHERE t.asked`,
      [ids.orgId],
    );
  } finally {
    await db.query(`SET session_replication_role = DEFAULT`);
  }
  const t0 = performance.now();
  for (const index of indexes) await db.query(index.def);
  log(`    indexes: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await db.query('DROP TABLE bench_plan');
  log(`    clone total: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Fills an empty, migrated database with the data set: the templates through the runtime, then `tickets`
 * clones. VACUUM ANALYZE at the end, as autovacuum would leave a year-old table.
 */
export async function generateAnalyticsData(
  db: Database,
  tickets: number,
  log: (line: string) => void = () => {},
): Promise<AnalyticsDataSet> {
  const t0 = performance.now();
  const perVersion = tickets >= 20_000 ? 150 : Math.max(20, Math.round(tickets / 150));
  const ids = await makeTemplates(db, perVersion, Math.max(2, Math.round(perVersion / 15)));
  log(
    `    templates (${2 * perVersion} tickets worked through the runtime): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  await cloneTemplates(
    db,
    { orgId: ids.org.orgId, flowId: ids.flowId, v1: ids.v1, v2: ids.v2 },
    tickets,
    log,
  );
  // The templates themselves are not part of the data set.
  const templateIds = `(SELECT ticket_id FROM bench_tpl)`;
  await db.query(`SET session_replication_role = replica`); // the event log refuses deletes otherwise
  try {
    for (const table of [
      'ticket_visits',
      'feedback_requests',
      'ticket_messages',
      'timers',
      'runtime_jobs',
      'ticket_events',
    ])
      await db.query(`DELETE FROM ${table} WHERE ticket_id IN ${templateIds}`);
    await db.query(`DELETE FROM idempotency_keys WHERE org_id = $1::uuid`, [ids.org.orgId]);
    await db.query(`DELETE FROM tickets WHERE id IN ${templateIds}`);
  } finally {
    await db.query(`SET session_replication_role = DEFAULT`);
  }
  const t1 = performance.now();
  await db.query('VACUUM ANALYZE');
  log(`    vacuum analyze: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  return describeDataSet(db, { orgId: ids.org.orgId, flowId: ids.flowId });
}

/** The data set's ids and sizes, read back from the database. */
export async function describeDataSet(
  db: Database,
  ids: { orgId: string; flowId: string },
): Promise<AnalyticsDataSet> {
  const versions = await db.query<{ id: string; number: number }>(
    'SELECT id, number FROM flow_versions WHERE flow_id = $1::uuid ORDER BY number',
    [ids.flowId],
  );
  const [sizes] = await db.query<{ tickets: number; finished: number; events: number; visits: number }>(
    `SELECT (SELECT count(*)::int FROM tickets WHERE flow_id = $1::uuid) AS tickets,
            (SELECT count(*)::int FROM tickets WHERE flow_id = $1::uuid AND status = 'ended') AS finished,
            (SELECT count(*)::int FROM ticket_events WHERE org_id = $2::uuid) AS events,
            (SELECT count(*)::int FROM ticket_visits WHERE org_id = $2::uuid) AS visits`,
    [ids.flowId, ids.orgId],
  );
  return { ...ids, versions, now: DATA_NOW, tickets: 0, finished: 0, events: 0, visits: 0, ...sizes };
}
