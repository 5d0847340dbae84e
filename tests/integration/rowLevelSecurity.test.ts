import { pgliteOf, withOrg } from '@stepwise/db';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueEffects } from '../../packages/api/src/runtime/runDueEffects.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/** The application's database role: the policies bind it (it is neither owner, superuser nor BYPASSRLS). */
const APP_ROLE = 'stepwise_app';

/**
 * Tables without tenant rows: what they hold belongs to no organization (the migrations' ledger, the
 * analytics backfill flag, log-in counters by address and email, sign-ups before their organization exists).
 */
const GLOBAL_TABLES = new Set([
  '__drizzle_migrations',
  'analytics_backfill',
  'rate_limits',
  'sign_up_requests',
]);

type Q = (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[]; count: number }>;

/**
 * Runs `work` as the application role in a transaction that is rolled back, with `app.org_id` set to
 * `orgId` (or unset). On PostgreSQL it connects as the role itself; PGlite has one connection, which
 * takes the role for the transaction.
 */
type AsApp = <T>(orgId: string | null, work: (q: Q) => Promise<T>) => Promise<T>;

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

async function appSession(db: TestDb): Promise<{ asApp: AsApp; close: () => Promise<void> }> {
  if (db.kind === 'pglite') {
    const pg = pgliteOf(db);
    const asApp: AsApp = async (orgId, work) => {
      let out: Awaited<ReturnType<typeof work>> | undefined;
      await pg.transaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${APP_ROLE}`);
        if (orgId) await tx.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
        out = await work(async (text, params = []) => {
          const r = await tx.query<Record<string, unknown>>(text, params);
          return { rows: r.rows, count: r.affectedRows ?? r.rows.length };
        });
        await tx.rollback();
      });
      return out as Awaited<ReturnType<typeof work>>;
    };
    return { asApp, close: async () => {} };
  }
  const url = new URL(db.url ?? '');
  url.username = APP_ROLE;
  url.password = '';
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const asApp: AsApp = async (orgId, work) => {
    try {
      await sql.begin(async (tx) => {
        if (orgId) await tx.unsafe(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
        const value = await work(async (text, params = []) => {
          const r = await tx.unsafe(text, params as never[]);
          return { rows: [...r] as Record<string, unknown>[], count: r.count };
        });
        throw new Rollback(value);
      });
    } catch (error) {
      if (error instanceof Rollback) return error.value;
      throw error;
    }
    throw new Error('unreachable');
  };
  return { asApp, close: () => sql.end({ timeout: 5 }) };
}

/** An organization with at least one row in every tenant table, made through the product's own paths. */
async function populatedOrg(db: TestDb, name: string): Promise<RuntimeOrg> {
  const clock = fakeClock();
  const org = await createRuntimeOrg(db, name, clock.now());
  const admin = apiAs(db, org.people.admin, clock);
  await admin.admin.tokens.create({ name: 'Help desk' });
  await admin.admin.webhooks.create({ url: 'http://127.0.0.1:9/hook' });
  await admin.macros.create({
    name: 'Refund sent',
    body: 'Hi {{customer.firstName}}, your refund is on its way.',
  });
  const channel = await admin.admin.channels.create({
    name: 'Escalations',
    kind: 'slack',
    url: 'http://127.0.0.1:9/slack',
  });
  // Nothing listens on port 9: the test message is refused, and logged as failed.
  await admin.admin.channels.test({ channelId: channel.id });
  await admin.invitations.create({ email: `invited-${org.orgId.slice(0, 8)}@example.test`, role: 'agent' });
  const document = loopDocument({ slaMinutes: 30 });
  const end = document.nodes.find((n) => n.type === 'end');
  if (end?.type === 'end') end.data.feedback = true;
  const { flowId } = await publishFlow(db, org, 'Loop', document, 1);
  const agent = apiAs(db, org.people.agent1, clock);
  const created = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
  await agent.tickets.addMessage({ ticketId: created.ticket.id, body: 'Looking into it.', from: 'agent' });
  await agent.views.create({
    name: 'Technical',
    teamId: org.teams.technical,
    query: { view: 'teams', sort: 'sla' },
  });
  // Notifications: the manager hands the ticket to the agent, and the customer writes back.
  await apiAs(db, org.people.manager, clock).tickets.assign({
    ticketId: created.ticket.id,
    assigneeId: org.people.agent1.userId,
  });
  await agent.tickets.addMessage({ ticketId: created.ticket.id, body: 'Thanks!', from: 'customer' });
  const step = (seq: number, outcomeId: string) =>
    agent.tickets.complete({
      ticketId: created.ticket.id,
      expectedSeq: seq,
      nodeId: 'work',
      outcomeId,
      form: {},
      checklist: [],
      idempotencyKey: newKey(),
    });
  const current = await agent.tickets.get({ ticketId: created.ticket.id });
  const again = await step(current.ticket.seq, 'again');
  await step(again.ticket.seq, 'done');
  await runDueEffects(db, clock.now());
  await cookieFor(db, org.people.agent1, clock.now());
  // The confirmed sign-up request that would have created it (createRuntimeOrg writes the org directly).
  await db.query(
    `INSERT INTO sign_up_requests (email, org_name, name, token_hash, expires_at, used_at, org_id)
     VALUES ($1, $2, 'Admin', md5($1), $3::timestamptz, $3::timestamptz, $4::uuid)`,
    [org.people.admin.email, name, clock.now().toISOString(), org.orgId],
  );
  return org;
}

describe.each(backends())('row-level security (%s)', (backend) => {
  let db: TestDb;
  let a: RuntimeOrg;
  let b: RuntimeOrg;
  let session: Awaited<ReturnType<typeof appSession>>;
  /** Every table of the schema with an org_id column: the tenant tables (read from the catalog). */
  let tenantTables: string[] = [];

  beforeAll(async () => {
    db = await openTestDb(backend);
    a = await populatedOrg(db, 'Org A');
    b = await populatedOrg(db, 'Org B');
    session = await appSession(db);
    tenantTables = (
      await db.query<{ table_name: string }>(
        `SELECT c.table_name FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND t.table_type = 'BASE TABLE'
          ORDER BY 1`,
      )
    ).map((r) => r.table_name);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await db?.dispose();
  });

  it('the application role is neither superuser, BYPASSRLS nor the owner of any table', async () => {
    const [role] = await db.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1',
      [APP_ROLE],
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`,
      [APP_ROLE],
    );
    expect(owned).toEqual([]);
  });

  it('every tenant policy compares the row with stepwise_org() directly (the form measured cheapest for a move)', async () => {
    const policies = await db.query<{ name: string; expr: string }>(
      `SELECT tablename || '.' || policyname AS name, coalesce(qual, '') || ' ' || coalesce(with_check, '') AS expr
         FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' ORDER BY 1`,
    );
    expect(policies.length).toBeGreaterThanOrEqual(18);
    const other = policies
      .filter(
        (p) =>
          p.expr !== '(org_id = stepwise_org()) (org_id = stepwise_org())' &&
          p.expr !== '(id = stepwise_org()) (id = stepwise_org())',
      )
      .map((p) => `${p.name}: ${p.expr}`);
    expect(other).toEqual([]);
  });

  it('every table under the policies binds its owner too (FORCE), and no function turns them off', async () => {
    const unforced = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity
          AND NOT c.relforcerowsecurity ORDER BY 1`,
    );
    expect(unforced).toEqual([]);
    // The functions that act across organizations run as stepwise_system (it cannot log in), are not
    // executable by PUBLIC, and are executable by the application role.
    const functions = await db.query<{ name: string; owner: string; public: boolean; app: boolean }>(
      `SELECT p.proname AS name, pg_get_userbyid(p.proowner) AS owner,
              coalesce(p.proacl::text LIKE '%{=X%' OR p.proacl::text LIKE '%,=X%', true) AS public,
              has_function_privilege($1, p.oid, 'EXECUTE') AS app
         FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef ORDER BY 1`,
      [APP_ROLE],
    );
    expect(functions.length).toBeGreaterThanOrEqual(10);
    expect(functions.filter((f) => f.owner !== 'stepwise_system' || f.public || !f.app)).toEqual([]);
    const [system] = await db.query<{ rolcanlogin: boolean; rolsuper: boolean; rolbypassrls: boolean }>(
      `SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'stepwise_system'`,
    );
    expect(system).toEqual({ rolcanlogin: false, rolsuper: false, rolbypassrls: false });
  });

  it("the product's own statements run as the application role, acting for their scope's organization", async () => {
    const [who] = await withOrg(a.orgId, () =>
      db.query<{ role: string; org: string }>(
        `SELECT current_user AS role, current_setting('app.org_id') AS org`,
      ),
    );
    expect(who).toEqual({ role: APP_ROLE, org: a.orgId });
    const count = (orgId: string | null) =>
      withOrg(orgId, () => db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets'));
    const [owned] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tickets WHERE org_id = $1::uuid',
      [a.orgId],
    );
    expect(owned?.n).toBeGreaterThan(0);
    expect(await count(a.orgId)).toEqual([{ n: owned?.n }]);
    expect(await count(null)).toEqual([{ n: 0 }]);
    // Through drizzle and inside a transaction alike.
    const inTx = await withOrg(b.orgId, () =>
      db.db.transaction(async (tx) =>
        rowsOfResult(
          await tx.execute(
            sql`SELECT count(DISTINCT org_id)::int AS n, min(org_id::text) AS org FROM tickets`,
          ),
        ),
      ),
    );
    expect(inTx).toEqual([{ n: 1, org: b.orgId }]);
  });

  it('given statements of two organizations sent at once, when the pool interleaves them on its connections, then each sees its own organization only', async () => {
    const orgs = [a.orgId, b.orgId];
    const seen = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const orgId = orgs[i % 2] as string;
        // Raw statements, drizzle, and a transaction now and then, all at once.
        if (i % 25 === 0)
          return withOrg(orgId, () =>
            db.db.transaction(async (tx) =>
              rowsOfResult(await tx.execute(sql`SELECT DISTINCT org_id::text AS org FROM tickets`)),
            ),
          ).then((rows) => ({ orgId, rows }));
        return withOrg(orgId, () =>
          db.query<{ org: string }>('SELECT DISTINCT org_id::text AS org FROM tickets'),
        ).then((rows) => ({ orgId, rows: rows as unknown[] }));
      }),
    );
    const wrong = seen.filter((s) => JSON.stringify(s.rows) !== JSON.stringify([{ org: s.orgId }]));
    expect(wrong).toEqual([]);
  });

  it('every table of the schema either has an org_id under a policy or is named global', async () => {
    const tables = await db.query<{ name: string; rls: boolean; policies: number }>(
      `SELECT c.relname AS name, c.relrowsecurity AS rls,
              (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
    );
    const unprotected = tables
      .filter((t) => !GLOBAL_TABLES.has(t.name) && (!t.rls || t.policies === 0))
      .map((t) => t.name);
    expect(unprotected).toEqual([]);
    expect(tenantTables.length).toBeGreaterThanOrEqual(18);
  });

  it("given two organizations with rows in every tenant table, when the application role works as org A, then org B's rows are invisible and unwritable in every one", async () => {
    const problems: string[] = [];
    for (const table of [...tenantTables, 'organizations', 'users']) {
      const key = table === 'organizations' ? 'id' : 'org_id';
      // What org A owns, counted by the owner (no policy applies to it).
      const own =
        table === 'users'
          ? await db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM users u WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.org_id = $1::uuid)',
              [a.orgId],
            )
          : await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${key} = $1::uuid`, [
              a.orgId,
            ]);
      const foreign =
        table === 'users'
          ? await db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM users u WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.org_id = $1::uuid)',
              [b.orgId],
            )
          : await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${key} = $1::uuid`, [
              b.orgId,
            ]);
      const ownRows = own[0]?.n ?? 0;
      if (ownRows === 0 || (foreign[0]?.n ?? 0) === 0) {
        problems.push(`${table}: the test made no rows for both organizations (extend populatedOrg)`);
        continue;
      }
      // Reads: org A sees its own rows, all of them, and nothing else.
      const seen = await session.asApp(
        a.orgId,
        async (q) => (await q(`SELECT count(*)::int AS n FROM ${table}`)).rows,
      );
      if (seen[0]?.n !== ownRows)
        problems.push(`${table}: org A sees ${String(seen[0]?.n)} rows, owns ${ownRows}`);
      if (table === 'users') continue; // accounts are read by membership; written below through memberships
      // Updates and deletes of org B's rows touch nothing (or are refused outright: the event log and
      // published versions are append-only).
      for (const statement of [
        `UPDATE ${table} SET ${key} = ${key} WHERE ${key} = $1::uuid`,
        `DELETE FROM ${table} WHERE ${key} = $1::uuid`,
      ]) {
        const outcome = await refusal(() =>
          session.asApp(a.orgId, async (q) => (await q(statement, [b.orgId])).count),
        );
        if (outcome !== 0 && !refusedAsAppendOnly(table, outcome))
          problems.push(`${table}: "${statement.split(' ')[0]}" of org B's rows answered ${outcome}`);
      }
      // Writes into org B are refused: a copy of one of A's rows moved to B, and one of A's rows moved to B.
      const copied = await refusal(() =>
        session.asApp(a.orgId, (q) =>
          q(
            `INSERT INTO ${table} SELECT (jsonb_populate_record(NULL::${table}, to_jsonb(x) || jsonb_build_object('${key}', $1::uuid))).* FROM ${table} x LIMIT 1`,
            [b.orgId],
          ),
        ),
      );
      if (copied !== RLS_REFUSED) problems.push(`${table}: inserting a row of org B answered ${copied}`);
      const moved = await refusal(() =>
        session.asApp(a.orgId, (q) => q(`UPDATE ${table} SET ${key} = $1::uuid`, [b.orgId])),
      );
      if (moved !== RLS_REFUSED && !refusedAsAppendOnly(table, moved))
        problems.push(`${table}: moving a row to org B answered ${moved}`);
      // With no organization set, nothing at all.
      const none = await session.asApp(
        null,
        async (q) => (await q(`SELECT count(*)::int AS n FROM ${table}`)).rows,
      );
      if (none[0]?.n !== 0)
        problems.push(`${table}: with no organization set, ${String(none[0]?.n)} rows are visible`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

/** The rows of a drizzle `execute` (an array on postgres.js, `{ rows }` on PGlite). */
function rowsOfResult(result: unknown): unknown[] {
  return Array.isArray(result) ? [...result] : ((result as { rows: unknown[] }).rows ?? []);
}

/** insufficient_privilege: a row-level security policy (or a missing privilege) refused the statement. */
const RLS_REFUSED = '42501';

/** The append-only tables refuse any change before a policy is consulted (their trigger raises P0001). */
const APPEND_ONLY = new Set(['ticket_events', 'flow_versions']);

function refusedAsAppendOnly(table: string, outcome: unknown): boolean {
  return APPEND_ONLY.has(table) && (outcome === 'P0001' || outcome === RLS_REFUSED);
}

/** What a statement did (its result), or the SQLSTATE it failed with. */
async function refusal<T>(run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : String(error);
  }
}
