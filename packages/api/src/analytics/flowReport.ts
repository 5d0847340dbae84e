import type { Database } from '@stepwise/db';
import { iso, poolQuery } from '../runtime/sql.ts';
import { refuse } from '../runtime/runtimeError.ts';

/** What a report looks at: one flow (one version of it, or all), a time range, optional ticket filters. */
export type ReportScope = {
  orgId: string;
  flowId: string;
  /** Null: every version of the flow. */
  versionId: string | null;
  /** ISO instants; the range is [from, to). */
  from: string;
  to: string;
} & TicketFilters;

/** Durations in milliseconds; null when there is nothing to measure. */
export type DurationStats = { n: number; mean: number | null; p50: number | null; p90: number | null };

export type StepFigures = {
  nodeId: string;
  /** Stays at the node that ended in the range. */
  visits: number;
  breached: number;
  /** Breached ÷ visits (null without visits). */
  breachRate: number | null;
  p50: number | null;
  p90: number | null;
};

export type FlowReport = {
  scope: { flowId: string; versionId: string | null; from: string; to: string };
  /** Tickets created in the range. */
  started: number;
  /** Tickets whose run ended in the range. */
  finished: number;
  /** Tickets in an open run now (whatever the range). */
  openNow: number;
  /** Creation → end, over the tickets finished in the range. */
  resolution: DurationStats;
  /** Creation → the first step a person completed, over the tickets created in the range. */
  firstResponse: DurationStats;
  /** Of the tickets finished in the range: how many ever breached an SLA, and the rate. */
  breached: number;
  breachRate: number | null;
  csat: {
    /** Finished tickets that were asked for a rating, and those that gave one. */
    asked: number;
    rated: number;
    responseRate: number | null;
    mean: number | null;
    /** Count of each score 1–5. */
    distribution: [number, number, number, number, number];
  };
  /** Finished tickets by end status. */
  endStatuses: Record<string, number>;
  /** Per UTC day of the range: tickets created and finished. */
  perDay: Array<{ day: string; started: number; finished: number }>;
  /** Per node, over stays that ended in the range. */
  steps: StepFigures[];
};

const OPEN = `('at_step', 'waiting', 'in_subflow', 'parked')`;

/** The filters a report may narrow its tickets by (each absent: any). */
export type TicketFilters = {
  channel?: string | undefined;
  priority?: string | undefined;
  category?: string | undefined;
  tier?: string | undefined;
};

/** The filters as SQL over a tickets alias, from parameter `$first` on: channel, priority, category, tier (null: any). */
export function ticketFilters(alias: string, first: number): string {
  const [c, p, k, t] = [first, first + 1, first + 2, first + 3];
  return `AND ($${c}::text IS NULL OR ${alias}.channel = $${c}::text) AND ($${p}::text IS NULL OR ${alias}.priority = $${p}::text)
   AND ($${k}::text IS NULL OR ${alias}.category = $${k}::text) AND ($${t}::text IS NULL OR ${alias}.customer_tier = $${t}::text)`;
}

/** The filters' parameters, in `ticketFilters` order. */
export function filterParams(f: TicketFilters): Array<string | null> {
  return [f.channel ?? null, f.priority ?? null, f.category ?? null, f.tier ?? null];
}

/**
 * The scope's tickets. Parameters: $1 org, $2 flow, $3 version (or null), $4 from, $5 to, $6 channel,
 * $7 priority, $8 category, $9 tier (each null for any).
 */
const SCOPE = `scope AS (
  SELECT t.id, t.created_at, t.closed_at, t.status, t.end_status, t.sla_breached_at, t.first_response_at, t.csat_score
    FROM tickets t
   WHERE t.org_id = $1::uuid AND t.flow_id = $2::uuid AND ($3::uuid IS NULL OR t.version_id = $3::uuid)
     ${ticketFilters('t', 6)}
),
fin AS (SELECT * FROM scope WHERE status = 'ended' AND closed_at >= $4::timestamptz AND closed_at < $5::timestamptz),
cre AS (SELECT * FROM scope WHERE created_at >= $4::timestamptz AND created_at < $5::timestamptz)`;

const ms = (a: string, b: string) => `extract(epoch FROM ${b} - ${a}) * 1000`;

const stats = (values: string) => `(SELECT json_build_object('n', count(*), 'mean', avg(v),
    'p50', percentile_cont(0.5) WITHIN GROUP (ORDER BY v), 'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY v))
  FROM (${values}) x)`;

const TICKETS_SQL = `WITH ${SCOPE}
SELECT
  (SELECT count(*)::int FROM cre) AS started,
  (SELECT count(*)::int FROM fin) AS finished,
  (SELECT count(*)::int FROM scope WHERE status IN ${OPEN}) AS open_now,
  ${stats(`SELECT ${ms('created_at', 'closed_at')} AS v FROM fin`)} AS resolution,
  ${stats(`SELECT ${ms('created_at', 'first_response_at')} AS v FROM cre WHERE first_response_at IS NOT NULL`)} AS first_response,
  (SELECT count(*)::int FROM fin WHERE sla_breached_at IS NOT NULL) AS breached,
  (SELECT count(*)::int FROM fin WHERE EXISTS (SELECT 1 FROM feedback_requests r WHERE r.ticket_id = fin.id)) AS asked,
  (SELECT json_build_object('rated', count(csat_score), 'mean', avg(csat_score),
     's1', count(*) FILTER (WHERE csat_score = 1), 's2', count(*) FILTER (WHERE csat_score = 2),
     's3', count(*) FILTER (WHERE csat_score = 3), 's4', count(*) FILTER (WHERE csat_score = 4),
     's5', count(*) FILTER (WHERE csat_score = 5)) FROM fin) AS csat,
  (SELECT coalesce(json_object_agg(coalesce(end_status, 'none'), n), '{}'::json)
     FROM (SELECT end_status, count(*)::int AS n FROM fin GROUP BY end_status) s) AS end_statuses,
  (SELECT coalesce(json_agg(json_build_object('day', to_char(d.day, 'YYYY-MM-DD'),
      'started', (SELECT count(*) FROM cre WHERE cre.created_at >= d.day AND cre.created_at < d.day + interval '1 day'),
      'finished', (SELECT count(*) FROM fin WHERE fin.closed_at >= d.day AND fin.closed_at < d.day + interval '1 day'))
      ORDER BY d.day), '[]'::json)
     FROM generate_series(date_trunc('day', $4::timestamptz AT TIME ZONE 'UTC'),
       ($5::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC', interval '1 day') AS d(day)) AS per_day`;

/** Per node, over stays that ended in the range (the scope's filters apply through the ticket). */
const STEPS_SQL = `SELECT v.node_id,
    count(*)::int AS visits,
    count(*) FILTER (WHERE v.breached)::int AS breached,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ms('v.entered_at', 'v.left_at')}) AS p50,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY ${ms('v.entered_at', 'v.left_at')}) AS p90
  FROM ticket_visits v JOIN tickets t ON t.id = v.ticket_id
 WHERE v.org_id = $1::uuid
   AND v.version_id IN (SELECT id FROM flow_versions WHERE flow_id = $2::uuid AND ($3::uuid IS NULL OR id = $3::uuid))
   AND v.left_at >= $4::timestamptz AND v.left_at < $5::timestamptz
   ${ticketFilters('t', 6)}
 GROUP BY v.node_id
 ORDER BY v.node_id`;

type Stats = { n: number; mean: number | null; p50: number | null; p90: number | null };

type TicketsRow = {
  started: number;
  finished: number;
  open_now: number;
  resolution: Stats;
  first_response: Stats;
  breached: number;
  asked: number;
  csat: { rated: number; mean: number | null; s1: number; s2: number; s3: number; s4: number; s5: number };
  end_statuses: Record<string, number>;
  per_day: Array<{ day: string; started: number; finished: number }>;
};

/** The longest range a report covers (its per-day series has one point a day). */
export const MAX_REPORT_DAYS = 366;

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function statsOf(raw: Stats): DurationStats {
  return { n: Number(raw.n), mean: num(raw.mean), p50: num(raw.p50), p90: num(raw.p90) };
}

function paramsOf(scope: ReportScope): unknown[] {
  return [scope.orgId, scope.flowId, scope.versionId, scope.from, scope.to, ...filterParams(scope)];
}

/** Checks that the flow (and version) belong to the organization: a report never reads another's. */
async function checkScope(database: Database, scope: ReportScope): Promise<void> {
  const rows = await poolQuery(database)<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM flows f WHERE f.id = $1::uuid AND f.org_id = $2::uuid
        AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM flow_versions v WHERE v.id = $3::uuid AND v.flow_id = f.id))) AS ok`,
    [scope.flowId, scope.orgId, scope.versionId],
  );
  if (!rows[0]?.ok) refuse('not_found', 'This flow (or version) does not exist in your organization.');
  checkRange(scope);
}

/** A report's range ends after it starts and spans at most `MAX_REPORT_DAYS`. */
export function checkRange(range: { from: string; to: string }): void {
  const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000;
  if (!(days > 0)) refuse('invalid', 'The range must end after it starts.');
  if (days > MAX_REPORT_DAYS) refuse('invalid', `A report covers at most ${MAX_REPORT_DAYS} days.`);
}

/**
 * The flow dashboard's figures, read from the tickets' own columns (created, closed, end status, first
 * response, breach, rating) and from the visits the moves wrote — all derivable from the event log.
 */
export async function flowReport(database: Database, scope: ReportScope): Promise<FlowReport> {
  await checkScope(database, scope);
  const query = poolQuery(database);
  const params = paramsOf(scope);
  const [tickets, steps] = await Promise.all([
    query<TicketsRow>(TICKETS_SQL, params),
    query<{ node_id: string; visits: number; breached: number; p50: unknown; p90: unknown }>(
      STEPS_SQL,
      params,
    ),
  ]);
  const t = tickets[0];
  if (!t) throw new Error('The report query returned no row');
  const csat = t.csat;
  const rated = Number(csat.rated);
  return {
    scope: { flowId: scope.flowId, versionId: scope.versionId, from: scope.from, to: scope.to },
    started: t.started,
    finished: t.finished,
    openNow: t.open_now,
    resolution: statsOf(t.resolution),
    firstResponse: statsOf(t.first_response),
    breached: t.breached,
    breachRate: rate(t.breached, t.finished),
    csat: {
      asked: t.asked,
      rated,
      responseRate: rate(rated, t.asked),
      mean: num(csat.mean),
      distribution: [csat.s1, csat.s2, csat.s3, csat.s4, csat.s5].map(
        Number,
      ) as FlowReport['csat']['distribution'],
    },
    endStatuses: t.end_statuses,
    perDay: t.per_day.map((d) => ({ day: d.day, started: Number(d.started), finished: Number(d.finished) })),
    steps: steps.map(stepOf),
  };
}

function stepOf(s: {
  node_id: string;
  visits: number;
  breached: number;
  p50: unknown;
  p90: unknown;
}): StepFigures {
  return {
    nodeId: s.node_id,
    visits: s.visits,
    breached: s.breached,
    breachRate: rate(s.breached, s.visits),
    p50: num(s.p50),
    p90: num(s.p90),
  };
}

/** The canvas overlay of one version: tickets waiting at each node now, time and SLA per node, traffic per edge. */
export type NodeHeat = {
  versionId: string;
  waiting: Array<{ nodeId: string; tickets: number; breached: number }>;
  nodes: StepFigures[];
  /** Stays that left `source` for `target` (by `handle` when the exit names one). */
  edges: Array<{ source: string; handle: string | null; target: string; count: number }>;
};

const WAITING_SQL = `SELECT t.node_id, count(*)::int AS tickets, count(*) FILTER (WHERE t.breached)::int AS breached
  FROM tickets t
 WHERE t.org_id = $1::uuid AND t.flow_id = $2::uuid AND t.version_id = $3::uuid AND t.status IN ${OPEN}
   AND t.node_id IS NOT NULL
   ${ticketFilters('t', 4)}
 GROUP BY t.node_id ORDER BY t.node_id`;

const EDGES_SQL = `SELECT v.node_id AS source, v.handle, v.next_node_id AS target, count(*)::int AS count
  FROM ticket_visits v JOIN tickets t ON t.id = v.ticket_id
 WHERE v.org_id = $1::uuid AND t.flow_id = $2::uuid AND v.version_id = $3::uuid AND v.next_node_id IS NOT NULL
   AND v.left_at >= $4::timestamptz AND v.left_at < $5::timestamptz
   ${ticketFilters('t', 6)}
 GROUP BY v.node_id, v.handle, v.next_node_id ORDER BY v.node_id, v.handle, v.next_node_id`;

/** The heatmap of one version of a flow, over stays that ended in the range (waiting: now). */
export async function nodeHeat(
  database: Database,
  scope: ReportScope & { versionId: string },
): Promise<NodeHeat> {
  await checkScope(database, scope);
  const query = poolQuery(database);
  const params = paramsOf(scope);
  const [waiting, steps, edges] = await Promise.all([
    // Waiting is now, whatever the range: the same filters, without the range's two parameters.
    query<{ node_id: string; tickets: number; breached: number }>(WAITING_SQL, [
      ...params.slice(0, 3),
      ...params.slice(5),
    ]),
    query<{ node_id: string; visits: number; breached: number; p50: unknown; p90: unknown }>(
      STEPS_SQL,
      params,
    ),
    query<{ source: string; handle: string | null; target: string; count: number }>(EDGES_SQL, params),
  ]);
  return {
    versionId: scope.versionId,
    waiting: waiting.map((w) => ({ nodeId: w.node_id, tickets: w.tickets, breached: w.breached })),
    nodes: steps.map(stepOf),
    edges: edges.map((e) => ({ source: e.source, handle: e.handle, target: e.target, count: e.count })),
  };
}

/** The tickets waiting at one node of a version now, longest-waiting first (at most `limit`). */
export async function waitingAt(
  database: Database,
  scope: { orgId: string; flowId: string; versionId: string; nodeId: string; limit: number },
): Promise<Array<{ id: string; number: number; subject: string; since: string | null; breached: boolean }>> {
  const rows = await poolQuery(database)<{
    id: string;
    number: number;
    subject: string;
    since: string | null;
    breached: boolean;
  }>(
    `SELECT t.id, t.number, t.subject, ${iso('t.node_entered_at')} AS since, t.breached
       FROM tickets t
      WHERE t.org_id = $1::uuid AND t.flow_id = $2::uuid AND t.version_id = $3::uuid AND t.node_id = $4::text
        AND t.status IN ${OPEN}
      ORDER BY t.node_entered_at NULLS LAST, t.number LIMIT $5::int`,
    [scope.orgId, scope.flowId, scope.versionId, scope.nodeId, scope.limit],
  );
  return rows;
}
