import type { Db, Role } from '@stepwise/db';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../runtime/sql.ts';

/** What the web app knows about the logged-in user. */
export type Me = {
  user: { id: string; name: string; email: string };
  org: { id: string; name: string };
  role: Role;
};

export type Account = { id: string; name: string; email: string; passwordHash: string };

/** Emails are unique case-insensitively (the index is on lower(email)). */
export async function findAccountByEmail(db: Db, email: string): Promise<Account | undefined> {
  // Accounts belong to no one organization: read through the narrowly granted `stepwise_account` function.
  const [row] = rowsOf<Account>(
    await db.execute(
      sql`SELECT id, name, email, password_hash AS "passwordHash" FROM stepwise_account(${email.toLowerCase()})`,
    ),
  );
  return row;
}

/**
 * The membership a log-in opens: in `orgId` when given, otherwise the oldest enabled one.
 * Returns null when there is none (every membership disabled, or not a member of `orgId`).
 */
export async function pickMembership(
  db: Db,
  userId: string,
  orgId: string | undefined,
): Promise<{ orgId: string; orgName: string; role: Role } | null> {
  const [row] = rowsOf<{ orgId: string; orgName: string; role: Role }>(
    await db.execute(
      sql`SELECT org_id AS "orgId", org_name AS "orgName", role FROM stepwise_memberships(${userId}::uuid)
           WHERE ${orgId ?? null}::uuid IS NULL OR org_id = ${orgId ?? null}::uuid LIMIT 1`,
    ),
  );
  return row ?? null;
}
