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

/** The ticket columns each filter narrows by. */
const FILTER_COLUMNS = [
  ['channel', 'channel'],
  ['priority', 'priority'],
  ['category', 'category'],
  ['tier', 'customer_tier'],
] as const;

/** Builds a statement's parameters: `p(value, cast)` appends one and answers its placeholder. */
function parameters(): { params: unknown[]; p: (value: unknown, cast: string) => string } {
  const params: unknown[] = [];
  return {
    params,
    p: (value, cast) => {
      params.push(value);
      return `$${params.length}${cast}`;
    },
  };
}

/**
 * The filters that are set, as conditions over a tickets alias. Only the filters given appear in the text
 * (an absent one is no condition at all, rather than `$n IS NULL OR …`, which no index and no generic plan
 * can use): each combination is its own statement, prepared once.
 */
function givenFilters(alias: string, f: TicketFilters, p: (value: unknown, cast: string) => string): string {
  let text = '';
  for (const [key, column] of FILTER_COLUMNS) {
    const value = f[key];
    if (value === undefined || value === null) continue;
    text += ` AND ${alias}.${column} = ${p(value, '::text')}`;
  }
  return text;
}

/** A statement's text and its parameters. */
type Statement = { text: string; params: unknown[] };

/**
 * A duration as an interval: sorted, averaged and interpolated by the percentiles as one (exact to the
 * microsecond, and far cheaper than a numeric per row); `ms` turns the few results into milliseconds.
 */
const span = (a: string, b: string) => `(${b} - ${a})`;
const ms = (interval: string) => `extract(epoch FROM ${interval}) * 1000`;

/** The scope's tickets, as a condition over `tickets t`: the flow, the version if one is asked, the filters set. */
function ticketsOf(scope: ReportScope, p: (value: unknown, cast: string) => string): string {
  const version = scope.versionId === null ? '' : ` AND t.version_id = ${p(scope.versionId, '::uuid')}`;
  return `t.org_id = ${p(scope.orgId, '::uuid')} AND t.flow_id = ${p(scope.flowId, '::uuid')}${version}${givenFilters('t', scope, p)}`;
}

/**
 * The range cut at UTC midnights: one row per day it touches, with that day's slice `[lo, hi)` of the
 * range (the slices partition it exactly). A month's tickets are read a day at a time: each day is a
 * short range of an index, which the planner reads by the index at any table size, where a month at
 * once can tip it into scanning the whole table.
 */
function slices(from: string, to: string): string {
  return `SELECT greatest(${from}, d.day AT TIME ZONE 'UTC') AS lo,
      least(${to}, (d.day + interval '1 day') AT TIME ZONE 'UTC') AS hi
    FROM generate_series(date_trunc('day', ${from} AT TIME ZONE 'UTC'),
      (${to} - interval '1 microsecond') AT TIME ZONE 'UTC', interval '1 day') AS d(day)`;
}

/**
 * The finished tickets' figures: the runs that ended in the range, read by the index on (flow,
 * closed_at) — never the flow's whole history — and aggregated in one pass (one sort for both
 * percentiles). A ticket was asked for a rating when its run ended at an End that asks for one (the End's
 * `feedback`: reaching it is what sends the request): the flow's versions name those Ends, so the count
 * is part of the same pass instead of a lookup per ticket in the requests.
 */
function finishedStatement(scope: ReportScope): Statement {
  const { params, p } = parameters();
  const where = ticketsOf(scope, p);
  const range = slices(p(scope.from, '::timestamptz'), p(scope.to, '::timestamptz'));
  const text = `WITH asking AS (
  SELECT fv.id AS version_id, n.node->>'id' AS node_id
    FROM flow_versions fv CROSS JOIN LATERAL jsonb_array_elements(fv.document->'nodes') AS n(node)
   WHERE fv.org_id = ${p(scope.orgId, '::uuid')} AND fv.flow_id = ${p(scope.flowId, '::uuid')} AND n.node->>'type' = 'end'
     AND (n.node->'data'->>'feedback')::boolean
),
fin AS MATERIALIZED (
  SELECT t.* FROM (${range}) s CROSS JOIN LATERAL (
    SELECT t.id, t.closed_at, t.end_status, t.sla_breached_at, t.csat_score, t.version_id, t.node_id,
      ${span('t.created_at', 't.closed_at')} AS v
      FROM tickets t
     WHERE ${where} AND t.status = 'ended' AND t.closed_at >= s.lo AND t.closed_at < s.hi) t
),
agg AS (
  SELECT count(*)::int AS finished, count(*) FILTER (WHERE sla_breached_at IS NOT NULL)::int AS breached,
    count(*) FILTER (WHERE (version_id, node_id) IN (SELECT version_id, node_id FROM asking))::int AS asked,
    count(*) AS n, avg(v) AS mean, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v) AS p,
    count(csat_score) AS rated, avg(csat_score) AS rating,
    count(*) FILTER (WHERE csat_score = 1) AS s1, count(*) FILTER (WHERE csat_score = 2) AS s2,
    count(*) FILTER (WHERE csat_score = 3) AS s3, count(*) FILTER (WHERE csat_score = 4) AS s4,
    count(*) FILTER (WHERE csat_score = 5) AS s5
  FROM fin
)
SELECT a.finished, a.breached,
  json_build_object('n', a.n, 'mean', ${ms('a.mean')}, 'p50', ${ms('a.p[1]')}, 'p90', ${ms('a.p[2]')}) AS resolution,
  json_build_object('rated', a.rated, 'mean', a.rating, 's1', a.s1, 's2', a.s2, 's3', a.s3, 's4', a.s4, 's5', a.s5) AS csat,
  a.asked,
  (SELECT coalesce(json_object_agg(coalesce(end_status, 'none'), n), '{}'::json)
     FROM (SELECT end_status, count(*)::int AS n FROM fin GROUP BY end_status) s) AS end_statuses,
  (SELECT coalesce(json_object_agg(to_char(day, 'YYYY-MM-DD'), n), '{}'::json)
     FROM (SELECT (closed_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM fin GROUP BY 1) d) AS per_day
FROM agg a`;
  return { text, params };
}

/**
 * The started and open tickets' figures: the tickets created in the range (by the index on (flow,
 * created_at)) with their first responses, and those in an open run now (by the index on status).
 * The per-day series is the range's UTC days, each with the tickets created on it.
 */
function startedStatement(scope: ReportScope): Statement {
  const { params, p } = parameters();
  const where = ticketsOf(scope, p);
  const from = p(scope.from, '::timestamptz');
  const to = p(scope.to, '::timestamptz');
  const text = `WITH cre AS MATERIALIZED (
  SELECT t.* FROM (${slices(from, to)}) s CROSS JOIN LATERAL (
    SELECT t.created_at, ${span('t.created_at', 't.first_response_at')} AS v
      FROM tickets t
     WHERE ${where} AND t.created_at >= s.lo AND t.created_at < s.hi) t
),
agg AS (
  SELECT count(*)::int AS started, count(v) AS n, avg(v) AS mean,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v) AS p
  FROM cre
)
SELECT a.started,
  (SELECT count(*)::int FROM tickets t WHERE ${where} AND t.status IN ${OPEN}) AS open_now,
  json_build_object('n', a.n, 'mean', ${ms('a.mean')}, 'p50', ${ms('a.p[1]')}, 'p90', ${ms('a.p[2]')}) AS first_response,
  (SELECT coalesce(json_agg(json_build_object('day', to_char(d.day, 'YYYY-MM-DD'), 'started', coalesce(c.n, 0))
      ORDER BY d.day), '[]'::json)
     FROM generate_series(date_trunc('day', ${from} AT TIME ZONE 'UTC'),
       (${to} - interval '1 microsecond') AT TIME ZONE 'UTC', interval '1 day') AS d(day)
     LEFT JOIN (SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) AS n FROM cre GROUP BY 1) c
       ON c.day = d.day) AS per_day
FROM agg a`;
  return { text, params };
}

/**
 * The stays of a scope that ended in the range, node by node. A stay counts on the version it happened
 * on: the scope's version, or each of the flow's (the flow was checked to be the organization's by
 * `checkScope`, and a version's stays are its organization's). The nodes are found by a loose scan of the
 * index on (organization, version, node, left_at, …) — one descent per node — and each node's stays in the range are a
 * range of that index, read from the index alone: no sort of all the range's stays by node, no heap.
 * Gives the statement's `WITH` (`versions`, `nodes`), `of(extra)`: the FROM and WHERE of the stays of the
 * node `n.node_id`, and `filters`: the scope's ticket filters over `tickets t` (empty when none is set).
 */
function staysOf(scope: ReportScope): {
  params: unknown[];
  /** The organization's parameter: every read of the stays and tickets names it. */
  org: string;
  withNodes: string;
  of: (extra?: string) => string;
  filters: string;
} {
  const { params, p } = parameters();
  const org = p(scope.orgId, '::uuid');
  const versions = `SELECT id FROM flow_versions WHERE org_id = ${org} AND flow_id = ${p(scope.flowId, '::uuid')}${
    scope.versionId === null ? '' : ` AND id = ${p(scope.versionId, '::uuid')}`
  }`;
  const range = `v.left_at >= ${p(scope.from, '::timestamptz')} AND v.left_at < ${p(scope.to, '::timestamptz')}`;
  const withNodes = `WITH RECURSIVE versions AS (${versions}),
seen AS (
  SELECT x.id AS version_id,
    (SELECT v.node_id FROM ticket_visits v WHERE v.org_id = ${org} AND v.version_id = x.id ORDER BY v.node_id LIMIT 1) AS node_id
  FROM versions x
  UNION ALL
  SELECT s.version_id, (SELECT v.node_id FROM ticket_visits v
      WHERE v.org_id = ${org} AND v.version_id = s.version_id AND v.node_id > s.node_id
      ORDER BY v.node_id LIMIT 1)
  FROM seen s WHERE s.node_id IS NOT NULL
),
nodes AS (SELECT DISTINCT node_id FROM seen WHERE node_id IS NOT NULL)`;
  const of = (extra = '') =>
    `ticket_visits v WHERE v.org_id = ${org} AND v.version_id = ANY (ARRAY(SELECT id FROM versions)) AND v.node_id = n.node_id AND ${range}${extra}`;
  return { params, org, withNodes, of, filters: givenFilters('t', scope, p) };
}

/**
 * With a ticket filter: the range's stays gathered node by node from the index (with their ticket), then
 * joined to their tickets once, for `select` to group. (`OFFSET 0` keeps each node's read a range of the
 * index: without it the planner may fold the per-node reads into one scan of the whole table.)
 */
function filteredStays(
  stays: ReturnType<typeof staysOf>,
  columns: string,
  extra: string,
  select: string,
): string {
  return `${stays.withNodes},
stays AS MATERIALIZED (
  SELECT s.* FROM nodes n CROSS JOIN LATERAL (SELECT v.node_id, v.ticket_id, ${columns} FROM ${stays.of(extra)} OFFSET 0) s
)
${select.replace('$STAYS', `stays v JOIN tickets t ON t.org_id = ${stays.org} AND t.id = v.ticket_id WHERE true${stays.filters}`)}`;
}

/**
 * Per node, over stays that ended in the range: how many, how many breached, time spent p50/p90. A node
 * whose stays all lasted no time (one a ticket passes through: start, a decision, an action, an end) has
 * 0 for every percentile, as `percentile_cont` would say; only the others' stays are sorted, reading
 * the node's range of the index once more.
 */
function stepsStatement(scope: ReportScope): Statement {
  const stays = staysOf(scope);
  const duration = span('v.entered_at', 'v.left_at');
  if (stays.filters) {
    const text = filteredStays(
      stays,
      'v.breached, v.entered_at, v.left_at',
      '',
      `SELECT node_id, visits, breached, ${ms('p[1]')} AS p50, ${ms('p[2]')} AS p90 FROM (
  SELECT v.node_id, count(*)::int AS visits, count(*) FILTER (WHERE v.breached)::int AS breached,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ${duration}) AS p
  FROM $STAYS
  GROUP BY v.node_id) s
ORDER BY node_id`,
    );
    return { text, params: stays.params };
  }
  const text = `${stays.withNodes}
SELECT n.node_id, a.visits, a.breached,
  CASE WHEN a.instant THEN 0 ELSE ${ms('q.p[1]')} END AS p50,
  CASE WHEN a.instant THEN 0 ELSE ${ms('q.p[2]')} END AS p90
FROM nodes n
CROSS JOIN LATERAL (
  SELECT count(*)::int AS visits, count(*) FILTER (WHERE v.breached)::int AS breached,
    bool_and(v.left_at = v.entered_at) AS instant
  FROM ${stays.of()}) a
CROSS JOIN LATERAL (
  SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ${duration}) AS p
  FROM ${stays.of(' AND NOT a.instant')}) q
WHERE a.visits > 0
ORDER BY n.node_id`;
  return { text, params: stays.params };
}

/** Per edge of one version: the stays that left `source` for `target` (by `handle`) in the range. */
function edgesStatement(scope: ReportScope & { versionId: string }): Statement {
  const stays = staysOf(scope);
  const extra = ' AND v.next_node_id IS NOT NULL';
  if (stays.filters) {
    const text = filteredStays(
      stays,
      'v.handle, v.next_node_id',
      extra,
      `SELECT v.node_id AS source, v.handle, v.next_node_id AS target, count(*)::int AS count
  FROM $STAYS
 GROUP BY v.node_id, v.handle, v.next_node_id ORDER BY v.node_id, v.handle, v.next_node_id`,
    );
    return { text, params: stays.params };
  }
  const text = `${stays.withNodes}
SELECT n.node_id AS source, e.handle, e.target, e.count
FROM nodes n
CROSS JOIN LATERAL (
  SELECT v.handle, v.next_node_id AS target, count(*)::int AS count
  FROM ${stays.of(extra)}
  GROUP BY v.handle, v.next_node_id) e
ORDER BY n.node_id, e.handle, e.target`;
  return { text, params: stays.params };
}

/** The tickets waiting at each node of one version now, whatever the range. */
function waitingStatement(scope: ReportScope & { versionId: string }): Statement {
  const { params, p } = parameters();
  const text = `SELECT t.node_id, count(*)::int AS tickets, count(*) FILTER (WHERE t.breached)::int AS breached
  FROM tickets t
 WHERE t.org_id = ${p(scope.orgId, '::uuid')} AND t.flow_id = ${p(scope.flowId, '::uuid')}
   AND t.version_id = ${p(scope.versionId, '::uuid')} AND t.status IN ${OPEN} AND t.node_id IS NOT NULL${givenFilters('t', scope, p)}
 GROUP BY t.node_id ORDER BY t.node_id`;
  return { text, params };
}

type Stats = { n: number; mean: number | null; p50: number | null; p90: number | null };

type FinishedRow = {
  finished: number;
  breached: number;
  resolution: Stats;
  csat: { rated: number; mean: number | null; s1: number; s2: number; s3: number; s4: number; s5: number };
  asked: number;
  end_statuses: Record<string, number>;
  /** Finished tickets per UTC day (days with none are absent). */
  per_day: Record<string, number>;
};

type StartedRow = {
  started: number;
  open_now: number;
  first_response: Stats;
  per_day: Array<{ day: string; started: number }>;
};

/** The longest range a report covers (its per-day series has one point a day). */
export const MAX_REPORT_DAYS = 366;

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function statsOf(raw: Stats): DurationStats {
  return { n: Number(raw.n), mean: num(raw.mean), p50: num(raw.p50), p90: num(raw.p90) };
}

/** Checks that the flow (and version) belong to the organization: a report never reads another's. */
async function checkScope(database: Database, scope: ReportScope): Promise<void> {
  const rows = await poolQuery(database)<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM flows f WHERE f.id = $1::uuid AND f.org_id = $2::uuid
        AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM flow_versions v
              WHERE v.org_id = f.org_id AND v.id = $3::uuid AND v.flow_id = f.id))) AS ok`,
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
  const finishedSql = finishedStatement(scope);
  const startedSql = startedStatement(scope);
  const stepsSql = stepsStatement(scope);
  // Three statements at once, each on its own connection (PGlite runs them one after the other).
  const [finishedRows, startedRows, steps] = await Promise.all([
    query<FinishedRow>(finishedSql.text, finishedSql.params),
    query<StartedRow>(startedSql.text, startedSql.params),
    query<StepRow>(stepsSql.text, stepsSql.params),
  ]);
  const f = finishedRows[0];
  const c = startedRows[0];
  if (!f || !c) throw new Error('The report query returned no row');
  const csat = f.csat;
  const rated = Number(csat.rated);
  return {
    scope: { flowId: scope.flowId, versionId: scope.versionId, from: scope.from, to: scope.to },
    started: c.started,
    finished: f.finished,
    openNow: c.open_now,
    resolution: statsOf(f.resolution),
    firstResponse: statsOf(c.first_response),
    breached: f.breached,
    breachRate: rate(f.breached, f.finished),
    csat: {
      asked: f.asked,
      rated,
      responseRate: rate(rated, f.asked),
      mean: num(csat.mean),
      distribution: [csat.s1, csat.s2, csat.s3, csat.s4, csat.s5].map(
        Number,
      ) as FlowReport['csat']['distribution'],
    },
    endStatuses: f.end_statuses,
    perDay: c.per_day.map((d) => ({
      day: d.day,
      started: Number(d.started),
      finished: Number(f.per_day[d.day] ?? 0),
    })),
    steps: steps.map(stepOf),
  };
}

type StepRow = { node_id: string; visits: number; breached: number; p50: unknown; p90: unknown };

function stepOf(s: StepRow): StepFigures {
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

/** The heatmap of one version of a flow, over stays that ended in the range (waiting: now). */
export async function nodeHeat(
  database: Database,
  scope: ReportScope & { versionId: string },
): Promise<NodeHeat> {
  await checkScope(database, scope);
  const query = poolQuery(database);
  const waitingSql = waitingStatement(scope);
  const stepsSql = stepsStatement(scope);
  const edgesSql = edgesStatement(scope);
  const [waiting, steps, edges] = await Promise.all([
    query<{ node_id: string; tickets: number; breached: number }>(waitingSql.text, waitingSql.params),
    query<StepRow>(stepsSql.text, stepsSql.params),
    query<{ source: string; handle: string | null; target: string; count: number }>(
      edgesSql.text,
      edgesSql.params,
    ),
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
