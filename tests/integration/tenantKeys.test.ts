import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/**
 * Tables with an org_id column that are not distributed by it (docs/scale-out.md). Every other base table
 * with an org_id column is a tenant table, so a new table is covered without being named here.
 */
const GLOBAL_TABLES: ReadonlyMap<string, string> = new Map([
  [
    'sessions',
    "a user's: the cookie's hash finds it before any organization is known, and a person's sessions are listed and ended across organizations",
  ],
  ['sign_up_requests', 'exists before its organization (org_id is null until the confirmation creates one)'],
  [
    'outgoing_mail',
    "the mail outbox, drained by due time across organizations; a sign-up's mail has no organization (org_id null)",
  ],
]);

/** The tenant tables: base tables of the schema with an org_id column, less the global ones. */
async function tenantTables(db: TestDb): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY 1`,
  );
  return rows.map((r) => r.name).filter((name) => !GLOBAL_TABLES.has(name));
}

/**
 * What keeps the schema from being distributed by org_id, read from the catalog: a tenant table whose
 * primary key lacks org_id (or that has none), a unique index or constraint of a tenant table without
 * org_id, and a foreign key between tenant tables that does not pair org_id with org_id.
 */
async function keyProblems(db: TestDb): Promise<string[]> {
  const tenant = await tenantTables(db);
  const problems: string[] = [];
  const keys = await db.query<{ table: string; name: string; primary: boolean; has_org: boolean }>(
    `SELECT c.relname AS table, i.relname AS name, x.indisprimary AS primary,
            EXISTS (SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND a.attnum = ANY (x.indkey::int2[])) AS has_org
       FROM pg_index x
       JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND x.indisunique AND c.relname = ANY ($1::text[])
      ORDER BY 1, 2`,
    [tenant],
  );
  for (const table of tenant) {
    if (!keys.some((k) => k.table === table && k.primary)) problems.push(`${table}: no primary key`);
  }
  for (const k of keys) {
    if (!k.has_org) {
      problems.push(`${k.table}: ${k.primary ? 'primary key' : 'unique index'} ${k.name} lacks org_id`);
    }
  }
  const fks = await db.query<{ table: string; name: string; target: string; paired: boolean }>(
    `SELECT c.relname AS table, k.conname AS name, f.relname AS target,
            EXISTS (SELECT 1 FROM generate_subscripts(k.conkey, 1) AS s(i)
                      JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = k.conkey[s.i]
                      JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[s.i]
                     WHERE ca.attname = 'org_id' AND fa.attname = 'org_id') AS paired
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class f ON f.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND k.contype = 'f'
        AND c.relname = ANY ($1::text[]) AND f.relname = ANY ($1::text[])
      ORDER BY 1, 2`,
    [tenant],
  );
  for (const fk of fks) {
    if (!fk.paired) problems.push(`${fk.table}: foreign key ${fk.name} to ${fk.target} does not pair org_id`);
  }
  return problems;
}

describe.each(backends())('tenant keys carry org_id (%s)', (backend) => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb(backend);
  }, 60_000);
  afterAll(async () => {
    await db?.dispose();
  });

  it('the tenant tables are every table with org_id but the named global ones, and each global one exists', async () => {
    const tenant = await tenantTables(db);
    expect(tenant).toEqual(expect.arrayContaining(['tickets', 'ticket_events', 'timers', 'flows', 'teams']));
    expect(tenant.length).toBeGreaterThanOrEqual(18);
    const existing = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY ($1::text[])`,
      [[...GLOBAL_TABLES.keys()]],
    );
    expect(existing.map((r) => r.name).sort()).toEqual([...GLOBAL_TABLES.keys()].sort());
  });

  it('every primary key, unique index and foreign key between tenant tables includes org_id', async () => {
    expect(await keyProblems(db)).toEqual([]);
  });

  it('given a tenant table keyed without org_id, when the catalog is read, then each offending key is named', async () => {
    await db.query(
      `CREATE TABLE keys_probe_parent (org_id uuid NOT NULL, id uuid PRIMARY KEY, code text UNIQUE)`,
    );
    await db.query(
      `CREATE TABLE keys_probe_child (org_id uuid NOT NULL, id uuid NOT NULL, parent_id uuid REFERENCES keys_probe_parent (id),
         PRIMARY KEY (org_id, id))`,
    );
    try {
      const problems = await keyProblems(db);
      expect(problems.sort()).toEqual([
        'keys_probe_child: foreign key keys_probe_child_parent_id_fkey to keys_probe_parent does not pair org_id',
        'keys_probe_parent: primary key keys_probe_parent_pkey lacks org_id',
        'keys_probe_parent: unique index keys_probe_parent_code_key lacks org_id',
      ]);
      await db.query('CREATE TABLE keys_probe_bare (org_id uuid NOT NULL, id uuid NOT NULL)');
      expect(await keyProblems(db)).toContain('keys_probe_bare: no primary key');
    } finally {
      await db.query('DROP TABLE IF EXISTS keys_probe_child, keys_probe_parent, keys_probe_bare');
    }
  });
});
