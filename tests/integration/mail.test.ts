import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { deliverDueMail, type MailMessage } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../apps/server/src/logger.ts';
import { logSender, mailFromOf, parseSmtpUrl, smtpSender } from '../../apps/server/src/mailer.ts';
import { startServer } from '../../apps/server/src/server.ts';
import { apiHarness, type TestUser } from '../support/apiSession.ts';
import { lastMailTo, linkIn } from '../support/outbox.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe('mail settings', () => {
  it('given SMTP_URL and MAIL_FROM values, when parsed, then good ones pass and bad ones are refused by name', () => {
    expect(parseSmtpUrl(undefined)).toBeUndefined();
    expect(parseSmtpUrl('  ')).toBeUndefined();
    expect(parseSmtpUrl('smtp://user:pw@mail.example.com:587')).toBe('smtp://user:pw@mail.example.com:587');
    expect(parseSmtpUrl('smtps://mail.example.com')).toBe('smtps://mail.example.com');
    expect(() => parseSmtpUrl('mail.example.com')).toThrow(/^SMTP_URL must .*not a URL/);
    expect(() => parseSmtpUrl('https://mail.example.com')).toThrow(
      /^SMTP_URL must .*smtp:\/\/ or smtps:\/\//,
    );
    expect(mailFromOf(undefined, 'https://help.example.com/support')).toBe(
      'Stepwise <no-reply@help.example.com>',
    );
    expect(mailFromOf('Acme <support@acme.example>', undefined)).toBe('Acme <support@acme.example>');
    expect(() => mailFromOf('not an address', undefined)).toThrow(/^MAIL_FROM must be an address/);
  });

  it('given a mail server, when the SMTP sender hands a message over, then the server receives it from MAIL_FROM with its link', async () => {
    // given: a minimal SMTP server that records what it is sent
    const received: string[] = [];
    const smtp = createServer((socket: Socket) => {
      let data = false;
      let body = '';
      socket.write('220 test ESMTP\r\n');
      socket.on('data', (chunk) => {
        for (const line of chunk.toString('utf8').split('\r\n')) {
          if (data) {
            if (line === '.') {
              data = false;
              received.push(body);
              socket.write('250 queued\r\n');
            } else body += `${line}\n`;
            continue;
          }
          if (line === '') continue;
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO') socket.write('250 test\r\n');
          else if (verb === 'DATA') {
            data = true;
            socket.write('354 go on\r\n');
          } else if (verb === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.address() as AddressInfo).port;
    const send = smtpSender(`smtp://127.0.0.1:${port}?ignoreTLS=true`, 'Acme <support@acme.example>');
    try {
      // when
      await send({
        id: 'm1',
        kind: 'invitation',
        to: 'nina@example.test',
        subject: 'Hana invited you to Acme on Stepwise',
        text: 'Accept the invitation: https://help.example/invite/abc',
      });
      // then
      expect(received).toHaveLength(1);
      expect(received[0]).toMatch(/^From: Acme <support@acme\.example>$/m);
      expect(received[0]).toMatch(/^To: nina@example\.test$/m);
      expect(received[0]).toMatch(/^Subject: Hana invited you to Acme on Stepwise$/m);
      expect(received[0]).toContain('https://help.example/invite/abc');
    } finally {
      send.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});

describe.each(backends())('outgoing mail (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let admin: TestUser;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    admin = await h.signUp('Mail Org');
    // the sign-up's own confirmation is not what these tests send
    await db.query(`UPDATE outgoing_mail SET status = 'sent'`);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given queued invitations, when the outbox is delivered twice, then each message is sent once and marked sent', async () => {
    // given
    const api = await h.as(admin);
    const to = [h.email('one'), h.email('two')];
    for (const email of to) await api.invitations.create({ email, role: 'agent' });
    const sent: MailMessage[] = [];
    // when
    const first = await deliverDueMail(db, new Date(), { send: async (m) => void sent.push(m) });
    const second = await deliverDueMail(db, new Date(), { send: async (m) => void sent.push(m) });
    // then
    expect([first, second]).toEqual([2, 0]);
    expect(sent.map((m) => m.to).sort()).toEqual([...to].sort());
    expect(sent.every((m) => m.kind === 'invitation' && /\/invite\//.test(m.text))).toBe(true);
    for (const email of to) expect((await lastMailTo(db, email)).status).toBe('sent');
  });

  it('given a sender that fails, when the outbox is delivered, then the message waits 30 s and more before each retry and is failed after 6 attempts', async () => {
    // given
    const email = h.email('bounce');
    await (await h.as(admin)).invitations.create({ email, role: 'agent' });
    const failing = async () => {
      throw new Error('550 mailbox unavailable');
    };
    let at = Date.now() + 1000;
    // when / then: a retry is due only after its delay
    expect(await deliverDueMail(db, new Date(at), { send: failing })).toBe(1);
    expect(await lastMailTo(db, email)).toMatchObject({ status: 'pending' });
    expect(await deliverDueMail(db, new Date(at + 29_000), { send: failing })).toBe(0);
    for (const delay of [30_000, 120_000, 600_000, 3_600_000, 21_600_000]) {
      at += delay + 1000;
      expect(await deliverDueMail(db, new Date(at), { send: failing })).toBe(1);
    }
    const [row] = await db.query<{ status: string; attempts: number; last_error: string }>(
      'SELECT status, attempts, last_error FROM outgoing_mail WHERE to_address = $1',
      [email],
    );
    expect(row).toEqual({ status: 'failed', attempts: 6, last_error: '550 mailbox unavailable' });
  });

  it('given a server without SMTP_URL, when an admin invites someone, then the message and its link are written to the server log', async () => {
    // given
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    const server = await startServer({
      db,
      port: 0,
      logger,
      pollMs: 50,
      publicUrl: 'https://help.mail.example',
    });
    try {
      const email = h.email('logged');
      // when
      await (await h.as(admin)).invitations.create({ email, role: 'manager' });
      const started = Date.now();
      let logged: Record<string, unknown> | undefined;
      while (!logged && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        logged = lines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.event === 'mail.logged' && l.to === email);
      }
      // then (the message is recorded as sent once it is out: just after its log line)
      let mail = await lastMailTo(db, email);
      while (mail.status !== 'sent' && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        mail = await lastMailTo(db, email);
      }
      expect(logged).toMatchObject({ level: 'info', kind: 'invitation', link: linkIn(mail) });
      expect(String(logged?.note)).toMatch(/SMTP_URL is not set/);
      expect(mail.status).toBe('sent');
    } finally {
      await server.close();
    }
  });

  it('given the log sender, when it sends, then one JSON line names the recipient and the link', async () => {
    const lines: string[] = [];
    await logSender(createLogger({ write: (line) => lines.push(line) }))({
      id: 'm',
      kind: 'sign_up.confirm',
      to: 'ada@example.test',
      subject: 'Confirm',
      text: 'Confirm it: https://help.example/signup/confirm/xyz\nThanks',
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      event: 'mail.logged',
      to: 'ada@example.test',
      link: 'https://help.example/signup/confirm/xyz',
    });
  });
});
