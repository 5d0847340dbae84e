import type { Database } from '@stepwise/db';

/** A message of the outgoing-mail outbox, as the tests read it. */
export type OutboxMail = {
  id: string;
  org_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
};

/** Every message queued to `address` (oldest first), of `kind` when given. */
export async function mailsTo(db: Database, address: string, kind?: string): Promise<OutboxMail[]> {
  return db.query<OutboxMail>(
    `SELECT id, org_id, kind, to_address, subject, body, status FROM outgoing_mail
      WHERE lower(to_address) = lower($1) AND ($2::text IS NULL OR kind = $2::text)
      ORDER BY created_at, id`,
    [address, kind ?? null],
  );
}

/** The newest message to `address` (of `kind`); fails the test when there is none. */
export async function lastMailTo(db: Database, address: string, kind?: string): Promise<OutboxMail> {
  const mails = await mailsTo(db, address, kind);
  const last = mails.at(-1);
  if (!last) throw new Error(`no ${kind ?? ''} mail to ${address} in the outbox`);
  return last;
}

/** The one absolute link a message carries. */
export function linkIn(mail: OutboxMail): string {
  const links = mail.body.match(/https?:\/\/\S+/g) ?? [];
  if (links.length !== 1) throw new Error(`expected one link in "${mail.subject}", found ${links.length}`);
  return links[0] as string;
}

/** The token at the end of an invitation or confirmation link. */
export function tokenOf(link: string): string {
  const token = new URL(link).pathname.split('/').at(-1);
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** The token of the newest link mailed to `address` (of `kind`). */
export async function mailedToken(db: Database, address: string, kind?: string): Promise<string> {
  return tokenOf(linkIn(await lastMailTo(db, address, kind)));
}
