import { type Db, memberships, organizations, type Role, users } from '@stepwise/db';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';

/** What the web app knows about the logged-in user. */
export type Me = {
  user: { id: string; name: string; email: string };
  org: { id: string; name: string };
  role: Role;
};

export type Account = { id: string; name: string; email: string; passwordHash: string };

/** Emails are unique case-insensitively (the index is on lower(email)). */
export async function findAccountByEmail(db: Db, email: string): Promise<Account | undefined> {
  const [row] = await db
    .select({ id: users.id, name: users.name, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
    .limit(1);
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
  const [row] = await db
    .select({ orgId: memberships.orgId, orgName: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(
      and(
        eq(memberships.userId, userId),
        isNull(memberships.disabledAt),
        orgId === undefined ? undefined : eq(memberships.orgId, orgId),
      ),
    )
    .orderBy(asc(memberships.createdAt), asc(memberships.orgId))
    .limit(1);
  return row ?? null;
}
