import { type Database, withOrg } from '@stepwise/db';
import { audit } from '../audit.ts';
import { type FlowDocument, parseFlowDocument, seededRandom } from '@stepwise/flow';
import { completeStep, type StepCompletion } from '../runtime/completeStep.ts';
import { type CreateTicketInput, createTicket } from '../runtime/createTicket.ts';
import { hashFeedbackToken } from '../runtime/feedbackLink.ts';
import { fireTimerBatch } from '../runtime/fireDueTimers.ts';
import { addMessage, recordFeedback } from '../runtime/operations.ts';
import { runDueEffects } from '../runtime/runDueEffects.ts';
import { RuntimeError } from '../runtime/runtimeError.ts';
import type { TicketDetail } from '../runtime/ticketView.ts';
import { versionCache } from '../runtime/versionCache.ts';
import { publishVersion } from '../services/publishVersion.ts';
import type { Caller } from '../trpc.ts';
import { FAST_TRACK_NODES, refundFastTrack } from './refundFastTrack.ts';
import { demoOrgId } from './seedDemo.ts';

/**
 * The demo's history: weeks of finished tickets on the demo organization, made by the real runtime — every
 * ticket created by `createTicket`, every step completed by `completeStep` as one of the demo's people,
 * every SLA and wait timer fired by `fireDueTimers` at its due time, every customer reply through
 * `addMessage` and every rating through the feedback link the ticket's end sent (`recordFeedback`) — on an
 * injected clock that walks from the first day to `now`, with a seeded generator: the same seed gives the
 * same tickets, the same moves and the same figures.
 *
 * Halfway through, the manager publishes version 2 of "Refund request" (a fast track for small refunds,
 * `refundFastTrack`) as a pilot on 30% of new tickets, still running at `now`.
 */
export type DemoHistoryOptions = {
  /** The end of the history (default: now). Every history ticket has ended by then. */
  now?: Date | undefined;
  /** The generator's seed (default `DEMO_HISTORY_SEED`). */
  seed?: number | undefined;
  /** How many days back the history starts (default 60). */
  days?: number | undefined;
  /** Tickets coming in over those days (default 2,600); those that could not end by `now` are left out. */
  tickets?: number | undefined;
  /** The pilot's start, in days before `now` (default 29), and its share of new refund tickets (30%). */
  pilotDaysAgo?: number | undefined;
  pilotPercent?: number | undefined;
  /**
   * Aborted: no new ticket comes in and no more ratings, the tickets already in are worked to their end
   * (a second or two), then it returns — the history it leaves holds only finished tickets.
   */
  signal?: AbortSignal | undefined;
  /** Told every 250 tickets created. */
  onProgress?: ((progress: { tickets: number; moves: number; day: string }) => void) | undefined;
};

export type DemoHistoryResult = {
  /** Tickets created (all of them ended), and arrivals left out because they could not end by `now`. */
  tickets: number;
  leftOut: number;
  /** Moves the runtime made: creations, completed steps, replies, timers fired, ratings. */
  moves: number;
  ratings: number;
  from: string;
  to: string;
  pilot: { versionId: string; number: number; percent: number; since: string } | null;
  aborted: boolean;
  ms: number;
};

export const DEMO_HISTORY_SEED = 20_240_601;
export const DEMO_HISTORY_DAYS = 60;
export const DEMO_HISTORY_TICKETS = 2_600;
/** The audit entry that marks an organization's history as seeded (it is seeded once). */
export const DEMO_HISTORY_ACTION = 'demo.history_seeded';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------
// Working hours (UTC): agents 07–21 on weekdays and 09–17 at weekends; the manager 08–18 on weekdays.
// A step's work takes working minutes of whoever does it, so a ticket that comes in at night waits for
// the morning — and its SLA clock, which runs on wall time, may pass meanwhile.

type Hours = (weekday: number) => readonly [number, number] | null;
const AGENT_HOURS: Hours = (d) => (d === 0 || d === 6 ? [9, 17] : [7, 21]);
const MANAGER_HOURS: Hours = (d) => (d === 0 || d === 6 ? null : [8, 18]);

/** The first run of a daily weekday batch at `hour` (UTC) at or after `t`. */
export function nextWeekdayRun(t: number, hour: number): number {
  let run = Math.floor(t / DAY) * DAY + hour * HOUR;
  while (run < t || [0, 6].includes(new Date(run).getUTCDay())) run += DAY;
  return run;
}

/** The instant `minutes` of working time after `start`, on `hours`. */
export function addWorkingMinutes(start: number, minutes: number, hours: Hours): number {
  let left = minutes * MINUTE;
  let t = start;
  for (let guard = 0; guard < 400; guard++) {
    const dayStart = Math.floor(t / DAY) * DAY;
    const open = hours(new Date(dayStart).getUTCDay());
    if (open) {
      const from = Math.max(t, dayStart + open[0] * HOUR);
      const close = dayStart + open[1] * HOUR;
      if (from < close) {
        if (left <= close - from) return from + left;
        left -= close - from;
      }
    }
    t = dayStart + DAY;
  }
  throw new Error(`${minutes} working minutes do not fit in 400 days`);
}

// ---------------------------------------------------------------------------------------------------
// How people behave at each step: how long the work takes (lognormal, working minutes: median and
// spread), who does it, which outcome they pick on a first visit (a second visit takes the first
// outcome, so loops end), and how often the work goes wrong in a way the customer notices (a refund to
// an expired card, a short refund, a fix that did not hold) — such customers rate low.

type Behaviour = {
  median: number;
  sigma: number;
  by: 'team' | 'manager';
  outcomes: ReadonlyArray<readonly [string, number]>;
  slip: number;
  /** Done in the payment system's run at this hour (UTC) on weekdays: prepared, then it waits for the run. */
  run?: number;
};

const BEHAVIOUR: Record<string, Behaviour> = {
  // Refund request
  verify: {
    median: 55,
    sigma: 0.9,
    by: 'team',
    outcomes: [
      ['eligible', 0.8],
      ['not_eligible', 0.2],
    ],
    slip: 0,
  },
  manager_approval: {
    median: 100,
    sigma: 0.9,
    by: 'manager',
    outcomes: [
      ['approved', 0.85],
      ['rejected', 0.15],
    ],
    slip: 0,
  },
  // Refunds go out in the payment system's daily run (16:00 on weekdays): one prepared on a Friday
  // evening waits for Monday's run, past the step's 24-hour SLA.
  issue_refund: { median: 60, sigma: 0.6, by: 'team', outcomes: [['refunded', 1]], slip: 0.03, run: 16 },
  // v2's fast track: done at once, by the verifying team, with one checkbox and no confirmation.
  [FAST_TRACK_NODES.step]: { median: 14, sigma: 0.7, by: 'team', outcomes: [['refunded', 1]], slip: 0.26 },
  // Ticket resolution
  triage: {
    median: 18,
    sigma: 0.9,
    by: 'team',
    outcomes: [
      ['triaged', 0.92],
      ['no_action', 0.08],
    ],
    slip: 0,
  },
  resolve_billing: {
    median: 95,
    sigma: 1,
    by: 'team',
    outcomes: [
      ['resolved', 0.9],
      ['needs_technical', 0.1],
    ],
    slip: 0.05,
  },
  resolve_technical: {
    median: 100,
    sigma: 0.9,
    by: 'team',
    outcomes: [
      ['resolved', 0.88],
      ['needs_billing', 0.12],
    ],
    slip: 0.07,
  },
  resolve_overdue: {
    median: 45,
    sigma: 0.8,
    by: 'team',
    outcomes: [
      ['resolved', 0.95],
      ['needs_billing', 0.05],
    ],
    slip: 0.09,
  },
};
const NODES = Object.keys(BEHAVIOUR);
const FLOW_STEPS: Record<'refund' | 'resolution', string[]> = {
  refund: ['verify', 'manager_approval', 'issue_refund', FAST_TRACK_NODES.step],
  resolution: ['triage', 'resolve_billing', 'resolve_technical', 'resolve_overdue'],
};
/** Visits per step a plan covers: a loop between two steps takes each at most twice. */
const VISITS = 2;

/** A customer waiting for a refund's follow-up replies with this probability, after a lognormal delay. */
const REPLY = { p: 0.7, median: 18 * 60, sigma: 1 };
/** Asked for a rating, customers answer after a lognormal delay; one whose refund went wrong answers more often. */
const ANSWER = { p: 0.45, pSlipped: 0.8, median: 4 * 60, sigma: 1.3 };

// ---------------------------------------------------------------------------------------------------
// Who writes in, about what.

const FIRST =
  'Anna Ben Chloé David Emma Farid Greta Hugo Ines Jonas Kemi Liam Mia Noah Olga Pablo Qing Rosa Sven Tara Umar Vera Wen Yara Zoe Mateo Aiko Lars Nadia Omar'.split(
    ' ',
  );
const LAST =
  'Keller Novak Silva Brennan Moreau Haddad Lindqvist Adeyemi Rossi Kowalski Nakamura Okafor Petrov Jensen García Müller Dubois Costa Walsh Fischer Ivanova Sato Mensah Berg Lopez'.split(
    ' ',
  );
const SUBJECTS: Record<string, string[]> = {
  refund: [
    'Refund for a damaged item',
    'Item not as described, want my money back',
    'Order arrived too late, please refund',
    'Refund request for order',
    'Charged for an order I cancelled',
    'Returned the parcel, where is my refund?',
    'Wrong size delivered, refund please',
  ],
  billing: [
    'Charged twice this month',
    'Invoice shows the wrong VAT number',
    'Need a copy of last month’s invoice',
    'Payment failed but money left my account',
    'Change the billing address on invoices',
  ],
  technical: [
    'App crashes on start',
    'Sync stopped working',
    'Export file is empty',
    'Page loads forever on checkout',
    'Push notifications stopped',
    'Error 500 when saving settings',
  ],
  account: [
    'Cannot log in after password reset',
    'Two-factor code never arrives',
    'Please merge my two accounts',
    'Change the account owner',
  ],
  other: ['Question about your opening hours', 'Partnership enquiry', 'Feedback on the new design'],
};
const REFUND_REASONS = ['Damaged', 'Not as described', 'Late delivery', 'Changed mind', 'Other'];
const ROOT_CAUSES = ['User error', 'Bug', 'Outage', 'Configuration', 'Unknown'];
const CATEGORY_MIX: ReadonlyArray<readonly [string, number]> = [
  ['refund', 0.6],
  ['technical', 0.16],
  ['billing', 0.1],
  ['account', 0.1],
  ['other', 0.04],
];
const CHANNELS = [
  ['email', 0.4],
  ['chat', 0.25],
  ['web', 0.15],
  ['phone', 0.12],
  ['social', 0.08],
] as const;
const PRIORITIES = [
  ['low', 0.2],
  ['normal', 0.55],
  ['high', 0.2],
  ['urgent', 0.05],
] as const;
const TIERS = [
  ['new', 0.3],
  ['existing', 0.6],
  ['vip', 0.1],
] as const;
const GOOD_COMMENTS = [
  'Quick and friendly, thanks!',
  'Sorted in no time.',
  'Thanks for the help.',
  'All good now.',
];
const SLIP_COMMENTS: Record<string, string[]> = {
  refund: [
    'The refund went to a card I no longer have.',
    'I got back less than I paid.',
    'Still no money on my statement.',
  ],
  resolution: ['The problem came back the next day.', 'Had to explain everything twice.'],
};

/** Tickets per hour of the day (UTC) and day of the week, relative. */
const HOUR_WEIGHT = '.08 .06 .06 .06 .08 .12 .25 .45 .9 1 1 1 .85 .85 .95 .95 .9 .7 .45 .3 .22 .16 .12 .1'
  .split(' ')
  .map(Number);
const WEEKDAY_WEIGHT = [0.45, 1.15, 1, 1, 0.95, 0.9, 0.45];

// ---------------------------------------------------------------------------------------------------
// Random draws.

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function weighted<T>(u: number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let x = u * total;
  for (const [item, w] of items) {
    if (x < w) return item;
    x -= w;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('weighted pick from an empty list');
  return last[0];
}

/** A standard normal deviate from two uniforms (Box–Muller). */
function normal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

function lognormal(median: number, sigma: number, u1: number, u2: number): number {
  return median * Math.exp(sigma * normal(u1, u2));
}

/** A version-4 UUID from the generator (a history ticket's id: its pilot bucket is keyed by it). */
function seededUuid(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(rng() * 16).toString(16);
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------------
// One ticket's plan: everything random about it is drawn when it comes in, from its own generator, so
// what happens to one ticket does not shift the draws of the others.

type Plan = {
  index: number;
  at: number;
  id: string;
  kind: 'refund' | 'resolution';
  input: CreateTicketInput;
  /** Per step and visit: working minutes, and the uniform that picks the outcome. */
  work: Map<string, Array<{ minutes: number; u: number }>>;
  form: { order: string; amount: number; reason: string; rootCause: string; product: string };
  reply: number | null;
  rating: { answers: boolean; answersIfSlipped: boolean; delay: number; z: number; comment: number };
  slips: Map<string, number>;
  doer: number;
};

function planTicket(seed: number, index: number, at: number): Plan {
  const rng = seededRandom((Math.imul(seed, 0x9e3779b1) + index * 0x85ebca6b) >>> 0);
  rng();
  const id = seededUuid(rng);
  const category = weighted(rng(), CATEGORY_MIX);
  const kind = category === 'refund' ? 'refund' : 'resolution';
  const first = pick(rng, FIRST);
  const last = pick(rng, LAST);
  const tier = weighted(rng(), TIERS);
  const subject = pick(rng, SUBJECTS[category] ?? ['Question']);
  const order = `A-${10_000 + Math.floor(rng() * 89_999)}`;
  const amount = Math.max(5, Math.round(lognormal(45, 0.85, rng(), rng())));
  const input: CreateTicketInput = {
    channel: weighted(rng(), CHANNELS),
    subject: kind === 'refund' && subject.endsWith('order') ? `${subject} ${order}` : subject,
    description:
      kind === 'refund'
        ? `Hello, about order ${order} (${amount}.00): ${subject.toLowerCase()}. Please help.`
        : `Hello, ${subject.toLowerCase()}. Can you help?`,
    customer: {
      name: `${first} ${last}`,
      email: `${first}.${last}.${index}@example.com`
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z0-9.@]/g, ''),
      tier,
    },
    category,
    priority: weighted(rng(), PRIORITIES),
  };
  const work = new Map<string, Array<{ minutes: number; u: number }>>();
  const slips = new Map<string, number>();
  for (const node of NODES) {
    const b = BEHAVIOUR[node];
    if (!b) continue;
    const visits: Array<{ minutes: number; u: number }> = [];
    for (let v = 0; v < VISITS; v++) {
      // Capped at five medians: nobody leaves a ticket at a step for weeks.
      const minutes = Math.max(2, Math.min(5 * b.median, lognormal(b.median, b.sigma, rng(), rng())));
      visits.push({ minutes: Math.round(minutes), u: rng() });
    }
    work.set(node, visits);
    slips.set(node, rng());
  }
  const replies = rng() < REPLY.p;
  const replyAfter = Math.round(lognormal(REPLY.median, REPLY.sigma, rng(), rng()));
  const answerU = rng();
  return {
    index,
    at,
    id,
    kind,
    input,
    work,
    form: {
      order,
      amount,
      reason: pick(rng, REFUND_REASONS),
      rootCause: pick(rng, ROOT_CAUSES),
      product: pick(rng, ['Web app', 'iOS app', 'Android app', 'Exports', 'Login', 'Checkout']),
    },
    reply: replies ? replyAfter : null,
    rating: {
      answers: answerU < ANSWER.p,
      answersIfSlipped: answerU < ANSWER.pSlipped,
      delay: Math.round(lognormal(ANSWER.median, ANSWER.sigma, rng(), rng())),
      z: normal(rng(), rng()),
      comment: rng(),
    },
    slips,
    doer: rng(),
  };
}

/**
 * The latest instant a ticket can still be open, whatever path it takes: all the work of every step of
 * its flow, on the strictest working hours, then the longest wait for the customer. A ticket that comes
 * in too late to end by `now` is left out of the history (the history holds only finished tickets).
 */
function latestEnd(plan: Plan, waitMinutes: number): number {
  let minutes = 0;
  let run: number | undefined;
  for (const node of FLOW_STEPS[plan.kind]) {
    for (const v of plan.work.get(node) ?? []) minutes += v.minutes;
    run ??= BEHAVIOUR[node]?.run;
  }
  // The manager's hours are the shortest: every step's work fits in them, the payment run comes after.
  let worked = addWorkingMinutes(plan.at, minutes, MANAGER_HOURS);
  if (run !== undefined) worked = nextWeekdayRun(worked, run) + RECORD_RUN;
  const wait = plan.kind === 'refund' ? Math.min(plan.reply ?? waitMinutes, waitMinutes) : 0;
  return worked + wait * MINUTE + HOUR;
}

/** The history gives way to other work (a server's requests) at least this often. */
const YIELD_EVERY_MS = 20;

/** After a payment run, the agent records its reference within this long. */
const RECORD_RUN = 15 * MINUTE;

/** When the work of a step entered at `at` is done. */
function doneAt(b: Behaviour, at: number, minutes: number): number {
  const worked = addWorkingMinutes(at, minutes, b.by === 'manager' ? MANAGER_HOURS : AGENT_HOURS);
  return b.run === undefined ? worked : nextWeekdayRun(worked, b.run) + RECORD_RUN;
}

// ---------------------------------------------------------------------------------------------------
// The simulation: a queue of things that happen at instants, taken in order; before each, the timers
// due by then fire at their own due instants.

type Tracked = {
  plan: Plan;
  id: string;
  seq: number;
  status: string;
  nodeId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  breached: boolean;
  createdAt: number;
  visits: Map<string, number>;
  slipped: boolean;
  replied: boolean;
  /** Bumped when something other than its people moved the ticket: plans made before are void. */
  gen: number;
  /** The version the ticket runs on. */
  document: FlowDocument | null;
};

/** Where a ticket is, as a timer or a reply left it. */
type TicketState = {
  seq: number;
  status: string;
  node_id: string | null;
  team_id: string | null;
  assignee_id: string | null;
  breached: boolean;
};
const STATE_COLUMNS = `t.seq, t.status, t.node_id, t.team_id, t.assignee_id, t.sla_breached_at IS NOT NULL AS breached`;

type Happening =
  | { kind: 'arrive'; at: number; plan: Plan }
  | { kind: 'pilot'; at: number }
  | { kind: 'work'; at: number; ticket: Tracked; gen: number; nodeId: string; visit: number }
  | { kind: 'reply'; at: number; ticket: Tracked; gen: number }
  | { kind: 'rate'; at: number; ticket: Tracked; tokenHash: string; score: number; comment: string | null };

/** A binary heap on (at, order of insertion): ties keep their order, so a run is reproducible. */
class Agenda {
  private items: Array<{ at: number; n: number; h: Happening }> = [];
  private counter = 0;
  push(h: Happening): void {
    const items = this.items;
    items.push({ at: h.at, n: this.counter++, h });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): Happening | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!top || !last) return undefined;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.h;
  }
  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    return x.at < y.at || (x.at === y.at && x.n < y.n);
  }
  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return;
    this.items[a] = y;
    this.items[b] = x;
  }
}

type Demo = {
  orgId: string;
  manager: Caller;
  agents: Caller[];
  teamMembers: Map<string, Caller[]>;
  refundFlowId: string;
  refundDocument: FlowDocument;
  /** "Refund request" still has only its first version, and no pilot: the history may add v2. */
  refundUntouched: boolean;
  intake: Caller;
};

async function findDemo(database: Database): Promise<Demo | null> {
  const orgs = await database.query<{ id: string; history: boolean }>(
    `SELECT o.id, EXISTS (SELECT 1 FROM audit_log h WHERE h.org_id = o.id AND h.action = $2) AS history
       FROM organizations o
      WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.org_id = o.id AND a.action = $1)
      ORDER BY o.created_at, o.id LIMIT 1`,
    ['demo.seeded', DEMO_HISTORY_ACTION],
  );
  const org = orgs[0];
  if (!org || org.history) return null;
  const people = await database.query<{ id: string; name: string; email: string; role: Caller['role'] }>(
    `SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.org_id = $1::uuid AND m.disabled_at IS NULL ORDER BY u.email`,
    [org.id],
  );
  const callerOf = (p: (typeof people)[number]): Caller => ({
    userId: p.id,
    orgId: org.id,
    role: p.role,
    name: p.name,
    email: p.email,
  });
  const managerRow = people.find((p) => p.role === 'manager');
  const agents = people.filter((p) => p.role === 'agent').map(callerOf);
  if (!managerRow || agents.length === 0) return null;
  const members = await database.query<{ team_id: string; user_id: string }>(
    `SELECT team_id, user_id FROM team_members WHERE org_id = $1::uuid ORDER BY team_id, user_id`,
    [org.id],
  );
  const teamMembers = new Map<string, Caller[]>();
  for (const m of members) {
    const agent = agents.find((a) => a.userId === m.user_id);
    if (agent) teamMembers.set(m.team_id, [...(teamMembers.get(m.team_id) ?? []), agent]);
  }
  const flows = await database.query<{
    id: string;
    draft: unknown;
    versions: number;
    pilot: string | null;
  }>(
    `SELECT f.id, f.draft, f.pilot_version_id AS pilot,
            (SELECT count(*)::int FROM flow_versions v WHERE v.org_id = f.org_id AND v.flow_id = f.id) AS versions
       FROM flows f WHERE f.org_id = $1::uuid AND f.name = 'Refund request' AND f.active_version_id IS NOT NULL`,
    [org.id],
  );
  const refund = flows[0];
  if (!refund) return null;
  const parsed = parseFlowDocument(refund.draft);
  if (!parsed.ok) return null;
  return {
    orgId: org.id,
    manager: callerOf(managerRow),
    agents,
    teamMembers,
    refundFlowId: refund.id,
    refundDocument: parsed.document,
    refundUntouched: refund.pilot === null && refund.versions === 1,
    intake: { userId: null, orgId: org.id, role: 'api', name: 'Mail and chat intake', email: '' },
  };
}

/** The instants tickets come in: `count` of them over [from, to), more on weekday working hours. */
function arrivals(rng: Rng, from: number, to: number, count: number): number[] {
  const max = Math.max(...HOUR_WEIGHT) * Math.max(...WEEKDAY_WEIGHT);
  const out: number[] = [];
  while (out.length < count) {
    const t = from + Math.floor(rng() * (to - from));
    const d = new Date(t);
    const w = (HOUR_WEIGHT[d.getUTCHours()] ?? 0) * (WEEKDAY_WEIGHT[d.getUTCDay()] ?? 0);
    if (rng() * max < w) out.push(t);
  }
  return out.sort((a, b) => a - b);
}

/** A step's form as the person completing it fills it in. */
function formFor(nodeId: string, plan: Plan): Record<string, string | number | boolean> {
  const f = plan.form;
  switch (nodeId) {
    case 'verify':
      return {
        order_number: f.order,
        amount: f.amount,
        arrived_damaged: f.reason === 'Damaged',
        refund_reason: f.reason,
      };
    case 'manager_approval':
      return {};
    case 'issue_refund':
    case FAST_TRACK_NODES.step:
      return { refund_reference: `PAY-${plan.index.toString().padStart(6, '0')}` };
    case 'triage': {
      const type: Record<string, string> = {
        billing: 'Billing',
        technical: 'Technical',
        account: 'Account',
        other: 'Other',
      };
      return { issue_type: type[plan.input.category] ?? 'Other', affected_product: f.product };
    }
    case 'resolve_technical':
    case 'resolve_overdue':
      return { root_cause: f.rootCause };
    case 'resolve_billing':
      return { billing_reference: `BIL-${plan.index}` };
    default:
      return {};
  }
}

/**
 * A customer's rating, from what happened to them: a refund or a fix that went wrong reads 1–2; otherwise
 * a resolved ticket starts from 4.5 and a declined one from 2.6, minus half a point if an SLA passed, minus
 * 0.15 a day beyond the first (at most 0.6), plus 0.2 for a customer who talked to the team again at the
 * follow-up; a normal spread of 0.8 around that, rounded into 1–5.
 */
function scoreOf(ticket: Tracked, endStatus: string | null, endedAt: number): number {
  const r = ticket.plan.rating;
  let mean: number;
  if (ticket.slipped) mean = 1.6;
  else {
    mean = endStatus === 'resolved' ? 4.5 : 2.6;
    if (ticket.breached) mean -= 0.5;
    const days = (endedAt - ticket.createdAt) / DAY;
    mean -= Math.min(0.6, Math.max(0, days - 1) * 0.15);
    if (ticket.replied) mean += 0.2;
  }
  return Math.max(1, Math.min(5, Math.round(mean + 0.8 * r.z)));
}

/**
 * Seeds the history into the demo organization (see `DemoHistoryOptions`). Returns null, changing
 * nothing, when there is no demo organization, its history is already seeded, or its "Refund request" flow
 * has moved past its first version.
 */
export async function seedDemoHistory(
  database: Database,
  options: DemoHistoryOptions = {},
): Promise<DemoHistoryResult | null> {
  const started = Date.now();
  const now = (options.now ?? new Date()).getTime();
  const seed = options.seed ?? DEMO_HISTORY_SEED;
  const days = options.days ?? DEMO_HISTORY_DAYS;
  const count = options.tickets ?? DEMO_HISTORY_TICKETS;
  const pilotPercent = options.pilotPercent ?? 30;
  const from = now - days * DAY;
  const pilotAt = Math.floor((now - (options.pilotDaysAgo ?? 29) * DAY) / DAY) * DAY + 10 * HOUR;
  // Everything the history writes acts for the demo organization.
  const demoOrg = await demoOrgId(database);
  if (!demoOrg) return null;
  return withOrg(demoOrg, () => fillHistory(database, options, started));
}

async function fillHistory(
  database: Database,
  options: DemoHistoryOptions,
  started: number,
): Promise<DemoHistoryResult | null> {
  const now = (options.now ?? new Date()).getTime();
  const seed = options.seed ?? DEMO_HISTORY_SEED;
  const days = options.days ?? DEMO_HISTORY_DAYS;
  const count = options.tickets ?? DEMO_HISTORY_TICKETS;
  const pilotPercent = options.pilotPercent ?? 30;
  const from = now - days * DAY;
  const pilotAt = Math.floor((now - (options.pilotDaysAgo ?? 29) * DAY) / DAY) * DAY + 10 * HOUR;
  const demo = await findDemo(database);
  if (!demo?.refundUntouched) return null;
  // Marked first: a history that fails halfway is not seeded a second time over the first.
  await audit(database, {
    orgId: demo.orgId,
    actorId: null,
    action: DEMO_HISTORY_ACTION,
    targetType: 'organization',
    targetId: demo.orgId,
    data: { seed, days, tickets: count },
    at: new Date(now),
  });

  const rng = seededRandom(seed >>> 0);
  const agenda = new Agenda();
  // The longest a refund waits for the customer's confirmation (v1's follow-up wait).
  const followUp = demo.refundDocument.nodes.find((n) => n.id === 'follow_up');
  const waitMinutes = (followUp?.type === 'wait' ? followUp.data.minutes : null) ?? 3 * 24 * 60;
  let leftOut = 0;
  const times = arrivals(rng, from + HOUR, now, count);
  for (const [index, at] of times.entries()) {
    const plan = planTicket(seed, index, at);
    if (latestEnd(plan, waitMinutes) >= now) leftOut++;
    else agenda.push({ kind: 'arrive', at, plan });
  }
  const withPilot = pilotAt > from && pilotAt < now;
  if (withPilot) agenda.push({ kind: 'pilot', at: pilotAt });

  const stats = { tickets: 0, moves: 0, ratings: 0 };
  const tracked: Tracked[] = [];
  let pilot: DemoHistoryResult['pilot'] = null;
  let aborted = false;
  let clock = from;

  /** Fires, at their own due instants, the timers due by `until`; performs the effects their moves left. */
  const fireTimersUntil = async (until: number) => {
    let previous = Number.NaN;
    for (;;) {
      const [next] = await database.query<{ due: string | null }>(
        `SELECT to_char(min(due_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due
           FROM timers WHERE org_id = $1::uuid AND fired_at IS NULL AND cancelled_at IS NULL`,
        [demo.orgId],
      );
      const due = next?.due ? Date.parse(next.due) : Number.NaN;
      // A timer that failed to fire stays due: it is left to the server's loop rather than retried here.
      if (!(due <= until) || due === previous) return;
      previous = due;
      const at = new Date(Math.max(due, clock));
      const { fired } = await fireTimerBatch(database, at, { batch: 500 });
      stats.moves += fired;
      if (fired > 0) await timersMoved(at);
    }
  };

  /** The tickets the timers just moved, as their people now see them: an escalated one is picked up at once. */
  const timersMoved = async (at: Date) => {
    await runDueEffects(database, at);
    const rows = await database.query<TicketState & { id: string }>(
      `SELECT t.id, ${STATE_COLUMNS} FROM timers tm JOIN tickets t ON t.org_id = tm.org_id AND t.id = tm.ticket_id
        WHERE tm.org_id = $1::uuid AND tm.fired_at = $2::timestamptz ORDER BY t.number`,
      [demo.orgId, at.toISOString()],
    );
    for (const row of rows) {
      const t = byId.get(row.id);
      if (!t) continue;
      const moved = row.status !== t.status || row.node_id !== t.nodeId;
      applyState(t, row);
      if (moved) {
        t.gen++;
        await react(t, at.getTime());
      }
    }
  };

  const applyView = (t: Tracked, view: { ticket: TicketDetail['ticket'] }) => {
    const v = view.ticket;
    t.seq = v.seq;
    t.status = v.status;
    t.nodeId = v.nodeId;
    t.teamId = v.teamId;
    t.assigneeId = v.assigneeId;
    if (v.slaBreachedAt) t.breached = true;
  };
  const applyState = (t: Tracked, row: TicketState) => {
    t.seq = row.seq;
    t.status = row.status;
    t.nodeId = row.node_id;
    t.teamId = row.team_id;
    t.assigneeId = row.assignee_id;
    t.breached ||= row.breached;
  };
  const byId = new Map<string, Tracked>();

  /** What the ticket's people do next, from where it is now. */
  const react = async (t: Tracked, at: number) => {
    if (t.status === 'at_step' && t.nodeId) {
      const b = BEHAVIOUR[t.nodeId];
      if (!b) throw new Error(`The history has no behaviour for step "${t.nodeId}"`);
      const visit = t.visits.get(t.nodeId) ?? 0;
      t.visits.set(t.nodeId, visit + 1);
      const work = t.plan.work.get(t.nodeId)?.[Math.min(visit, VISITS - 1)];
      const minutes = work?.minutes ?? b.median;
      const done = doneAt(b, at, minutes);
      agenda.push({ kind: 'work', at: done, ticket: t, gen: t.gen, nodeId: t.nodeId, visit });
    } else if (t.status === 'waiting' && t.plan.reply !== null && t.plan.reply < waitMinutes) {
      agenda.push({ kind: 'reply', at: at + t.plan.reply * MINUTE, ticket: t, gen: t.gen });
    } else if (t.status === 'ended') {
      await askedForRating(t, at);
    }
  };

  /** The customer opens the feedback link the ticket's end sent them, or does not. */
  const askedForRating = async (t: Tracked, at: number) => {
    await runDueEffects(database, new Date(at));
    const [link] = await database.query<{ body: string; end_status: string | null }>(
      `SELECT m.body, t.end_status FROM ticket_messages m JOIN tickets t ON t.org_id = m.org_id AND t.id = m.ticket_id
        WHERE m.org_id = $2::uuid AND m.ticket_id = $1::uuid AND m.author_kind = 'system' AND m.body LIKE '%/feedback/%'
        ORDER BY m.created_at DESC, m.id DESC LIMIT 1`,
      [t.id, demo.orgId],
    );
    const token = link ? /\/feedback\/([A-Za-z0-9_-]{43})/.exec(link.body)?.[1] : undefined;
    if (!link || !token) return;
    const r = t.plan.rating;
    const answerAt = at + r.delay * MINUTE;
    if (!(t.slipped ? r.answersIfSlipped : r.answers) || answerAt >= now) return;
    const score = scoreOf(t, link.end_status, at);
    const comments = t.slipped ? (SLIP_COMMENTS[t.plan.kind] ?? []) : score >= 4 ? GOOD_COMMENTS : [];
    const comment =
      comments.length > 0 && r.comment < 0.5
        ? (comments[Math.floor(r.comment * 2 * comments.length)] ?? null)
        : null;
    agenda.push({
      kind: 'rate',
      at: answerAt,
      ticket: t,
      tokenHash: hashFeedbackToken(token),
      score,
      comment,
    });
  };

  /** Who completes the step: the manager for approvals, else its assignee, else one of its team. */
  const doerOf = (t: Tracked, b: Behaviour): Caller => {
    if (b.by === 'manager') return demo.manager;
    const assignee = demo.agents.find((a) => a.userId === t.assigneeId);
    if (assignee) return assignee;
    const team = (t.teamId ? demo.teamMembers.get(t.teamId) : undefined) ?? demo.agents;
    return team[Math.floor(((t.plan.doer + t.seq * 0.381966) % 1) * team.length)] ?? demo.manager;
  };

  const work = async (h: Extract<Happening, { kind: 'work' }>, attempt = 0): Promise<void> => {
    const t = h.ticket;
    // Planned before a timer moved the ticket elsewhere: its people have re-planned since.
    if (h.gen !== t.gen) return;
    const b = BEHAVIOUR[h.nodeId];
    const node = stepNode(t);
    if (!b || !node) throw new Error(`The history cannot work step "${h.nodeId}"`);
    const outcomes = b.outcomes.filter(([id]) => node.outcomes.some((o) => o.id === id));
    const u = t.plan.work.get(h.nodeId)?.[Math.min(h.visit, VISITS - 1)]?.u ?? 0;
    const outcomeId = h.visit === 0 ? weighted(u, outcomes) : (outcomes[0]?.[0] ?? '');
    let result: StepCompletion;
    try {
      result = await completeStep(
        database,
        doerOf(t, b),
        {
          ticketId: t.id,
          expectedSeq: t.seq,
          nodeId: h.nodeId,
          outcomeId,
          form: formFor(h.nodeId, t.plan),
          checklist: node.required,
          idempotencyKey: `history-${t.plan.index}-${t.seq}`,
        },
        new Date(h.at),
      );
    } catch (error) {
      // Someone moved the ticket first (a person in the app while the history fills in the background):
      // the agent sees the ticket as it is now and carries on from there.
      const fresh =
        error instanceof RuntimeError && error.code === 'conflict'
          ? (error.details as { fresh?: TicketDetail } | undefined)?.fresh
          : undefined;
      if (!fresh) throw error;
      applyView(t, fresh);
      if (t.status === 'at_step' && t.nodeId === h.nodeId && attempt < 2) return work(h, attempt + 1);
      t.gen++;
      return react(t, h.at);
    }
    stats.moves++;
    applyView(t, result);
    if ((t.plan.slips.get(h.nodeId) ?? 1) < b.slip) t.slipped = true;
    await react(t, h.at);
  };

  /** The step the ticket is at, in its version: its outcomes and the checklist items it requires. */
  const stepNode = (t: Tracked) => {
    const node = t.document?.nodes.find((n) => n.id === t.nodeId);
    if (node?.type !== 'step') return null;
    return {
      outcomes: node.data.outcomes,
      // Every item some outcome needs: ticking more than the chosen outcome needs is allowed.
      required: node.data.checklist.filter((c) => c.required).map((c) => c.id),
    };
  };

  const arrive = async (h: Extract<Happening, { kind: 'arrive' }>) => {
    const created = await createTicket(database, h.plan.input, {
      orgId: demo.orgId,
      actorId: null,
      now: new Date(h.at),
      ticketId: h.plan.id,
    });
    stats.tickets++;
    stats.moves++;
    const t: Tracked = {
      plan: h.plan,
      id: created.ticket.id,
      seq: 0,
      status: '',
      nodeId: null,
      teamId: null,
      assigneeId: null,
      breached: false,
      createdAt: h.at,
      visits: new Map(),
      slipped: false,
      replied: false,
      gen: 0,
      document: created.version?.document ?? null,
    };
    applyView(t, created);
    tracked.push(t);
    byId.set(t.id, t);
    if (stats.tickets % 250 === 0)
      options.onProgress?.({
        tickets: stats.tickets,
        moves: stats.moves,
        day: new Date(h.at).toISOString().slice(0, 10),
      });
    await react(t, h.at);
  };

  const reply = async (h: Extract<Happening, { kind: 'reply' }>) => {
    const t = h.ticket;
    if (h.gen !== t.gen || t.status !== 'waiting') return;
    const answer = await addMessage(
      database,
      versionCache,
      demo.intake,
      {
        ticketId: t.id,
        body: t.slipped ? 'Nothing has arrived yet.' : 'Got it, thank you!',
        from: 'customer',
      },
      new Date(h.at),
    );
    if (!answer.movedOn) return; // the wait had already timed out
    const [row] = await database.query<TicketState>(
      `SELECT ${STATE_COLUMNS} FROM tickets t WHERE t.org_id = $2::uuid AND t.id = $1::uuid`,
      [t.id, demo.orgId],
    );
    if (!row) return;
    stats.moves++;
    t.replied = true;
    applyState(t, row);
    await react(t, h.at);
  };

  const rate = async (h: Extract<Happening, { kind: 'rate' }>) => {
    const answer = await recordFeedback(database, {
      tokenHash: h.tokenHash,
      score: h.score,
      comment: h.comment,
      now: new Date(h.at),
    });
    if (answer.state === 'recorded') {
      stats.moves++;
      stats.ratings++;
    }
  };

  const publishPilot = async (at: number) => {
    // The manager drafts the fast track on top of version 1 and publishes it as a pilot.
    await database.query(
      `UPDATE flows SET draft = $2::jsonb, draft_revision = draft_revision + 1, updated_at = $3::timestamptz,
              updated_by = $4::uuid WHERE org_id = $5::uuid AND id = $1::uuid`,
      [
        demo.refundFlowId,
        JSON.stringify(refundFastTrack(demo.refundDocument)),
        new Date(at).toISOString(),
        demo.manager.userId,
        demo.orgId,
      ],
    );
    const version = await publishVersion(database, {
      orgId: demo.orgId,
      flowId: demo.refundFlowId,
      authorId: demo.manager.userId,
      message:
        'Fast track: refunds under 50 are issued at once by the verifying team, without the payment queue or the wait for the customer’s confirmation.',
      now: new Date(at),
      pilotPercent,
    });
    pilot = {
      versionId: version.id,
      number: version.number,
      percent: pilotPercent,
      since: new Date(at).toISOString(),
    };
  };

  let yielded = performance.now();
  for (;;) {
    const h = agenda.pop();
    if (!h) break;
    // An embedded database answers without ever leaving the microtask queue: let the server's requests in.
    if (performance.now() - yielded > YIELD_EVERY_MS) {
      await new Promise((resume) => setImmediate(resume));
      yielded = performance.now();
    }
    if (h.at > now) throw new Error(`The history ran past its end (${new Date(h.at).toISOString()})`);
    if (options.signal?.aborted && !aborted) aborted = true;
    // Stopped: nothing new starts, ratings still to come are dropped, open tickets are worked to their end.
    if (aborted && (h.kind === 'arrive' || h.kind === 'pilot' || h.kind === 'rate')) continue;
    await fireTimersUntil(h.at);
    clock = Math.max(clock, h.at);
    switch (h.kind) {
      case 'arrive':
        await arrive(h);
        break;
      case 'pilot':
        await publishPilot(h.at);
        break;
      case 'work':
        await work(h);
        break;
      case 'reply':
        await reply(h);
        break;
      case 'rate':
        await rate(h);
        break;
    }
  }
  await fireTimersUntil(now);
  const open = await database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tickets WHERE org_id = $2::uuid AND id = ANY($1::uuid[]) AND status <> 'ended'`,
    [tracked.map((t) => t.id), demo.orgId],
  );
  if ((open[0]?.n ?? 0) > 0) throw new Error(`${open[0]?.n} history tickets are still open at the end`);
  return {
    tickets: stats.tickets,
    leftOut,
    moves: stats.moves,
    ratings: stats.ratings,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    pilot,
    aborted,
    ms: Date.now() - started,
  };
}
