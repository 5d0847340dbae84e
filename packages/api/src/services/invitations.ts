import { randomUUID } from 'node:crypto';
import type { Database, Role } from '@stepwise/db';
import { audit } from '../audit.ts';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../auth/password.ts';
import { checkPassword } from '../auth/rateLimits.ts';
import { createSession, type SessionClient } from '../auth/sessions.ts';
import { queueMail } from '../mail/outgoingMail.ts';
import { iso, type Query, queryOn } from '../runtime/sql.ts';
import { type Caller, fail } from '../trpc.ts';
import { findAccountByEmail, type Me } from './accounts.ts';
import { uniqueViolation } from './dbErrors.ts';
import { withLinkOrg } from './linkScope.ts';
import type { FieldProblems } from './passwords.ts';
import { appLink, hashLinkToken, isLinkToken, linkHashOf, newLinkToken } from './secretLinks.ts';

/** An invitation link works this long after it was (last) sent. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** An open invitation as the organization's admins see it (never its token). */
export type InvitationRow = {
  id: string;
  email: string;
  role: Role;
  teamIds: string[];
  invitedByName: string | null;
  sentAt: string;
  expiresAt: string;
  expired: boolean;
};

/** What the invitation page shows to whoever holds the link. It says nothing about any account. */
export type InvitationView = {
  orgName: string;
  email: string;
  role: Role;
  status: 'pending' | 'expired' | 'revoked' | 'accepted';
  expiresAt: string;
};

export type AcceptInput =
  | { token: string; account: 'new'; name: string; password: string }
  | { token: string; account: 'existing'; password: string };

const NOT_FOUND = 'This invitation does not exist in your organization.';
const LINK_BROKEN =
  'This invitation link does not work. Check that you opened the whole link, or ask an admin for a new invitation.';

const ROW_COLUMNS = `i.id, i.email, i.role, i.team_ids AS "teamIds", u.name AS "invitedByName",
  ${iso('i.sent_at')} AS "sentAt", ${iso('i.expires_at')} AS "expiresAt"`;

type RawRow = Omit<InvitationRow, 'expired'>;

function withExpiry(row: RawRow, now: Date): InvitationRow {
  return { ...row, teamIds: row.teamIds ?? [], expired: Date.parse(row.expiresAt) <= now.getTime() };
}

/** The organization's open invitations (not accepted, not revoked), newest first; expired ones say so. */
export async function listInvitations(db: Database, orgId: string, now: Date): Promise<InvitationRow[]> {
  const rows = await db.query<RawRow>(
    `SELECT ${ROW_COLUMNS} FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
      WHERE i.org_id = $1::uuid AND i.accepted_at IS NULL AND i.revoked_at IS NULL
      ORDER BY i.sent_at DESC, i.id`,
    [orgId],
  );
  return rows.map((r) => withExpiry(r, now));
}

async function rowOf(query: Query, orgId: string, id: string, now: Date): Promise<InvitationRow> {
  const [row] = await query<RawRow>(
    `SELECT ${ROW_COLUMNS} FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
      WHERE i.org_id = $1::uuid AND i.id = $2::uuid`,
    [orgId, id],
  );
  if (!row) throw new Error('the invitation just written is missing');
  return withExpiry(row, now);
}

const ARTICLE: Record<Role, string> = { admin: 'an admin', manager: 'a manager', agent: 'an agent' };

/**
 * The invitation mail. It reads the same whether or not the address has an account: the page it links
 * to offers both ways in (sign in with an existing password, or choose a name and a password).
 */
function invitationMail(args: {
  inviter: string;
  orgName: string;
  role: Role;
  link: string;
  expiresAt: Date;
}) {
  return {
    subject: `${args.inviter} invited you to ${args.orgName} on Stepwise`,
    text: [
      'Hello,',
      '',
      `${args.inviter} invited you to join ${args.orgName} on Stepwise as ${ARTICLE[args.role]}.`,
      '',
      `Accept the invitation: ${args.link}`,
      '',
      'If you already use Stepwise with this address, sign in there with your password; if not, choose your name and a password.',
      `The link works once, until ${args.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      '',
      'If you did not expect this invitation, ignore this message: nothing happens without it.',
    ].join('\n'),
  };
}

async function orgNameOf(query: Query, orgId: string): Promise<string> {
  const [org] = await query<{ name: string }>(`SELECT name FROM organizations WHERE id = $1::uuid`, [orgId]);
  return org?.name ?? 'your organization';
}

/**
 * Invites an address with a role (and teams). The answer is the same for any address: no account is
 * looked up, only this organization's members (an admin sees those anyway). An open invitation of the
 * same address is replaced (its link stops working). The mail is queued in the same transaction.
 */
export async function createInvitation(
  db: Database,
  caller: Caller & { userId: string },
  input: { email: string; role: Role; teamIds: string[] },
  context: { now: Date; publicUrl: string },
): Promise<{ invitation: InvitationRow; link: string }> {
  const { orgId } = caller;
  const { now } = context;
  const teamIds = [...new Set(input.teamIds)].sort();
  if (teamIds.length > 0) {
    const found = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM teams WHERE org_id = $1::uuid AND id = ANY($2::uuid[])`,
      [orgId, teamIds],
    );
    if ((found[0]?.n ?? 0) !== teamIds.length)
      fail('NOT_FOUND', 'A chosen team does not exist in your organization.');
  }
  const [member] = await db.query<{ one: number }>(
    `SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.org_id = $1::uuid AND lower(u.email) = $2`,
    [orgId, input.email],
  );
  if (member) fail('CONFLICT', `${input.email} is already a member of this organization.`);
  const { token, hash } = newLinkToken();
  const link = appLink(context.publicUrl, `/invite/${token}`);
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  try {
    return await db.db.transaction(async (tx) => {
      const query = queryOn(tx);
      // An open invitation of the same address is replaced: only the newest link works.
      const replaced = await query<{ id: string }>(
        `UPDATE invitations SET revoked_at = $3::timestamptz
          WHERE org_id = $1::uuid AND lower(email) = $2 AND accepted_at IS NULL AND revoked_at IS NULL
          RETURNING id`,
        [orgId, input.email, now.toISOString()],
      );
      const [created] = await query<{ id: string }>(
        `INSERT INTO invitations (org_id, email, role, team_ids, token_hash, invited_by, created_at, sent_at, expires_at)
         VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $6::uuid, $7::timestamptz, $7::timestamptz, $8::timestamptz)
         RETURNING id`,
        [
          orgId,
          input.email,
          input.role,
          JSON.stringify(teamIds),
          hash,
          caller.userId,
          now.toISOString(),
          expiresAt.toISOString(),
        ],
      );
      if (!created) throw new Error('INSERT … RETURNING returned no row');
      const mail = invitationMail({
        inviter: caller.name,
        orgName: await orgNameOf(query, orgId),
        role: input.role,
        link,
        expiresAt,
      });
      await queueMail(query, { orgId, kind: 'invitation', to: input.email, ...mail, now });
      await audit(tx, {
        orgId,
        actorId: caller.userId,
        action: 'invitation.created',
        targetType: 'invitation',
        targetId: created.id,
        data: {
          email: input.email,
          role: input.role,
          teamIds,
          ...(replaced[0] ? { replaced: replaced[0].id } : {}),
        },
        at: now,
      });
      return { invitation: await rowOf(query, orgId, created.id, now), link };
    });
  } catch (error) {
    if (uniqueViolation(error)?.constraint === 'invitations_open_email_key')
      fail('CONFLICT', `${input.email} was invited at the same moment by someone else. Refresh the list.`);
    throw error;
  }
}

type Locked = { id: string; email: string; role: Role; accepted: boolean; revoked: boolean };

async function lockInvitation(query: Query, orgId: string, id: string): Promise<Locked> {
  const [row] = await query<Locked>(
    `SELECT id, email, role, accepted_at IS NOT NULL AS accepted, revoked_at IS NOT NULL AS revoked
       FROM invitations WHERE org_id = $1::uuid AND id = $2::uuid FOR UPDATE`,
    [orgId, id],
  );
  if (!row) fail('NOT_FOUND', NOT_FOUND);
  return row;
}

/** Sends an open invitation again with a new link (the old one stops working) and a new expiry. */
export async function resendInvitation(
  db: Database,
  caller: Caller & { userId: string },
  invitationId: string,
  context: { now: Date; publicUrl: string },
): Promise<{ invitation: InvitationRow; link: string }> {
  const { orgId } = caller;
  const { now } = context;
  const { token, hash } = newLinkToken();
  const link = appLink(context.publicUrl, `/invite/${token}`);
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  return db.db.transaction(async (tx) => {
    const query = queryOn(tx);
    const invitation = await lockInvitation(query, orgId, invitationId);
    if (invitation.accepted)
      fail('PRECONDITION_FAILED', `${invitation.email} has already accepted this invitation.`);
    if (invitation.revoked)
      fail('PRECONDITION_FAILED', 'This invitation was revoked. Invite the address again to send a new one.');
    await query(
      `UPDATE invitations SET token_hash = $2, sent_at = $3::timestamptz, expires_at = $4::timestamptz
        WHERE org_id = $5::uuid AND id = $1::uuid`,
      [invitation.id, hash, now.toISOString(), expiresAt.toISOString(), orgId],
    );
    const mail = invitationMail({
      inviter: caller.name,
      orgName: await orgNameOf(query, orgId),
      role: invitation.role,
      link,
      expiresAt,
    });
    await queueMail(query, { orgId, kind: 'invitation', to: invitation.email, ...mail, now });
    await audit(tx, {
      orgId,
      actorId: caller.userId,
      action: 'invitation.resent',
      targetType: 'invitation',
      targetId: invitation.id,
      data: { email: invitation.email },
      at: now,
    });
    return { invitation: await rowOf(query, orgId, invitation.id, now), link };
  });
}

/** Withdraws an open invitation: its link stops working at once. Revoking twice changes nothing. */
export async function revokeInvitation(
  db: Database,
  caller: Caller & { userId: string },
  invitationId: string,
  now: Date,
): Promise<{ id: string; email: string }> {
  const { orgId } = caller;
  return db.db.transaction(async (tx) => {
    const query = queryOn(tx);
    const invitation = await lockInvitation(query, orgId, invitationId);
    if (invitation.accepted)
      fail(
        'PRECONDITION_FAILED',
        `${invitation.email} has already accepted this invitation; disable the user instead.`,
      );
    if (invitation.revoked) return { id: invitation.id, email: invitation.email };
    await query(
      `UPDATE invitations SET revoked_at = $2::timestamptz WHERE org_id = $3::uuid AND id = $1::uuid`,
      [invitation.id, now.toISOString(), orgId],
    );
    await audit(tx, {
      orgId,
      actorId: caller.userId,
      action: 'invitation.revoked',
      targetType: 'invitation',
      targetId: invitation.id,
      data: { email: invitation.email },
      at: now,
    });
    return { id: invitation.id, email: invitation.email };
  });
}

type Found = {
  id: string;
  org_id: string;
  org_name: string;
  email: string;
  role: Role;
  team_ids: string[] | null;
  expires_at: string;
  accepted: boolean;
  revoked: boolean;
};

async function findByToken(query: Query, token: string): Promise<Found> {
  if (!isLinkToken(token)) fail('NOT_FOUND', LINK_BROKEN);
  const [row] = await query<Found>(
    `SELECT i.id, i.org_id, o.name AS org_name, i.email, i.role, i.team_ids, ${iso('i.expires_at')} AS expires_at,
            i.accepted_at IS NOT NULL AS accepted, i.revoked_at IS NOT NULL AS revoked
       FROM invitations i JOIN organizations o ON o.id = i.org_id
      WHERE i.token_hash = $1`,
    [hashLinkToken(token)],
  );
  if (!row) fail('NOT_FOUND', LINK_BROKEN);
  return row;
}

function statusOf(row: Found, now: Date): InvitationView['status'] {
  if (row.accepted) return 'accepted';
  if (row.revoked) return 'revoked';
  return Date.parse(row.expires_at) <= now.getTime() ? 'expired' : 'pending';
}

/** The refusal of a link that can no longer be used, in words that say what to do. */
function refuseUnusable(row: Found, now: Date): void {
  const status = statusOf(row, now);
  if (status === 'accepted')
    fail('PRECONDITION_FAILED', `This invitation has already been used. Log in to open ${row.org_name}.`, {
      reason: 'accepted',
    });
  if (status === 'revoked')
    fail(
      'PRECONDITION_FAILED',
      `This invitation was withdrawn by an admin of ${row.org_name}. Ask them for a new one if you still need it.`,
      { reason: 'revoked' },
    );
  if (status === 'expired')
    fail(
      'PRECONDITION_FAILED',
      `This invitation expired on ${row.expires_at.slice(0, 10)}. Ask an admin of ${row.org_name} to send it again.`,
      { reason: 'expired' },
    );
}

/** What an invitation link leads to (for its page); an unknown link is NOT_FOUND. */
export function invitationByToken(db: Database, token: string, now: Date): Promise<InvitationView> {
  return withLinkOrg(db, 'invitation', linkHashOf(token), () => viewByToken(db, token, now));
}

async function viewByToken(db: Database, token: string, now: Date): Promise<InvitationView> {
  const row = await findByToken((text, params) => db.query(text, params), token);
  return {
    orgName: row.org_name,
    email: row.email,
    role: row.role,
    status: statusOf(row, now),
    expiresAt: row.expires_at,
  };
}

const EXISTING_ACCOUNT =
  'This address already has a Stepwise account. Choose “I already use Stepwise” and sign in with its password.';

/**
 * Accepts an invitation: a new person creates their account (name and password), an existing account
 * signs in with its one password; either becomes a member (with the invitation's role and teams) only
 * now, and gets a session in the organization. The link works once: the claim is a conditional update.
 */
export function acceptInvitation(
  db: Database,
  input: AcceptInput,
  context: { now: Date; clientIp: string; client?: SessionClient },
): Promise<{ me: Me; sessionToken: string }> {
  // The link names the organization all of this acts for.
  return withLinkOrg(db, 'invitation', linkHashOf(input.token), () => accept(db, input, context));
}

async function accept(
  db: Database,
  input: AcceptInput,
  context: { now: Date; clientIp: string; client?: SessionClient },
): Promise<{ me: Me; sessionToken: string }> {
  const { now } = context;
  const found = await findByToken((text, params) => db.query(text, params), input.token);
  refuseUnusable(found, now);
  let userId: string;
  let name: string;
  let email: string;
  let passwordHash: string | null = null;
  if (input.account === 'existing') {
    // Counted against the log-in limits of the address, and hashed in the client's lane of the queue.
    const { result: checked, attempt } = await checkPassword(
      db,
      { email: found.email, clientIp: context.clientIp },
      now,
      async (hash) => {
        const account = await findAccountByEmail(db.db, found.email);
        const ok = account
          ? await verifyPassword(input.password, account.passwordHash, hash)
          : await verifyDummyPassword(input.password, hash);
        return { account, ok };
      },
    );
    const { account } = checked;
    if (!account || !checked.ok) {
      const message = `This password does not open a Stepwise account for ${found.email}.`;
      fail('BAD_REQUEST', message, { fields: { password: message } } satisfies FieldProblems);
    }
    await attempt.succeeded();
    ({ id: userId, name, email } = account);
  } else {
    // The same derivation whether or not the address has an account.
    passwordHash = await hashPassword(input.password);
    if (await findAccountByEmail(db.db, found.email))
      fail('BAD_REQUEST', EXISTING_ACCOUNT, {
        fields: { account: EXISTING_ACCOUNT },
      } satisfies FieldProblems);
    userId = '';
    name = input.name;
    email = found.email;
  }
  try {
    userId = await db.db.transaction(async (tx) => {
      const query = queryOn(tx);
      const claimed = await query<{ id: string }>(
        `UPDATE invitations SET accepted_at = $2::timestamptz
          WHERE org_id = $3::uuid AND id = $1::uuid AND accepted_at IS NULL AND revoked_at IS NULL
            AND expires_at > $2::timestamptz
          RETURNING id`,
        [found.id, now.toISOString(), found.org_id],
      );
      if (claimed.length === 0) {
        // Used, revoked or expired between the check above and now.
        const [again] = await query<Found>(
          `SELECT i.id, i.org_id, o.name AS org_name, i.email, i.role, i.team_ids,
                  ${iso('i.expires_at')} AS expires_at,
                  i.accepted_at IS NOT NULL AS accepted, i.revoked_at IS NOT NULL AS revoked
             FROM invitations i JOIN organizations o ON o.id = i.org_id WHERE i.org_id = $2::uuid AND i.id = $1::uuid`,
          [found.id, found.org_id],
        );
        if (again) refuseUnusable(again, now);
        fail('NOT_FOUND', LINK_BROKEN);
      }
      let id = userId;
      if (passwordHash !== null) {
        // The id is chosen here: the new account is not yet a member, so the policies would not let the
        // statement read its row back (RETURNING).
        id = randomUUID();
        await query(
          `INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1::uuid, $2, $3, $4, $5::timestamptz)`,
          [id, email, name, passwordHash, now.toISOString()],
        );
      }
      const added = await query<{ user_id: string }>(
        `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz)
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [found.org_id, id, found.role, now.toISOString()],
      );
      if (added.length === 0)
        fail('CONFLICT', `You are already a member of ${found.org_name}. Log in to open it.`);
      // Teams deleted since the invitation are left out.
      await query(
        `INSERT INTO team_members (org_id, team_id, user_id)
         SELECT $1::uuid, t.id, $2::uuid FROM teams t
          WHERE t.org_id = $1::uuid AND t.id::text IN (SELECT jsonb_array_elements_text($3::jsonb))
         ON CONFLICT DO NOTHING`,
        [found.org_id, id, JSON.stringify(found.team_ids ?? [])],
      );
      await audit(tx, {
        orgId: found.org_id,
        actorId: id,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: found.id,
        data: { email, role: found.role, userId: id, newAccount: passwordHash !== null },
        at: now,
      });
      return id;
    });
  } catch (error) {
    // The same new address accepted in two windows at once: the second one signs in instead.
    if (uniqueViolation(error)?.constraint === 'users_email_key')
      fail('BAD_REQUEST', EXISTING_ACCOUNT, {
        fields: { account: EXISTING_ACCOUNT },
      } satisfies FieldProblems);
    throw error;
  }
  const session = await createSession(db.db, { orgId: found.org_id, userId, now, client: context.client });
  return {
    me: {
      user: { id: userId, name, email },
      org: { id: found.org_id, name: found.org_name },
      role: found.role,
    },
    sessionToken: session.token,
  };
}
