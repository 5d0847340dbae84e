import { randomBytes } from 'node:crypto';
import { type Database, type Db, memberships, users } from '@stepwise/db';
import { and, eq, sql } from 'drizzle-orm';
import { audit } from '../audit.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { checkPassword } from '../auth/rateLimits.ts';
import { forgetSessions, hashSessionToken } from '../auth/sessions.ts';
import { rowsOf } from '../runtime/sql.ts';
import { type Caller, fail } from '../trpc.ts';

/** Field errors in `details.fields`, keyed like the input (the forms show each under its control). */
export type FieldProblems = { fields: Record<string, string> };

const NOT_A_MEMBER = 'This user is not a member of your organization.';

/**
 * A person changes their own password: the current one must match, the new one must differ. Every other
 * session of theirs (in any organization: the password is the account's) ends; the one making the change
 * stays. Audited in the caller's organization as `user.password_changed` (never with the password).
 */
export async function changeOwnPassword(
  database: Database,
  caller: Caller & { userId: string },
  input: { currentPassword: string; newPassword: string; sessionToken: string | null; clientIp: string },
  now: Date,
): Promise<{ endedSessions: number }> {
  const db = database.db;
  const { result: checked, attempt } = await checkPassword(
    database,
    { email: caller.email, clientIp: input.clientIp },
    now,
    async (hash) => {
      const [found] = await db
        .select({ passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.id, caller.userId))
        .limit(1);
      return found ? { ok: await verifyPassword(input.currentPassword, found.passwordHash, hash) } : null;
    },
  );
  if (!checked) fail('UNAUTHORIZED', 'Log in to continue.');
  if (!checked.ok) {
    fail('BAD_REQUEST', 'Your current password is not correct.', {
      fields: { currentPassword: 'This is not your current password.' },
    } satisfies FieldProblems);
  }
  await attempt.succeeded();
  if (input.newPassword === input.currentPassword) {
    fail('BAD_REQUEST', 'Choose a new password that differs from the current one.', {
      fields: { newPassword: 'Choose a password that differs from the current one.' },
    } satisfies FieldProblems);
  }
  // Hashing takes ~0.3 s: never inside the transaction (PGlite has one connection).
  const passwordHash = await hashPassword(input.newPassword);
  const keep = input.sessionToken ? hashSessionToken(input.sessionToken) : null;
  const changed = await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, caller.userId));
    // In every organization (through the narrowly granted function): a new password ends them all.
    const ended = await endUserSessions(tx, caller.userId, keep);
    await audit(tx, {
      orgId: caller.orgId,
      actorId: caller.userId,
      action: 'user.password_changed',
      targetType: 'user',
      targetId: caller.userId,
      data: { endedSessions: ended },
      at: now,
    });
    return { endedSessions: ended };
  });
  forgetSessions();
  return changed;
}

/** A temporary password an admin hands over: 16 characters, no look-alikes (0/O, 1/l/I). */
export function temporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  let out = '';
  // 256 is not a multiple of the alphabet's 57 letters; the slight bias costs well under a bit of entropy.
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}`;
}

/**
 * An admin sets (or has generated) a temporary password for a member of their organization; all of that
 * person's sessions end. Refused for the admin themself (they change theirs with the current password)
 * and for an account that also belongs to another organization: its password opens that organization
 * too, which this admin does not run. Audited as `user.password_reset` (never with the password).
 */
export async function resetMemberPassword(
  db: Db,
  caller: Caller & { userId: string },
  input: { userId: string; password?: string | undefined },
  now: Date,
): Promise<{ temporaryPassword: string | null }> {
  if (input.userId === caller.userId) {
    fail('BAD_REQUEST', 'Change your own password from your account menu (it asks for the current one).');
  }
  const [target] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, caller.orgId), eq(memberships.userId, input.userId)))
    .limit(1);
  if (!target) fail('NOT_FOUND', NOT_A_MEMBER);
  // Memberships elsewhere are walled off: counted through the narrowly granted function.
  const [elsewhere] = rowsOf<{ n: number }>(
    await db.execute(
      sql`SELECT stepwise_other_memberships(${input.userId}::uuid, ${caller.orgId}::uuid) AS n`,
    ),
  );
  if (Number(elsewhere?.n ?? 0) > 0) {
    fail(
      'PRECONDITION_FAILED',
      'This person also belongs to another organization, so only they can change their password (from their account menu).',
    );
  }
  const generated = input.password === undefined ? temporaryPassword() : null;
  const passwordHash = await hashPassword(input.password ?? generated ?? '');
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, input.userId));
    const ended = await endUserSessions(tx, input.userId, null);
    await audit(tx, {
      orgId: caller.orgId,
      actorId: caller.userId,
      action: 'user.password_reset',
      targetType: 'user',
      targetId: input.userId,
      data: { generated: generated !== null, endedSessions: ended },
      at: now,
    });
  });
  forgetSessions();
  return { temporaryPassword: generated };
}

/** Ends every session of a person, in every organization, but the one of `keepTokenHash`; how many ended. */
async function endUserSessions(
  tx: { execute: Db['execute'] },
  userId: string,
  keepTokenHash: string | null,
): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await tx.execute(sql`SELECT stepwise_end_user_sessions(${userId}::uuid, ${keepTokenHash}) AS n`),
  );
  return Number(row?.n ?? 0);
}
