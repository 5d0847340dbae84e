import { randomUUID } from 'node:crypto';
import { type Database, withOrg } from '@stepwise/db';
import { flows, memberships, organizations, type Role, teamMembers, teams, users } from '@stepwise/db';
import { type FlowDocument, type FlowNode, TEMPLATES } from '@stepwise/flow';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../runtime/sql.ts';
import { audit } from '../audit.ts';
import { hashPassword } from '../auth/password.ts';
import { completeStep } from '../runtime/completeStep.ts';
import { type CreateTicketInput, createTicket } from '../runtime/createTicket.ts';
import { fireDueTimers } from '../runtime/fireDueTimers.ts';
import type { StepView, TicketView } from '../runtime/ticketView.ts';
import { publishVersion } from '../services/publishVersion.ts';
import type { Caller } from '../trpc.ts';
import {
  DEMO_HISTORY_DAYS,
  type DemoHistoryOptions,
  type DemoHistoryResult,
  seedDemoHistory,
} from './demoHistory.ts';

export const DEMO_PASSWORD = 'stepwise-demo';
export const DEMO_ORG = 'Acme Support';

export type SeedResult = {
  orgName: string;
  logins: Array<{ role: Role; email: string; password: string }>;
  /** What `history` seeded (absent without it; null when it could not run). */
  history?: DemoHistoryResult | null;
};

export type SeedOptions = {
  now?: Date | undefined;
  /**
   * Also seed the demo's history (`seedDemoHistory`: weeks of finished tickets, a second version of
   * "Refund request" piloted on 30%), after today's tickets and on the same clock: `true` for its
   * defaults, or its options (a smaller `tickets` for a quick test). Off by default: it takes a while.
   */
  history?: boolean | Omit<DemoHistoryOptions, 'now'> | undefined;
  /**
   * When the flows' first versions were published (default: `now`; with `history`, its first day). A
   * server that seeds the history afterwards, in the background, passes `demoHistoryStart(now)`.
   */
  publishedAt?: Date | undefined;
};

/** The first day of the history `seedDemoHistory` seeds up to `now` (the first versions date from it). */
export function demoHistoryStart(now: Date, days: number = DEMO_HISTORY_DAYS): Date {
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
}

/** The audit entry that marks the organization the seed made (an org merely named "Acme Support" is not it). */
export const DEMO_SEEDED_ACTION = 'demo.seeded';

const PEOPLE: Array<{
  key: string;
  name: string;
  email: string;
  role: Role;
  teams: Array<'billing' | 'technical'>;
}> = [
  { key: 'admin', name: 'Ada Admin', email: 'admin@acme.test', role: 'admin', teams: [] },
  { key: 'manager', name: 'Maya Manager', email: 'manager@acme.test', role: 'manager', teams: [] },
  {
    key: 'agent1',
    name: 'Alex Agent',
    email: 'agent1@acme.test',
    role: 'agent',
    teams: ['billing', 'technical'],
  },
  { key: 'agent2', name: 'Sam Support', email: 'agent2@acme.test', role: 'agent', teams: ['technical'] },
];

/** Any fixed number: two processes seeding one empty database at once take turns on it. */
const SEED_LOCK = 727_274_002;

/** A template's document with its placeholder team ids (`team-billing`, …) replaced by real ones. */
export function mapTeams(document: FlowDocument, teamIds: Readonly<Record<string, string>>): FlowDocument {
  const team = (id: string | null): string | null =>
    id !== null && Object.hasOwn(teamIds, id) ? (teamIds[id] ?? id) : id;
  const nodes = document.nodes.map((node): FlowNode => {
    if (node.type === 'step') return { ...node, data: { ...node.data, teamId: team(node.data.teamId) } };
    if (node.type === 'action') {
      const ops = node.data.ops.map((op) =>
        op.op === 'assign' ? { ...op, teamId: team(op.teamId) ?? op.teamId } : op,
      );
      return { ...node, data: { ...node.data, ops } };
    }
    return node;
  });
  return { ...document, nodes };
}

type DemoTicket = CreateTicketInput & {
  /** Minutes before `now` the ticket came in. */
  ageMinutes: number;
  /** Steps to complete after intake, in order, by whom. */
  steps?: Array<{
    by: 'agent1' | 'agent2' | 'manager';
    outcomeId: string;
    checklist: string[];
    form: Record<string, string | number | boolean>;
  }>;
};

const TRIAGE = ['read_conversation', 'check_priority'];
const VERIFY = ['order_found', 'within_window', 'no_prior_refund'];

const TICKETS: DemoTicket[] = [
  {
    ageMinutes: 42,
    channel: 'email',
    subject: 'Charged twice for my March invoice',
    description:
      'Hi, my card statement shows two charges of 49.00 for invoice INV-2291. Please refund one of them.',
    customer: { name: 'Priya Raman', email: 'priya.raman@example.com', tier: 'existing' },
    category: 'billing',
    priority: 'high',
    tags: ['invoice'],
    steps: [{ by: 'agent1', outcomeId: 'triaged', checklist: TRIAGE, form: { issue_type: 'Billing' } }],
  },
  {
    ageMinutes: 18,
    channel: 'chat',
    subject: 'App crashes when I upload a photo',
    description: 'Every time I attach a photo from my gallery the iOS app closes. Version 4.2.1, iPhone 13.',
    customer: { name: 'Tom Becker', email: 'tom.becker@example.com', tier: 'new' },
    category: 'technical',
    priority: 'normal',
  },
  {
    ageMinutes: 35,
    channel: 'phone',
    subject: 'Cannot log in after password reset',
    description:
      'Customer reset the password twice and still gets "invalid credentials". Whole finance team blocked.',
    customer: { name: 'Elena García', email: 'elena.garcia@bigcorp.example', tier: 'vip' },
    category: 'account',
    priority: 'urgent',
    steps: [
      {
        by: 'agent2',
        outcomeId: 'triaged',
        checklist: TRIAGE,
        form: { issue_type: 'Account', affected_product: 'Web app' },
      },
    ],
  },
  {
    ageMinutes: 55,
    channel: 'web',
    subject: 'Refund for damaged headphones',
    description: 'The headphones arrived with a cracked headband. Photos attached. Order A-10482.',
    customer: { name: 'Jonas Lind', email: 'jonas.lind@example.com', tier: 'existing' },
    category: 'refund',
    priority: 'normal',
    steps: [
      {
        by: 'agent1',
        outcomeId: 'eligible',
        checklist: [...VERIFY, 'photos_received'],
        form: { order_number: 'A-10482', amount: 59, arrived_damaged: true, refund_reason: 'Damaged' },
      },
    ],
  },
  {
    ageMinutes: 25,
    channel: 'email',
    subject: 'Refund request for the annual plan',
    description: 'We bought the annual plan by mistake instead of monthly. Can we get the difference back?',
    customer: { name: 'Northwind Ltd (Kim Park)', email: 'kim.park@northwind.example', tier: 'vip' },
    category: 'refund',
    priority: 'high',
    steps: [
      {
        by: 'agent1',
        outcomeId: 'eligible',
        checklist: VERIFY,
        form: { order_number: 'SUB-7781', amount: 480, arrived_damaged: false, refund_reason: 'Other' },
      },
    ],
  },
  {
    ageMinutes: 6,
    channel: 'social',
    subject: 'Is your website down?',
    description: '@acme your checkout page has been spinning for 10 minutes. Anyone else?',
    customer: { name: 'Chris O’Neill', email: 'chris.oneill@example.com', tier: 'new' },
    category: 'technical',
    priority: 'urgent',
    tags: ['twitter'],
  },
  {
    ageMinutes: 12,
    channel: 'email',
    subject: 'Invoice address needs updating',
    description: 'Please change the billing address on our invoices to 12 Harbour Street, Leith.',
    customer: { name: 'Fiona MacLeod', email: 'fiona@leithsupply.example', tier: 'existing' },
    category: 'billing',
    priority: 'low',
  },
  {
    ageMinutes: 48,
    channel: 'chat',
    subject: 'CSV export is missing the notes column',
    description: 'Since yesterday the exported CSV no longer includes the "notes" column we rely on.',
    customer: { name: 'Rafael Souza', email: 'rafael.souza@example.com', tier: 'existing' },
    category: 'technical',
    priority: 'normal',
    steps: [
      {
        by: 'agent2',
        outcomeId: 'triaged',
        checklist: TRIAGE,
        form: { issue_type: 'Technical', affected_product: 'Exports' },
      },
    ],
  },
  {
    ageMinutes: 9,
    channel: 'phone',
    subject: 'Refund not received after 10 days',
    description: 'Customer was promised a refund on order A-9920 ten days ago and has not seen it yet.',
    customer: { name: 'Grace Okafor', email: 'grace.okafor@example.com', tier: 'vip' },
    category: 'refund',
    priority: 'high',
  },
  {
    // Came in two hours ago and nobody triaged it: its 60-minute SLA has passed.
    ageMinutes: 120,
    channel: 'web',
    subject: 'Question about API rate limits',
    description: 'What are the rate limits on the public API for the Team plan? We plan a nightly sync.',
    customer: { name: 'Dev Patel', email: 'dev.patel@example.com', tier: 'new' },
    category: 'technical',
    priority: 'low',
  },
  {
    ageMinutes: 30,
    channel: 'email',
    subject: 'Congratulations, you won a free cruise!!!',
    description: 'Click here to claim your prize.',
    customer: { name: 'Prize Desk', email: 'winner@spam.example', tier: 'new' },
    category: 'other',
    priority: 'low',
    steps: [{ by: 'agent2', outcomeId: 'no_action', checklist: TRIAGE, form: { issue_type: 'Other' } }],
  },
  {
    ageMinutes: 50,
    channel: 'chat',
    subject: 'Password reset email never arrives',
    description: 'I requested a reset link three times; nothing in inbox or spam.',
    customer: { name: 'Lena Vogel', email: 'lena.vogel@example.com', tier: 'existing' },
    category: 'account',
    priority: 'normal',
    steps: [
      {
        by: 'agent2',
        outcomeId: 'triaged',
        checklist: TRIAGE,
        form: { issue_type: 'Technical', affected_product: 'Login' },
      },
      {
        by: 'agent2',
        outcomeId: 'resolved',
        checklist: ['reproduced', 'customer_answered'],
        form: { root_cause: 'Configuration' },
      },
    ],
  },
];

/**
 * Seeds the demo workspace into an empty database: "Acme Support" with an admin, a manager and two
 * agents (password `stepwise-demo`), the Billing and Technical teams, the "Ticket resolution" and
 * "Refund request" flows published as v1, and a dozen tickets at various steps (one past its SLA) —
 * with `history`, also weeks of finished tickets before them. Returns null, changing nothing, when any
 * organization exists.
 */
export function seedDemo(database: Database, options: SeedOptions = {}): Promise<SeedResult | null> {
  // Its id is chosen here: everything the seed writes acts for the new organization.
  const orgId = randomUUID();
  return withOrg(orgId, () => seedAs(database, options, orgId));
}

async function seedAs(database: Database, options: SeedOptions, orgId: string): Promise<SeedResult | null> {
  const now = options.now ?? new Date();
  const history = options.history === true ? {} : options.history || null;
  // The organization, its people and flows date from when the first versions were published.
  const publishedAt =
    options.publishedAt ?? (history ? demoHistoryStart(now, history.days ?? DEMO_HISTORY_DAYS) : now);
  // Only into an empty database (asked through the narrowly granted function: organizations are walled).
  if ((await withOrg(null, () => database.query('SELECT id FROM stepwise_first_org()'))).length > 0)
    return null;
  // Hashing takes a while: never inside the transaction (PGlite has one connection).
  // One at a time: each scrypt hash takes 128 MiB.
  const hashes: string[] = [];
  for (const _person of PEOPLE) hashes.push(await hashPassword(DEMO_PASSWORD));
  const org = { id: orgId };
  const created = await database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${SEED_LOCK})`);
    const existing = rowsOf(await tx.execute(sql`SELECT id FROM stepwise_first_org()`));
    if (existing.length > 0) return null;
    await tx.insert(organizations).values({ id: org.id, name: DEMO_ORG, createdAt: publishedAt });
    const teamRows = await tx
      .insert(teams)
      .values([
        { orgId: org.id, name: 'Billing', createdAt: publishedAt },
        { orgId: org.id, name: 'Technical', createdAt: publishedAt },
      ])
      .returning({ id: teams.id, name: teams.name });
    const teamId = (name: string): string => {
      const row = teamRows.find((t) => t.name === name);
      if (!row) throw new Error(`team ${name} was not created`);
      return row.id;
    };
    const ids = { billing: teamId('Billing'), technical: teamId('Technical') };
    await audit(tx, {
      orgId: org.id,
      actorId: null,
      action: DEMO_SEEDED_ACTION,
      targetType: 'organization',
      targetId: org.id,
      data: { name: DEMO_ORG },
      at: publishedAt,
    });
    const people: Record<string, Caller> = {};
    for (const [i, person] of PEOPLE.entries()) {
      // Not read back: the policies show an account only once it is a member.
      const user = { id: randomUUID() };
      await tx.insert(users).values({
        id: user.id,
        email: person.email,
        name: person.name,
        passwordHash: hashes[i] ?? '',
        createdAt: publishedAt,
      });
      await tx
        .insert(memberships)
        .values({ orgId: org.id, userId: user.id, role: person.role, createdAt: publishedAt });
      for (const team of person.teams) {
        await tx.insert(teamMembers).values({ orgId: org.id, teamId: ids[team], userId: user.id });
      }
      people[person.key] = {
        userId: user.id,
        orgId: org.id,
        role: person.role,
        name: person.name,
        email: person.email,
      };
    }
    const placeholders = { 'team-billing': ids.billing, 'team-technical': ids.technical };
    const flowIds: string[] = [];
    // Refund requests are the narrower filter (category "refund"): route them first.
    for (const [templateId, routeOrder] of [
      ['refund-request', 10],
      ['ticket-resolution', 20],
    ] as const) {
      const template = TEMPLATES.find((t) => t.id === templateId);
      if (!template) throw new Error(`template ${templateId} is missing`);
      const [flow] = await tx
        .insert(flows)
        .values({
          orgId: org.id,
          name: template.name,
          description: template.description,
          draft: mapTeams(template.document, placeholders),
          routeOrder,
          createdAt: publishedAt,
          updatedAt: publishedAt,
          updatedBy: people.manager?.userId ?? null,
        })
        .returning({ id: flows.id });
      if (!flow) throw new Error('INSERT … RETURNING returned no row');
      flowIds.push(flow.id);
    }
    return { orgId: org.id, people, flowIds };
  });
  if (!created) return null;

  const { people } = created;
  for (const flowId of created.flowIds) {
    await publishVersion(database, {
      orgId,
      flowId,
      authorId: people.manager?.userId ?? null,
      message: 'First version, from the template.',
      now: publishedAt,
    });
  }

  const agent = (key: string): Caller => {
    const caller = people[key];
    if (!caller) throw new Error(`seed person ${key} is missing`);
    return caller;
  };
  for (const [i, demo] of TICKETS.entries()) {
    const { ageMinutes, steps, ...input } = demo;
    const at = new Date(now.getTime() - ageMinutes * 60_000);
    let ticket: StepView & { ticket: TicketView } = await createTicket(database, input, {
      orgId,
      actorId: null,
      now: at,
    });
    for (const [n, step] of (steps ?? []).entries()) {
      const nodeId = ticket.currentStep?.id;
      if (!nodeId) break;
      const stepAt = new Date(at.getTime() + (n + 1) * 4 * 60_000);
      ticket = await completeStep(
        database,
        agent(step.by),
        {
          ticketId: ticket.ticket.id,
          expectedSeq: ticket.ticket.seq,
          nodeId,
          outcomeId: step.outcomeId,
          form: step.form,
          checklist: step.checklist,
          idempotencyKey: `seed-${i}-${n}`,
        },
        stepAt,
      );
    }
  }
  // The SLA clock has run out on the oldest untriaged ticket: let it escalate as a server would.
  await fireDueTimers(database, now);

  return {
    orgName: DEMO_ORG,
    logins: PEOPLE.map((p) => ({ role: p.role, email: p.email, password: DEMO_PASSWORD })),
    ...(history ? { history: await seedDemoHistory(database, { ...history, now }) } : {}),
  };
}

/**
 * A database seeded before the seed marked its organization: in demo mode, the oldest organization — the
 * seed only ever runs into an empty database — is marked when it is Acme Support with the demo admin.
 * Returns whether it marked one. Harmless to repeat.
 */
export async function markSeededDemo(database: Database): Promise<boolean> {
  const [first] = await withOrg(null, () =>
    database.query<{ id: string }>('SELECT id FROM stepwise_first_org()'),
  );
  if (!first) return false;
  const rows = await withOrg(first.id, () =>
    database.query<{ id: string }>(
      `INSERT INTO audit_log (org_id, actor_id, action, target_type, target_id, data)
     SELECT o.id, NULL, $1, 'organization', o.id::text, jsonb_build_object('name', o.name, 'backfilled', true)
       FROM (SELECT id, name FROM organizations ORDER BY created_at, id LIMIT 1) o
      WHERE o.name = $2
        AND EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                     WHERE m.org_id = o.id AND lower(u.email) = $3)
        AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.org_id = o.id AND a.action = $1)
     RETURNING org_id AS id`,
      [DEMO_SEEDED_ACTION, DEMO_ORG, PEOPLE[0]?.email ?? ''],
    ),
  );
  return rows.length > 0;
}

export type DemoLogins = {
  orgName: string;
  password: string;
  logins: Array<{ role: Role; email: string }>;
};

/**
 * The demo accounts the log-in page may offer: only those of the organization the seed made (marked by
 * its audit entry), still enabled, and whose password nobody has changed or reset since (then the demo
 * password would no longer open them). Null when there is no demo organization.
 */
export async function findDemoLogins(database: Database): Promise<DemoLogins | null> {
  const emails = PEOPLE.map((p) => p.email);
  const demoOrg = await demoOrgId(database);
  if (!demoOrg) return null;
  const rows = await withOrg(demoOrg, () =>
    database.query<{ email: string; role: Role; org_name: string }>(
      `SELECT u.email, m.role, o.name AS org_name
       FROM users u
       JOIN memberships m ON m.user_id = u.id AND m.disabled_at IS NULL
       JOIN organizations o ON o.id = m.org_id
      WHERE lower(u.email) = ANY($1::text[])
        AND EXISTS (SELECT 1 FROM audit_log a WHERE a.org_id = m.org_id AND a.action = $2)
        AND NOT EXISTS (SELECT 1 FROM audit_log c WHERE c.org_id = m.org_id AND c.target_id = u.id::text
                          AND c.action IN ('user.password_changed', 'user.password_reset'))`,
      [emails, DEMO_SEEDED_ACTION],
    ),
  );
  const first = rows[0];
  if (!first) return null;
  const order = (email: string) => emails.indexOf(email);
  return {
    orgName: first.org_name,
    password: DEMO_PASSWORD,
    logins: rows
      .sort((a, b) => order(a.email) - order(b.email))
      .map((r) => ({ role: r.role, email: r.email })),
  };
}

/** The demo organization (the one its seed marked), found through the narrowly granted function. */
export async function demoOrgId(database: Database): Promise<string | null> {
  const [row] = await withOrg(null, () =>
    database.query<{ id: string | null }>('SELECT stepwise_demo_org() AS id'),
  );
  return row?.id ?? null;
}
