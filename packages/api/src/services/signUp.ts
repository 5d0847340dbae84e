import { randomUUID } from 'node:crypto';
import { type Database, withOrg } from '@stepwise/db';
import { audit } from '../audit.ts';
import { checkPassword, inHashLane } from '../auth/rateLimits.ts';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../auth/password.ts';
import { createSession, type SessionClient } from '../auth/sessions.ts';
import { queueMail } from '../mail/outgoingMail.ts';
import { iso, type Query, queryOn } from '../runtime/sql.ts';
import { fail } from '../trpc.ts';
import { findAccountByEmail, type Me } from './accounts.ts';
import { uniqueViolation } from './dbErrors.ts';
import { withLinkOrg } from './linkScope.ts';
import type { FieldProblems } from './passwords.ts';
import { appLink, hashLinkToken, isLinkToken, linkHashOf, newLinkToken } from './secretLinks.ts';

/** A sign-up's confirmation link works this long. */
export const SIGN_UP_TTL_MS = 24 * 60 * 60 * 1000;
/** At most this many confirmation mails go to one address an hour; more requests are answered alike, unsent. */
export const SIGN_UP_MAILS_PER_HOUR = 5;

/** What the confirmation page shows to the holder of the link (it was mailed to the address). */
export type SignUpView = {
  orgName: string;
  name: string;
  email: string;
  /** The address has an account: creating the workspace needs its password. */
  signIn: boolean;
  status: 'pending' | 'expired' | 'used';
};

const LINK_BROKEN =
  'This confirmation link does not work. Check that you opened the whole link, or sign up again.';

const fmt = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A sign-up request. Whatever the address, the caller learns only "check your inbox": the address gets
 * a confirmation link (a new address) or a note that a workspace was asked for with it, with a link to
 * create it after signing in with its existing password. Both cost one password derivation and the same
 * writes; nothing is created and no session opens before the link is used.
 */
export async function requestSignUp(
  db: Database,
  input: { orgName: string; name: string; email: string; password: string },
  context: { now: Date; publicUrl: string; clientIp: string },
): Promise<void> {
  const { now } = context;
  const account = await findAccountByEmail(db.db, input.email);
  // Derived either way, so both answers take the same time; kept only for a new account. Hashed in the
  // client's lane of the queue, so a flood of sign-ups cannot starve anyone's log-in.
  const passwordHash = await inHashLane(context.clientIp, (hash) => hashPassword(input.password, hash));
  const { token, hash } = newLinkToken();
  const link = appLink(context.publicUrl, `/signup/confirm/${token}`);
  const expiresAt = new Date(now.getTime() + SIGN_UP_TTL_MS);
  await db.db.transaction(async (tx) => {
    const query = queryOn(tx);
    const [recent] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sign_up_requests
        WHERE lower(email) = $1 AND created_at > $2::timestamptz - interval '1 hour'`,
      [input.email, now.toISOString()],
    );
    // Someone repeating the form (or using it to flood an inbox): the answer stays the same, no more mail.
    if ((recent?.n ?? 0) >= SIGN_UP_MAILS_PER_HOUR) return;
    await query(
      `INSERT INTO sign_up_requests (email, org_name, name, password_hash, token_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz)`,
      [
        input.email,
        input.orgName,
        input.name,
        account ? null : passwordHash,
        hash,
        now.toISOString(),
        expiresAt.toISOString(),
      ],
    );
    const mail = account
      ? {
          kind: 'sign_up.existing',
          subject: `A new Stepwise workspace was requested with your address`,
          text: [
            'Hello,',
            '',
            `Someone (hopefully you) asked to create the workspace "${input.orgName}" on Stepwise with this address, which already has a Stepwise account.`,
            '',
            `To create it, open this link and sign in with your existing password: ${link}`,
            '',
            'Your name and password stay as they are: the password typed in the sign-up form was not kept.',
            `The link works once, until ${fmt(expiresAt)}. If this was not you, ignore this message: nothing is created without it.`,
          ].join('\n'),
        }
      : {
          kind: 'sign_up.confirm',
          subject: `Confirm your address to create ${input.orgName} on Stepwise`,
          text: [
            `Hello ${input.name},`,
            '',
            `Someone (hopefully you) asked to create the workspace "${input.orgName}" on Stepwise with this address.`,
            '',
            `Confirm it to create the workspace and log in: ${link}`,
            '',
            `The link works once, until ${fmt(expiresAt)}. If this was not you, ignore this message: nothing is created without it.`,
          ].join('\n'),
        };
    await queueMail(query, { orgId: null, to: input.email, ...mail, now });
  });
}

type Found = {
  id: string;
  email: string;
  org_name: string;
  name: string;
  password_hash: string | null;
  expires_at: string;
  used: boolean;
};

async function findByToken(query: Query, token: string): Promise<Found> {
  if (!isLinkToken(token)) fail('NOT_FOUND', LINK_BROKEN);
  const [row] = await query<Found>(
    `SELECT id, email, org_name, name, password_hash, ${iso('expires_at')} AS expires_at,
            used_at IS NOT NULL AS used
       FROM sign_up_requests WHERE token_hash = $1`,
    [hashLinkToken(token)],
  );
  if (!row) fail('NOT_FOUND', LINK_BROKEN);
  return row;
}

function statusOf(row: Found, now: Date): SignUpView['status'] {
  if (row.used) return 'used';
  return Date.parse(row.expires_at) <= now.getTime() ? 'expired' : 'pending';
}

function refuseUnusable(row: Found, now: Date): void {
  const status = statusOf(row, now);
  if (status === 'used')
    fail('PRECONDITION_FAILED', `This link was already used: ${row.org_name} exists. Log in to open it.`, {
      reason: 'used',
    });
  if (status === 'expired')
    fail('PRECONDITION_FAILED', 'This confirmation link has expired. Sign up again to get a new one.', {
      reason: 'expired',
    });
}

/** What a confirmation link leads to; an unknown link is NOT_FOUND. */
export function signUpByToken(db: Database, token: string, now: Date): Promise<SignUpView> {
  // An unconfirmed sign-up belongs to no organization; a used one to the organization it created.
  return withLinkOrg(db, 'sign_up', linkHashOf(token), () => viewByToken(db, token, now));
}

async function viewByToken(db: Database, token: string, now: Date): Promise<SignUpView> {
  const row = await findByToken((text, params) => db.query(text, params), token);
  const account = await findAccountByEmail(db.db, row.email);
  return {
    orgName: row.org_name,
    name: account?.name ?? row.name,
    email: row.email,
    signIn: account !== undefined || row.password_hash === null,
    status: statusOf(row, now),
  };
}

/**
 * Uses a confirmation link: creates the organization with the address as its admin and logs in. A new
 * address gets its account (the name and password of the sign-up form); an address that has an account
 * must give that account's password (failures count towards its log-in lockout).
 */
export async function confirmSignUp(
  db: Database,
  input: { token: string; password?: string | undefined },
  context: { now: Date; clientIp: string; client?: SessionClient },
): Promise<{ me: Me; sessionToken: string }> {
  const { now } = context;
  const found = await withLinkOrg(db, 'sign_up', linkHashOf(input.token), () =>
    findByToken((text, params) => db.query(text, params), input.token),
  );
  refuseUnusable(found, now);
  const account = await findAccountByEmail(db.db, found.email);
  if (account || found.password_hash === null) {
    const given = input.password ?? '';
    if (given === '') {
      const message = 'Enter the password of your Stepwise account.';
      fail('BAD_REQUEST', message, { fields: { password: message } } satisfies FieldProblems);
    }
    // Counted against the log-in limits of the address, and hashed in the client's lane of the queue.
    const { result: ok, attempt } = await checkPassword(
      db,
      { email: found.email, clientIp: context.clientIp },
      now,
      async (hash) =>
        account !== undefined
          ? await verifyPassword(given, account.passwordHash, hash)
          : await verifyDummyPassword(given, hash),
    );
    if (!ok) {
      const message = 'This is not the password of your Stepwise account.';
      fail('BAD_REQUEST', message, { fields: { password: message } } satisfies FieldProblems);
    }
    await attempt.succeeded();
  }
  let created: { orgId: string; userId: string };
  // The new organization's id is chosen here: everything from now on acts for it.
  const orgId = randomUUID();
  try {
    created = await withOrg(orgId, () =>
      db.db.transaction(async (tx) => {
        const query = queryOn(tx);
        const org = { id: orgId };
        await query(
          `INSERT INTO organizations (id, name, created_at) VALUES ($1::uuid, $2, $3::timestamptz)`,
          [orgId, found.org_name, now.toISOString()],
        );
        const claimed = await query<{ id: string }>(
          `UPDATE sign_up_requests SET used_at = $2::timestamptz, org_id = $3::uuid
          WHERE id = $1::uuid AND used_at IS NULL AND expires_at > $2::timestamptz RETURNING id`,
          [found.id, now.toISOString(), org.id],
        );
        if (claimed.length === 0) {
          fail(
            'PRECONDITION_FAILED',
            `This link was already used: ${found.org_name} exists. Log in to open it.`,
            {
              reason: 'used',
            },
          );
        }
        let userId = account?.id;
        if (!userId) {
          // Not read back (RETURNING): the policies show an account only to organizations it is a member of.
          userId = randomUUID();
          await query(
            `INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1::uuid, $2, $3, $4, $5::timestamptz)`,
            [userId, found.email, found.name, found.password_hash, now.toISOString()],
          );
        }
        await query(
          `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1::uuid, $2::uuid, 'admin', $3::timestamptz)`,
          [org.id, userId, now.toISOString()],
        );
        await audit(tx, {
          orgId: org.id,
          actorId: userId,
          action: 'organization.created',
          targetType: 'organization',
          targetId: org.id,
          data: { name: found.org_name, adminEmail: found.email, newAccount: account === undefined },
          at: now,
        });
        return { orgId: org.id, userId };
      }),
    );
  } catch (error) {
    // Two confirmations of the same new address at once: the second one is asked for the password.
    if (uniqueViolation(error)?.constraint === 'users_email_key') {
      const message = 'This address has just been given an account. Open the link again and sign in with it.';
      fail('CONFLICT', message);
    }
    throw error;
  }
  const session = await withOrg(created.orgId, () =>
    createSession(db.db, { ...created, now, client: context.client }),
  );
  return {
    me: {
      user: { id: created.userId, name: account?.name ?? found.name, email: account?.email ?? found.email },
      org: { id: created.orgId, name: found.org_name },
      role: 'admin',
    },
    sessionToken: session.token,
  };
}
