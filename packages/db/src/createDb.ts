import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema/index.ts';
import { PgliteGate, TenantPool, transparentTypes } from './tenantConnections.ts';

/**
 * The role the application's statements run as: neither the tables' owner, a superuser nor BYPASSRLS,
 * so the row-level security policies bind it (created and granted by the migrations).
 */
export const APP_ROLE = 'stepwise_app';

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
  /**
   * LISTEN on a channel (NOTIFY from any process on the same database reaches it). The subscription
   * outlives a lost connection: it listens again once the database is back, then calls `onRelisten`
   * (notifications sent meanwhile were missed: the caller reads what it needs again).
   */
  listen(channel: string, onMessage: (payload: string) => void, onRelisten?: () => void): Promise<Unlisten>;
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
  /**
   * PostgreSQL: the URL migrations run with (the tables' owner). Default: `url`. When `url` itself names
   * a privileged role (a superuser, BYPASSRLS, or the tables' owner), migrations run with it and the
   * application connects as `stepwise_app` at the same address instead (a development database that
   * trusts local connections; production names the application role in `url`).
   */
  migrationUrl?: string | undefined;
  /**
   * `app` (default): every statement runs as the application role with the organization of its scope
   * (`withOrg`), under the row-level security policies. `owner`: as the URL's role, no policies applied
   * (maintenance scripts that work across organizations, such as rebuilding the analytics facts).
   */
  access?: 'app' | 'owner' | undefined;
  /**
   * Tests: statements made outside every `withOrg` scope run as the owner (the tests' own setup and
   * inspection queries), while everything the product runs, always inside a scope, runs as the application.
   */
  ownerOutsideScopes?: boolean | undefined;
};

/** The driver behind each Database, for the few places that need it (migrations, test templates). */
const drivers = new WeakMap<Database, { url?: string; pg?: PGlite; rawDb?: Db; gate?: PgliteGate | null }>();

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../drizzle');

/** Any fixed number: every process migrating the same database takes this advisory lock first. */
const MIGRATION_LOCK = 727_274_001;

/**
 * The one client factory: PGlite when no URL is given (data in `./.data`, guarded by a lock file so two
 * processes never open one directory), postgres.js otherwise. Migrations run at start-up behind an
 * advisory lock, identically on both.
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  const access = options.access ?? 'app';
  if (options.url) {
    const migrationUrl = options.migrationUrl ?? options.url;
    if (options.migrate !== false) await migratePostgresUrl(migrationUrl);
    const url = access === 'app' ? await appUrlFor(options.url) : options.url;
    const owner = access === 'app' && options.ownerOutsideScopes ? migrationUrl : null;
    return openPostgres(url, migrationUrl, options.maxConnections ?? 10, access === 'app', owner);
  }
  const database = await openPglite(options, access === 'app');
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

/**
 * The URL the application connects with: `url` itself when its role is bound by the row-level security
 * policies; when it names a privileged role (superuser, BYPASSRLS or the tables' owner), the same address
 * as `stepwise_app` (without a password: a development server trusting local connections).
 */
async function appUrlFor(url: string): Promise<string> {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connect_timeout: POSTGRES_SETTINGS.connectTimeoutSeconds,
  });
  try {
    const [row] = await sql<{ privileged: boolean }[]>`
      SELECT r.rolsuper OR r.rolbypassrls OR EXISTS (
               SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user) AS privileged
        FROM pg_roles r WHERE r.rolname = current_user`;
    if (!row?.privileged) return url;
  } finally {
    await sql.end({ timeout: 5 });
  }
  const app = new URL(url);
  app.username = APP_ROLE;
  app.password = '';
  const probe = postgres(app.toString(), {
    max: 1,
    onnotice: () => {},
    connect_timeout: POSTGRES_SETTINGS.connectTimeoutSeconds,
  });
  try {
    await probe`SELECT 1`;
  } catch (error) {
    throw new Error(
      `DATABASE_URL names a privileged role, and the application cannot connect as ${APP_ROLE} at the same address (${(error as Error).message}). ` +
        `Set DATABASE_URL to the application role (${APP_ROLE}, with its password) and MIGRATION_DATABASE_URL to the owner role: docs/security.md shows the setup.`,
    );
  } finally {
    await probe.end({ timeout: 5 });
  }
  return app.toString();
}

/**
 * The PostgreSQL connection settings, chosen for a database that can restart under load (a failover, a
 * maintenance restart, `pg_ctl restart -m immediate`):
 *
 * - `connect_timeout` 3 s: a reachable server answers a connection in milliseconds (tens with TLS across
 *   a network); one that does not answer in 3 s is down, and a request should hear so (503) rather than
 *   wait the driver's default 30 s.
 * - `backoff` 50 ms doubling to at most 500 ms between failed connection attempts. The driver's default
 *   grows to 20 s after a handful of failures, shared by the whole pool: requests queued during a restart
 *   then waited up to 20 s after the database was back.
 * - `idle_timeout` 60 s: an idle connection is closed after a minute, so a pool shrinks after a burst and
 *   fewer connections are left to find broken after a restart.
 * - `max_lifetime` 15–30 min (random per connection, so they do not all reconnect at once): connections
 *   are renewed regularly, picking up a failover's new address and releasing server-side memory.
 * - `statement_timeout` 15 s: the app's statements are single-ticket moves (milliseconds) and reports
 *   (well under a second at a million tickets); one still running after 15 s is stuck behind something,
 *   and would hold one of the pool's connections. `idle_in_transaction_session_timeout` 60 s ends a
 *   transaction its process forgot (crashed mid-way) so its locks are released. Both can be raised for a
 *   deployment through the URL (`?statement_timeout=60000`), which the driver sends as session settings.
 */
export const POSTGRES_SETTINGS = {
  connectTimeoutSeconds: 3,
  idleTimeoutSeconds: 60,
  maxLifetimeSeconds: () => 60 * (15 + Math.random() * 15),
  backoffSeconds: (attempts: number) => Math.min(0.05 * 2 ** attempts, 0.5),
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 60_000,
} as const;

function openPostgres(
  url: string,
  migrationUrl: string,
  max: number,
  tenant: boolean,
  ownerUrl: string | null,
): Database {
  // JIT off: the app's statements are single-row moves and reports of well under a second, where compiling
  // a plan (30–250 ms measured on the analytics reports) costs more than it could ever save.
  const options = {
    onnotice: () => {},
    connect_timeout: POSTGRES_SETTINGS.connectTimeoutSeconds,
    backoff: POSTGRES_SETTINGS.backoffSeconds,
    connection: {
      application_name: 'stepwise',
      jit: 'off',
      statement_timeout: POSTGRES_SETTINGS.statementTimeoutMs,
      idle_in_transaction_session_timeout: POSTGRES_SETTINGS.idleInTransactionTimeoutMs,
    },
  } satisfies postgres.Options<Record<string, never>>;
  const pooled = {
    ...options,
    idle_timeout: POSTGRES_SETTINGS.idleTimeoutSeconds,
    // A function: the driver draws each connection's lifetime anew.
    max_lifetime: POSTGRES_SETTINGS.maxLifetimeSeconds as unknown as number,
  };
  const listener = new Listener(url, options);
  let database: Database;
  if (tenant) {
    const owner = ownerUrl ? postgres(ownerUrl, { ...pooled, max: 4 }) : null;
    if (owner) transparentTypes(owner);
    const pool = new TenantPool((onclose) => postgres(url, { ...pooled, max: 1, onclose }), max, owner);
    const db = drizzlePostgres(pool as unknown as postgres.Sql, {
      schema,
      casing: 'snake_case',
    }) as unknown as Db;
    database = {
      kind: 'postgres',
      db,
      query: <T extends Row>(text: string, params: unknown[] = []) => pool.query<T>(text, params),
      listen: (channel, onMessage, onRelisten) => listener.listen(channel, onMessage, onRelisten),
      async close() {
        await listener.close();
        await pool.end({ timeout: 5 });
      },
    };
  } else {
    const sql = postgres(url, { ...pooled, max });
    const db = drizzlePostgres(sql, { schema, casing: 'snake_case' }) as unknown as Db;
    database = {
      kind: 'postgres',
      db,
      async query<T extends Row>(text: string, params: unknown[] = []) {
        const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
        return rows as unknown as T[];
      },
      listen: (channel, onMessage, onRelisten) => listener.listen(channel, onMessage, onRelisten),
      async close() {
        await listener.close();
        await sql.end({ timeout: 5 });
      },
    };
  }
  drivers.set(database, { url: migrationUrl });
  return database;
}

type Subscription = { onMessage: (payload: string) => void; onRelisten: (() => void) | undefined };

/**
 * LISTEN on one dedicated connection that comes back by itself. The driver's own `listen` issues LISTEN
 * again when its connection closes, but only once: while the database is still restarting that LISTEN
 * fails, and the channel stays silent for good. Here a lost connection is followed by LISTEN attempts
 * every 250 ms until the database answers, then every subscriber is told (`onRelisten`).
 */
class Listener {
  private sql: postgres.Sql | null = null;
  private readonly channels = new Map<string, Set<Subscription>>();
  private relistening: Promise<void> | null = null;
  /** The connection closed since the last LISTEN went through. */
  private lost = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: postgres.Options<Record<string, never>>,
  ) {}

  private client(): postgres.Sql {
    // `onnotify` is the driver's (its `listen` uses it) but missing from its types.
    const notify = {
      onnotify: (channel: string, payload: string) => {
        for (const sub of this.channels.get(channel) ?? []) sub.onMessage(payload);
      },
    } as Record<string, unknown>;
    this.sql ??= postgres(this.url, {
      ...this.options,
      ...notify,
      max: 1,
      // Never closed for idleness or age: a LISTEN connection is idle by design.
      idle_timeout: 0,
      max_lifetime: 0,
      fetch_types: false,
      onclose: () => {
        this.lost = true;
        if (!this.closed && this.channels.size > 0) void this.relisten();
      },
    });
    return this.sql;
  }

  async listen(
    channel: string,
    onMessage: (payload: string) => void,
    onRelisten?: () => void,
  ): Promise<Unlisten> {
    const sub: Subscription = { onMessage, onRelisten };
    let subs = this.channels.get(channel);
    const first = !subs;
    if (!subs) {
      subs = new Set();
      this.channels.set(channel, subs);
    }
    subs.add(sub);
    if (first) {
      try {
        await this.client().unsafe(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        subs.delete(sub);
        if (subs.size === 0) this.channels.delete(channel);
        throw error;
      }
    }
    return async () => {
      const current = this.channels.get(channel);
      if (!current?.delete(sub) || current.size > 0) return;
      this.channels.delete(channel);
      await this.sql?.unsafe(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
    };
  }

  /** LISTEN again on every channel, retrying until the database answers (or the listener closes). */
  private relisten(): Promise<void> {
    this.relistening ??= (async () => {
      // `lost` is set again by a close during an attempt: that attempt's LISTEN went with it.
      while (this.lost && !this.closed && this.channels.size > 0) {
        this.lost = false;
        try {
          const sql = this.client();
          for (const channel of [...this.channels.keys()]) await sql.unsafe(`LISTEN ${quoteIdent(channel)}`);
        } catch {
          // Still down (or restarting): the next attempt follows.
          this.lost = true;
          await sleep(250);
        }
      }
      if (this.closed) return;
      for (const subs of this.channels.values())
        for (const sub of subs) {
          try {
            sub.onRelisten?.();
          } catch (error) {
            console.error('[stepwise db] a LISTEN subscriber failed on reconnect:', error);
          }
        }
    })().finally(() => {
      this.relistening = null;
    });
    return this.relistening;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    await this.relistening;
    await this.sql?.end({ timeout: 5 });
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms).unref());
}

async function openPglite(options: CreateDbOptions, tenant: boolean): Promise<Database> {
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
  const rawDb = drizzlePglite(pg, { schema, casing: 'snake_case' }) as unknown as Db;
  // The application's statements run as the application role (one connection: switched per statement).
  const gate = tenant ? new PgliteGate(pg, APP_ROLE, options.ownerOutsideScopes === true) : null;
  const db = gate
    ? (drizzlePglite(gate.client() as PGlite, { schema, casing: 'snake_case' }) as unknown as Db)
    : rawDb;
  const run = gate ? <T>(work: () => Promise<T>) => gate.run(work) : <T>(work: () => Promise<T>) => work();
  const database: Database = {
    kind: 'pglite',
    db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      const result = await run(() => pg.query<T>(text, params));
      return result.rows;
    },
    async listen(channel, onMessage) {
      // One process owns the embedded database: its connection is never lost.
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
  drivers.set(database, { pg, rawDb, gate });
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
    const driver = drivers.get(database);
    if (!driver?.pg || !driver.rawDb) throw new Error('not a PGlite database');
    // As the owner: the migrations create and alter what the application role is then granted.
    driver.gate?.forget();
    await driver.pg.exec('RESET ROLE');
    await driver.pg.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
      await migratePglite(driver.rawDb as never, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await driver.pg.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
    return;
  }
  const url = drivers.get(database)?.url;
  if (!url) throw new Error('not a PostgreSQL database');
  await migratePostgresUrl(url);
}

/** Applies the migrations to the PostgreSQL database at `url` (its role owns what they create). */
async function migratePostgresUrl(url: string): Promise<void> {
  // A migration may rewrite a large table: its own two connections (the lock's and the migration's), with
  // no statement timeout.
  const sql = postgres(url, {
    max: 2,
    onnotice: () => {},
    connect_timeout: POSTGRES_SETTINGS.connectTimeoutSeconds,
    connection: { application_name: 'stepwise-migrate', statement_timeout: 0 },
  });
  try {
    const lock = await sql.reserve();
    try {
      await lock`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
      const db = drizzlePostgres(sql, { schema, casing: 'snake_case' });
      await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await lock`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      lock.release();
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
