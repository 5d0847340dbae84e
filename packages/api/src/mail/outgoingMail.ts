import { type Database, withOrg } from '@stepwise/db';
import type { Query } from '../runtime/sql.ts';

/** One plain-text message, as a sender receives it. */
export type MailMessage = { id: string; kind: string; to: string; subject: string; text: string };

/** Sends one message (SMTP, the server log…); rejects when it could not be handed over. */
export type SendMail = (message: MailMessage) => Promise<void>;

/** Waits before attempts 2…6 (then the message is failed): 30 s, 2 min, 10 min, 1 h, 6 h. */
export const MAIL_RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000, 21_600_000] as const;
/** A message being sent is leased this long (a crashed server's attempt is retried after it). */
const LEASE_MS = 120_000;

/**
 * Queues a message in the outbox. Call it with the transaction that makes what the message announces,
 * so both land or neither; a server's background loop sends it after the commit.
 */
export async function queueMail(
  query: Query,
  message: { orgId: string | null; kind: string; to: string; subject: string; text: string; now: Date },
): Promise<void> {
  await query(
    `INSERT INTO outgoing_mail (org_id, kind, to_address, subject, body, created_at, next_attempt_at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6::timestamptz, $6::timestamptz)`,
    [message.orgId, message.kind, message.to, message.subject, message.text, message.now.toISOString()],
  );
}

type Claimed = {
  id: string;
  kind: string;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
};

/**
 * One round: leases up to `batch` due messages (`FOR UPDATE SKIP LOCKED`: servers take disjoint ones and
 * no transaction stays open while sending), hands each to `send`, then records the outcome. A message
 * that fails is tried again later, up to 6 attempts. Returns how many were attempted.
 */
export async function deliverDueMail(
  db: Database,
  now: Date,
  options: { send: SendMail; batch?: number; onError?: (error: unknown) => void },
): Promise<number> {
  const nowIso = now.toISOString();
  // Messages of every organization and of none (a sign-up's), leased and settled through the narrowly
  // granted functions.
  const claimed = await withOrg(null, () =>
    db.query<Claimed>(
      `SELECT id, kind, to_address, subject, body, attempts
         FROM stepwise_lease_mail($1::timestamptz, $2::int, $3::int)`,
      [nowIso, options.batch ?? 20, LEASE_MS],
    ),
  );
  for (const mail of claimed) await attempt(db, mail, now, options);
  return claimed.length;
}

async function attempt(
  db: Database,
  mail: Claimed,
  now: Date,
  options: { send: SendMail; onError?: (error: unknown) => void },
): Promise<void> {
  let error: string | null = null;
  try {
    await options.send({
      id: mail.id,
      kind: mail.kind,
      to: mail.to_address,
      subject: mail.subject,
      text: mail.body,
    });
  } catch (cause) {
    error = (cause instanceof Error ? cause.message : String(cause)).slice(0, 500);
  }
  try {
    if (error === null) {
      await withOrg(null, () =>
        db.query(`SELECT stepwise_settle_mail($1::uuid, 'sent', $2::timestamptz, NULL, NULL)`, [
          mail.id,
          now.toISOString(),
        ]),
      );
    } else {
      const delay = MAIL_RETRY_DELAYS_MS[mail.attempts - 1];
      await withOrg(null, () =>
        db.query(`SELECT stepwise_settle_mail($1::uuid, $2, NULL, $3::timestamptz, $4)`, [
          mail.id,
          delay === undefined ? 'failed' : 'pending',
          new Date(now.getTime() + (delay ?? 0)).toISOString(),
          error,
        ]),
      );
    }
  } catch (cause) {
    // The lease runs out and the message is tried again: at least once.
    options.onError?.(cause);
  }
}
