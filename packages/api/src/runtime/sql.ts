import type { Database, Row } from '@stepwise/db';
import { type SQL, sql } from 'drizzle-orm';

/**
 * A raw parameterised statement runner: the pool (`database.query`) or one transaction's connection.
 * The runtime's reads and writes take one, so the same code runs on its own or inside a transaction
 * (PGlite has one connection: a pool query awaited inside an open transaction would wait forever).
 */
export type Query = <T extends Row = Row>(text: string, params?: unknown[]) => Promise<T[]>;

/** A timestamp column as ISO-8601 text (`…T…Z`, milliseconds), identical on both drivers and to `Date#toISOString`. */
export function iso(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Turns `$1`-style text and its parameters into a drizzle SQL object (for `tx.execute`). */
function toSql(text: string, params: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 0) {
      if (part !== '') chunks.push(sql.raw(part));
    } else {
      chunks.push(sql`${params[Number(part) - 1] ?? null}`);
    }
  }
  return sql.join(chunks);
}

export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  return [];
}

/**
 * Runs `work` in one transaction, handing it a `Query` bound to the transaction's connection. Keep the
 * work short: on PGlite every other query waits while it is open.
 */
export async function inTransaction<R>(database: Database, work: (query: Query) => Promise<R>): Promise<R> {
  return database.db.transaction(async (tx) => {
    const query: Query = async <T extends Row = Row>(text: string, params: unknown[] = []) =>
      rowsOf<T>(await tx.execute(toSql(text, params)));
    return work(query);
  });
}

/** A `Query` on a drizzle transaction already open (for code that runs inside one, such as a publish). */
export function queryOn(tx: { execute: (query: SQL) => Promise<unknown> }): Query {
  return async <T extends Row = Row>(text: string, params: unknown[] = []) =>
    rowsOf<T>(await tx.execute(toSql(text, params)));
}

/** A savepoint inside a transaction opened by `inTransaction`: a failure rolls back only this part. */
export async function inSavepoint<R>(query: Query, name: string, work: () => Promise<R>): Promise<R> {
  await query(`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}

/** The pool's `Query`. */
export function poolQuery(database: Database): Query {
  return (text, params) => database.query(text, params);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from clients are checked before they reach a `::uuid` cast (which would fail loudly). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** PostgreSQL's SQLSTATE of an error from either driver (drizzle wraps the driver error in `cause`). */
export function sqlState(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ('code' in current && typeof current.code === 'string' && /^[0-9A-Z]{5}$/.test(current.code))
      return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return null;
}

/** The constraint a PostgreSQL error names (either driver), or null. */
export function constraintOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    for (const field of ['constraint_name', 'constraint'] as const)
      if (field in current && typeof (current as Record<string, unknown>)[field] === 'string')
        return (current as Record<string, string>)[field] ?? null;
    current = 'cause' in current ? current.cause : undefined;
  }
  return null;
}
