import { readFileSync } from 'node:fs';
import { createDb, type Database } from '@stepwise/db';
import postgres from 'postgres';
import { inject } from 'vitest';
import { withDatabase } from './globalSetup.ts';

export type Backend = 'pglite' | 'postgres';

/** The backends this run covers: PGlite always, PostgreSQL when a URL is set (CI requires it). */
export function backends(): Backend[] {
  return inject('postgresTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

/** True when the PostgreSQL suite runs; concurrency tests (which prove nothing on PGlite) use it. */
export const hasPostgres = (): boolean => inject('postgresTemplate') !== null;

let counter = 0;

export type TestDb = Database & {
  /** postgres:// URL of this test database (PostgreSQL only), for spawning server processes. */
  url: string | undefined;
  /** Closes and drops the database. */
  dispose(): Promise<void>;
};

/** A fresh, migrated database for one test file (a clone of the run's template). */
export async function openTestDb(
  backend: Backend,
  options: { maxConnections?: number } = {},
): Promise<TestDb> {
  if (backend === 'pglite') {
    const dump = new Blob([readFileSync(inject('pgliteTemplate'))]);
    const db = await createDb({
      dataDir: 'memory://',
      loadDataDir: dump,
      migrate: false,
      ownerOutsideScopes: true,
    });
    return Object.assign(db, { url: undefined, dispose: () => db.close() });
  }
  const tpl = inject('postgresTemplate');
  if (!tpl) throw new Error('PostgreSQL is not configured for this run');
  const name = `stepwise_t_${tpl.runId}_${process.pid}_${counter++}`;
  const admin = postgres(tpl.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${tpl.template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(tpl.adminUrl, name);
  const db = await createDb({
    url,
    migrate: false,
    maxConnections: options.maxConnections ?? 10,
    ownerOutsideScopes: true,
  });
  return Object.assign(db, {
    url,
    async dispose() {
      await db.close();
      const drop = postgres(tpl.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await drop.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  });
}
