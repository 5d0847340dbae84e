import { FAST_TRACK_NODES, seedDemo } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersionResults } from '../../packages/api/src/analytics/compare.ts';
import { flowReport } from '../../packages/api/src/analytics/flowReport.ts';
import { rebuildAnalytics } from '../../packages/api/src/analytics/rebuild.ts';
import { checkInvariants } from '../support/invariants.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2030-05-06T10:00:00.000Z');
/** The demo's history at a quarter of its size: the same code, the same seed, fewer tickets. */
const HISTORY = { tickets: 600 } as const;

describe.each(backends())('the demo history (%s)', (backend) => {
  let db: TestDb;
  let twin: TestDb;
  let plain: TestDb;
  let seeded: Awaited<ReturnType<typeof seedDemo>>;
  let refund: { id: string; orgId: string; v1: string; v2: string };

  beforeAll(async () => {
    [db, twin, plain] = [await openTestDb(backend), await openTestDb(backend), await openTestDb(backend)];
    seeded = await seedDemo(db, { now, history: HISTORY });
    const [flow] = await db.query<{ id: string; org_id: string; v1: string; v2: string }>(
      `SELECT f.id, f.org_id, f.active_version_id AS v1, f.pilot_version_id AS v2 FROM flows f
        WHERE f.name = 'Refund request'`,
    );
    if (!flow) throw new Error('no Refund request flow');
    refund = { id: flow.id, orgId: flow.org_id, v1: flow.v1, v2: flow.v2 };
  });
  afterAll(async () => {
    for (const d of [db, twin, plain]) await d?.dispose();
  });

  /** Every ticket as the analytics read it (ids aside for today's tickets, which are not seeded). */
  const tickets = (d: TestDb) =>
    d.query(
      `SELECT t.number, CASE WHEN t.created_at < $1::timestamptz THEN t.id::text END AS id, t.subject,
              f.name AS flow, v.number AS version, t.status, t.node_id, t.end_status, t.priority, t.seq,
              t.created_at, t.closed_at, t.first_response_at, t.sla_breached_at, t.csat_score,
              (SELECT count(*)::int FROM ticket_visits tv WHERE tv.ticket_id = t.id) AS visits
         FROM tickets t JOIN flows f ON f.id = t.flow_id JOIN flow_versions v ON v.id = t.version_id
        ORDER BY t.number`,
      [new Date(now.getTime() - 3 * 60 * 60 * 1000).toISOString()],
    );

  it('given an empty database, when the demo is seeded with its history, then thousands of moves made weeks of tickets, all of them finished', async () => {
    // then
    const history = seeded?.history;
    expect(history).toMatchObject({
      aborted: false,
      from: '2030-03-07T10:00:00.000Z',
      to: now.toISOString(),
    });
    expect(history?.tickets).toBeGreaterThan(500);
    expect(history?.leftOut).toBeLessThan(60);
    expect(history?.moves).toBeGreaterThan(4 * (history?.tickets ?? 0));
    expect(history?.ratings).toBeGreaterThan(100);
    const [span] = await db.query<{ first: string; last: string; closed: string; open_old: number }>(
      `SELECT min(created_at)::text AS first, max(created_at)::text AS last, max(closed_at)::text AS closed,
              count(*) FILTER (WHERE status <> 'ended' AND created_at < $1::timestamptz)::int AS open_old
         FROM tickets`,
      [new Date(now.getTime() - 3 * 60 * 60 * 1000).toISOString()],
    );
    // about 60 days, up to the last days, and nothing of the history is left open
    expect(Date.parse(span?.first ?? '')).toBeLessThan(now.getTime() - 58 * DAY);
    expect(Date.parse(span?.last ?? '')).toBeGreaterThan(now.getTime() - 2 * DAY);
    expect(Date.parse(span?.closed ?? '')).toBeLessThan(now.getTime());
    expect(span?.open_old).toBe(0);
    // every customer was asked through a feedback link, and answered through it
    const [feedback] = await db.query<{ asked: number; answered: number; rated: number; received: number }>(
      `SELECT (SELECT count(*)::int FROM feedback_requests) AS asked,
              (SELECT count(*)::int FROM feedback_requests WHERE used_at IS NOT NULL) AS answered,
              (SELECT count(*)::int FROM tickets WHERE csat_score IS NOT NULL) AS rated,
              (SELECT count(*)::int FROM ticket_events WHERE type = 'feedback.received') AS received`,
    );
    expect(feedback?.answered).toBe(feedback?.rated);
    expect(feedback?.received).toBe(feedback?.rated);
    const rate = (feedback?.answered ?? 0) / (feedback?.asked ?? 1);
    expect(rate).toBeGreaterThan(0.4);
    expect(rate).toBeLessThan(0.6);
    expect(await checkInvariants(db)).toEqual([]);
  });

  it('given the history, when today’s tickets are read, then they are the ones the demo has without it', async () => {
    // when
    await seedDemo(plain, { now });
    const today = (d: TestDb) =>
      d.query(
        `SELECT t.number, t.subject, t.status, t.node_id, t.seq, t.breached, v.number AS version, t.created_at
           FROM tickets t LEFT JOIN flow_versions v ON v.id = t.version_id
          WHERE t.created_at >= $1::timestamptz ORDER BY t.number`,
        [new Date(now.getTime() - 3 * 60 * 60 * 1000).toISOString()],
      );
    // then
    const expected = await today(plain);
    expect(expected).toHaveLength(12);
    expect(await today(db)).toEqual(expected);
  });

  it('given the same seed, when the history is seeded again into another database, then it is the same, ticket for ticket', async () => {
    // when
    const again = await seedDemo(twin, { now, history: HISTORY });
    // then
    const { ms: _a, pilot: p1, ...first } = seeded?.history ?? {};
    const { ms: _b, pilot: p2, ...second } = again?.history ?? {};
    expect(second).toEqual(first);
    expect(p2?.since).toBe(p1?.since);
    expect(await tickets(twin)).toEqual(await tickets(db));
  });

  it('given the history, when the refund flow is read, then v2 is a pilot on 30% since four weeks and took about 30% of the refunds since', async () => {
    // then
    const [flow] = await db.query<{ active: number; pilot: number; percent: number; since: string }>(
      `SELECT av.number AS active, pv.number AS pilot, f.pilot_percent AS percent,
              (SELECT max(a.created_at)::text FROM audit_log a WHERE a.action = 'version.published'
                 AND a.data->>'pilotPercent' IS NOT NULL) AS since
         FROM flows f JOIN flow_versions av ON av.id = f.active_version_id
         JOIN flow_versions pv ON pv.id = f.pilot_version_id WHERE f.id = $1::uuid`,
      [refund.id],
    );
    expect(flow).toMatchObject({ active: 1, pilot: 2, percent: 30 });
    const daysAgo = (now.getTime() - Date.parse(flow?.since ?? '')) / DAY;
    expect(daysAgo).toBeGreaterThan(25);
    expect(daysAgo).toBeLessThanOrEqual(30);
    const [split] = await db.query<{ v1: number; v2: number }>(
      `SELECT count(*) FILTER (WHERE version_id = $2::uuid)::int AS v1,
              count(*) FILTER (WHERE version_id = $3::uuid)::int AS v2
         FROM tickets WHERE flow_id = $1::uuid AND created_at >= $4::timestamptz`,
      [refund.id, refund.v1, refund.v2, flow?.since],
    );
    const share = (split?.v2 ?? 0) / ((split?.v1 ?? 0) + (split?.v2 ?? 0));
    expect(split?.v2).toBeGreaterThan(30);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
    // the resolution flow got its history too, on its one version
    const [resolution] = await db.query<{ n: number; versions: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT t.version_id)::int AS versions FROM tickets t
         JOIN flows f ON f.id = t.flow_id WHERE f.name = 'Ticket resolution' AND t.status = 'ended'`,
    );
    expect(resolution?.n).toBeGreaterThan(150);
    expect(resolution?.versions).toBe(1);
  });

  it('given the history, when the analytics read v1 against v2, then v2 resolves faster and breaches less, but its fast track is rated lower', async () => {
    // given
    const range = { from: new Date(now.getTime() - 61 * DAY).toISOString(), to: now.toISOString() };
    const scope = { orgId: refund.orgId, flowId: refund.id, ...range };
    // when
    const v1 = await flowReport(db, { ...scope, versionId: refund.v1 });
    const v2 = await flowReport(db, { ...scope, versionId: refund.v2 });
    const [pilot] = await db.query<{ since: string }>(
      `SELECT to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since
         FROM audit_log WHERE action = 'version.published' AND data->>'pilotPercent' IS NOT NULL`,
    );
    const arms = await compareVersionResults(db, {
      ...scope,
      a: refund.v1,
      b: refund.v2,
      createdFrom: pilot?.since,
    });
    // then: over all their tickets, and over the pilot's arms alone
    expect(v2.resolution.p50).toBeLessThan((v1.resolution.p50 ?? 0) / 2);
    expect(v2.breachRate).toBeLessThan(v1.breachRate ?? 0);
    expect(arms.b.resolution.p50).toBeLessThan(arms.a.resolution.p50 ?? 0);
    expect(arms.b.breach.rate).toBeLessThan(arms.a.breach.rate ?? 0);
    expect(arms.verdicts[0]).toMatch(/^v2 resolves faster/);
    // v2's new nodes carried traffic, and ratings on its fast track are lower than on the full path
    expect(v2.steps.find((s) => s.nodeId === FAST_TRACK_NODES.step)?.visits).toBeGreaterThan(10);
    const branches = await db.query<{ branch: string; rated: number; mean: number }>(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM ticket_visits v WHERE v.ticket_id = t.id AND v.node_id = $2)
                   THEN 'fast track' ELSE 'issue and follow-up' END AS branch,
              count(t.csat_score)::int AS rated, avg(t.csat_score)::float AS mean
         FROM tickets t
        WHERE t.flow_id = $1::uuid AND t.status = 'ended' AND t.end_status = 'resolved'
          AND EXISTS (SELECT 1 FROM ticket_visits v WHERE v.ticket_id = t.id AND v.node_id IN ($2, 'issue_refund'))
        GROUP BY 1 ORDER BY 1`,
      [refund.id, FAST_TRACK_NODES.step],
    );
    const fast = branches.find((b) => b.branch === 'fast track');
    const full = branches.find((b) => b.branch === 'issue and follow-up');
    expect(fast?.rated).toBeGreaterThan(5);
    expect(fast?.mean).toBeLessThan((full?.mean ?? 0) - 0.5);
  });

  it('given the history, when its analytics facts are rebuilt from the event log, then nothing changes', async () => {
    // given
    const snapshot = async () => ({
      visits: await db.query(
        `SELECT ticket_id, seq, ordinal, version_id, node_id, entered_at, left_at, exit, handle, next_node_id,
                agent_id, breached FROM ticket_visits ORDER BY ticket_id, seq, ordinal`,
      ),
      tickets: await db.query(
        `SELECT id, node_entered_at, first_response_at, closed_at, end_status, sla_breached_at, csat_score
           FROM tickets ORDER BY id`,
      ),
    });
    const incremental = await snapshot();
    // when
    await db.query('DELETE FROM ticket_visits');
    await db.query('UPDATE tickets SET node_entered_at = NULL, first_response_at = NULL');
    const rebuilt = await rebuildAnalytics(db, { orgId: refund.orgId });
    // then
    expect(rebuilt.skipped).toBe(0);
    expect(await snapshot()).toEqual(incremental);
  });
});
