import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

/** One drizzle type over both drivers. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type Row = Record<string, unknown>;

/** Listener for LISTEN/NOTIFY; returns an unsubscribe function. */
export type Unlisten = () => Promise<void>;

export type Database = {
  kind: 'pglite' | 'postgres';
  /** drizzle, for ordinary queries. */
  db: Db;
  /** A raw parameterised statement: the hot paths use it to control round trips exactly. */
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** LISTEN on a channel (NOTIFY from any process on the same database reaches it). */
  listen(channel: string, onMessage: (payload: string) => void): Promise<Unlisten>;
  close(): Promise<void>;
};

export type CreateDbOptions = {
  /** postgres:// URL; when absent, embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory (default `./.data/pglite`), or `memory://`. */
  dataDir?: string | undefined;
  /** PGlite: start from a dump of an already-migrated database (tests). */
  loadDataDir?: Blob | File | undefined;
  /** postgres.js pool size (default 10). */
  maxConnections?: number | undefined;
  /** Run migrations at start (default true). */
  migrate?: boolean | undefined;
};

/** The driver behind each Database, for the few places that need it (migrations, test templates). */
const drivers = new WeakMap<Database, { sql?: postgres.Sql; pg?: PGlite }>();

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../drizzle');

/** Any fixed number: every process migrating the same database takes this advisory lock first. */
const MIGRATION_LOCK = 727_274_001;

/**
 * The one client factory: PGlite when no URL is given (data in `./.data`, guarded by a lock file so two
 * processes never open one directory), postgres.js otherwise. Migrations run at start-up behind an
 * advisory lock, identically on both.
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  const database = options.url
    ? openPostgres(options.url, options.maxConnections ?? 10)
    : await openPglite(options);
  if (options.migrate !== false) {
    try {
      await runMigrations(database);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

function openPostgres(url: string, max: number): Database {
  // JIT off: the app's statements are single-row moves and reports of well under a second, where compiling
  // a plan (30–250 ms measured on the analytics reports) costs more than it could ever save.
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'stepwise', jit: 'off' },
  });
  const db = drizzlePostgres(sql, { schema, casing: 'snake_case' }) as unknown as Db;
  const database: Database = {
    kind: 'postgres',
    db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
      return rows as unknown as T[];
    },
    async listen(channel, onMessage) {
      const sub = await sql.listen(channel, onMessage);
      return () => sub.unlisten();
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
  drivers.set(database, { sql });
  return database;
}

async function openPglite(options: CreateDbOptions): Promise<Database> {
  const dataDir = options.dataDir ?? join(process.cwd(), '.data', 'pglite');
  let releaseLock = (): void => {};
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = takeLock(`${dataDir}.lock`);
  }
  // Loaded only when used: importing PGlite costs ~0.4 s that a PostgreSQL deployment should not pay.
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  } catch (error) {
    releaseLock();
    throw error;
  }
  const db = drizzlePglite(pg, { schema, casing: 'snake_case' }) as unknown as Db;
  const database: Database = {
    kind: 'pglite',
    db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      const result = await pg.query<T>(text, params);
      return result.rows;
    },
    async listen(channel, onMessage) {
      const unsub = await pg.listen(channel, onMessage);
      return () => unsub();
    },
    async close() {
      try {
        await pg.close();
      } finally {
        releaseLock();
      }
    },
  };
  drivers.set(database, { pg });
  return database;
}

/** The PGlite handle behind a Database (tests dump it to clone a migrated template). */
export function pgliteOf(database: Database): PGlite {
  const pg = drivers.get(database)?.pg;
  if (!pg) throw new Error('not a PGlite database');
  return pg;
}

/**
 * A lock file beside the data directory holding the owner's pid: a second process on the same
 * directory would corrupt it. A lock left by a dead process is taken over.
 */
function takeLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `The embedded database at ${dirname(path)} is in use by process ${owner}. Stop it first, or set DATABASE_URL to use PostgreSQL.`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Applies the migrations in `drizzle/` once; concurrent starts wait on an advisory lock. */
export async function runMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await database.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
      await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await database.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
    return;
  }
  const sql = drivers.get(database)?.sql;
  if (!sql) throw new Error('not a PostgreSQL database');
  const lock = await sql.reserve();
  try {
    await lock`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lock`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    lock.release();
  }
}
