import type { MailMessage, SendMail } from '@stepwise/api';
import { createTransport } from 'nodemailer';
import type { Logger } from './logger.ts';

/**
 * `SMTP_URL`: where outgoing mail (invitations, sign-up confirmations) is handed over, as
 * `smtp://user:password@host:587` (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the
 * start); user and password are optional. Unset: no mail is sent and each message, with its link, is
 * written to the server log instead. Returned unchanged when valid; a bad value stops the process.
 */
export function parseSmtpUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const given = value.trim();
  const problem = (why: string) =>
    new Error(`SMTP_URL must look like smtp://user:password@mail.example.com:587 — ${why}.`);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw problem('it is not a URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw problem('it must start with smtp:// or smtps://');
  if (url.hostname === '') throw problem('it names no host');
  return given;
}

/**
 * `MAIL_FROM`: the sender of outgoing mail, like `Stepwise <support@example.com>`. Unset: `Stepwise
 * <no-reply@host of PUBLIC_URL>`.
 */
export function mailFromOf(value: string | undefined, publicUrl: string | undefined): string {
  if (value !== undefined && value.trim() !== '') {
    const given = value.trim();
    if (!/^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(given))
      throw new Error(
        `MAIL_FROM must be an address like support@example.com or "Stepwise <support@example.com>" (got "${given}").`,
      );
    return given;
  }
  const host = publicUrl ? new URL(publicUrl).hostname : 'localhost';
  return `Stepwise <no-reply@${host}>`;
}

/** Hands each message to the SMTP server of `smtpUrl` (one pooled connection, reused between messages). */
export function smtpSender(smtpUrl: string, from: string): SendMail & { close(): void } {
  const transport = createTransport(smtpUrl, { pool: true, maxConnections: 1 } as never);
  const send = async (message: MailMessage) => {
    await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
  };
  return Object.assign(send, { close: () => transport.close() });
}

/**
 * Without SMTP: writes each message, with the link it carries, to the server log, so whoever runs the
 * server can pass the link on (the admin who invites someone also sees it in the app).
 */
export function logSender(logger: Logger): SendMail {
  return async (message) => {
    logger.info('mail.logged', {
      note: 'SMTP_URL is not set: this message was not sent. Pass its link on to the recipient.',
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      link: /https?:\/\/\S+/.exec(message.text)?.[0] ?? null,
      text: message.text,
    });
  };
}
