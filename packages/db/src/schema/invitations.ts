import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations, ROLES, users } from './organizations.ts';

/**
 * An admin's invitation of an email address to the organization, with the role (and teams) it joins
 * with. The link's token is the invitee's secret: only its SHA-256 is kept. Open = neither accepted nor
 * revoked (an open one may have expired); an organization has at most one open invitation per address.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    /** Lower-cased, as typed by the admin. */
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** Teams of the organization the invitee joins on acceptance. */
    teamIds: jsonb('team_ids').$type<string[]>().notNull().default([]),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Moved on when the invitation is sent again (with a new token). */
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: uuid('accepted_by').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    // Accepting finds the invitation by its link's hash alone (the plain index); unique per organization.
    uniqueIndex('invitations_token_hash_key').on(t.orgId, t.tokenHash),
    index('invitations_token_hash_idx').on(t.tokenHash),
    uniqueIndex('invitations_open_email_key')
      .on(t.orgId, sql`lower(${t.email})`)
      .where(sql`${t.acceptedAt} IS NULL AND ${t.revokedAt} IS NULL`),
  ],
);

/**
 * A sign-up waiting for its email to be confirmed. The password is kept only as its hash, and only when
 * the address had no account when asked (an existing account signs in with its own password instead).
 */
export const signUpRequests = pgTable(
  'sign_up_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    orgName: text('org_name').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    /** The organization the confirmation created. */
    orgId: uuid('org_id').references(() => organizations.id),
  },
  (t) => [
    uniqueIndex('sign_up_requests_token_hash_key').on(t.tokenHash),
    index('sign_up_requests_email_idx').on(sql`lower(${t.email})`, t.createdAt),
  ],
);

/**
 * The outgoing-mail outbox: a message is written in the same transaction as what it announces, and a
 * server's background loop sends it (by SMTP when configured, else into the server log). `org_id` is
 * null for a sign-up's confirmation (no organization exists yet).
 */
export const outgoingMail = pgTable(
  'outgoing_mail',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').references(() => organizations.id),
    /** What the message is for: `invitation`, `sign_up.confirm`, `sign_up.existing`. */
    kind: text('kind').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outgoing_mail_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('outgoing_mail_org_idx').on(t.orgId),
  ],
);
