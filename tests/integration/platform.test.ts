import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHistoryOf, demoModeOf, parsePublicUrl, prepareDemo } from '../../apps/server/src/config.ts';
import { errorsOnlyLogger } from '../../apps/server/src/logger.ts';
import { startServer } from '../../apps/server/src/server.ts';
import { childDocument, tourDocument } from '../support/runtimeDocs.ts';
import { apiAs, createRuntimeOrg, fakeClock, publishFlow, ticketInput } from '../support/runtimeFixture.ts';
import { apiHarness, detailsOf, PASSWORD, trpcError } from '../support/apiSession.ts';
import { lastMailTo, linkIn, mailedToken, tokenOf } from '../support/outbox.ts';
import { spawnServer } from '../support/serverProcess.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe('server settings', () => {
  it('given PUBLIC_URL values, when parsed, then a trailing slash is dropped and a bad value is refused by name', () => {
    // given / when / then
    expect(parsePublicUrl(undefined)).toBeUndefined();
    expect(parsePublicUrl('  ')).toBeUndefined();
    expect(parsePublicUrl('https://support.example.com/')).toBe('https://support.example.com');
    expect(parsePublicUrl('https://support.example.com')).toBe('https://support.example.com');
    expect(parsePublicUrl('http://example.com:8080/stepwise//')).toBe('http://example.com:8080/stepwise');
    expect(() => parsePublicUrl('support.example.com')).toThrow(/^PUBLIC_URL must be .*not an absolute URL/);
    expect(() => parsePublicUrl('ftp://example.com')).toThrow(/^PUBLIC_URL must .*http:\/\/ or https:\/\//);
    expect(() => parsePublicUrl('https://example.com/?a=1')).toThrow(/PUBLIC_URL .*query/);
    expect(() => parsePublicUrl('https://user:pw@example.com')).toThrow(/PUBLIC_URL .*password/);
  });

  it('given the environment, when demo mode is decided, then it is on for PGlite, off for PostgreSQL, and STEPWISE_DEMO overrides both', () => {
    // given / when / then
    expect(demoModeOf({})).toBe(true);
    expect(demoModeOf({ DATABASE_URL: 'postgres://db/x' })).toBe(false);
    expect(demoModeOf({ DATABASE_URL: 'postgres://db/x', STEPWISE_DEMO: '1' })).toBe(true);
    expect(demoModeOf({ STEPWISE_DEMO: '0' })).toBe(false);
    expect(demoModeOf({ DATABASE_URL: '', STEPWISE_DEMO: '' })).toBe(true);
    expect(() => demoModeOf({ STEPWISE_DEMO: 'maybe' })).toThrow(/^STEPWISE_DEMO must be 1 .* or 0/);
  });

  it('given the environment, when the demo history is decided, then it is on unless STEPWISE_DEMO_HISTORY turns it off', () => {
    // given / when / then
    expect(demoHistoryOf({})).toBe(true);
    expect(demoHistoryOf({ STEPWISE_DEMO_HISTORY: '1' })).toBe(true);
    expect(demoHistoryOf({ STEPWISE_DEMO_HISTORY: ' off ' })).toBe(false);
    expect(demoHistoryOf({ STEPWISE_DEMO_HISTORY: '0' })).toBe(false);
    expect(() => demoHistoryOf({ STEPWISE_DEMO_HISTORY: 'some' })).toThrow(
      /^STEPWISE_DEMO_HISTORY must be 1 .* or 0/,
    );
  });

  it('given a bad PUBLIC_URL, when the server process starts, then it stops at once naming the setting', async () => {
    // given / when
    const started = spawnServer('', 30_000, { PUBLIC_URL: 'support.example.com', STEPWISE_DEMO: '0' });
    // then
    await expect(started).rejects.toThrow(/exited with 1[\s\S]*PUBLIC_URL must be the address/);
  });
});

describe.each(backends())('platform: going live without the API (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
  });
  afterAll(async () => {
    await db.dispose();
  });

  const count = async (table: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n ?? 0;

  describe('demo mode', () => {
    it('given demo mode off, when the server prepares an empty database, then no organization is created and the log-in page gets no demo logins', async () => {
      // when
      const seeded = await prepareDemo(db, false, errorsOnlyLogger);
      // then
      expect(seeded).toBe(false);
      expect(await count('organizations')).toBe(0);
      expect(await (await h.as(null)).auth.demoLogins()).toBeNull();
    });

    it('given an organization merely named like the demo, when the log-in page asks, then it gets no demo logins', async () => {
      // given
      await h.signUp('Acme Support', 'admin');
      // when / then
      expect(await (await h.as(null)).auth.demoLogins()).toBeNull();
      await db.query('TRUNCATE organizations, users CASCADE');
    });

    it('given demo mode on, when the server prepares an empty database, then the demo organization exists and the log-in page offers its logins', async () => {
      // when
      const seeded = await prepareDemo(db, true, errorsOnlyLogger);
      // then
      expect(seeded).toBe(true);
      const demo = await (await h.as(null)).auth.demoLogins();
      expect(demo).toEqual({
        orgName: 'Acme Support',
        password: 'stepwise-demo',
        logins: [
          { role: 'admin', email: 'admin@acme.test' },
          { role: 'manager', email: 'manager@acme.test' },
          { role: 'agent', email: 'agent1@acme.test' },
          { role: 'agent', email: 'agent2@acme.test' },
        ],
      });
      // a second start changes nothing
      expect(await prepareDemo(db, true, errorsOnlyLogger)).toBe(false);
      expect(await count('organizations')).toBe(1);
    });

    it('given a demo account whose password was changed, when the log-in page asks, then that login is no longer offered', async () => {
      // given
      const manager = await h.login('manager@acme.test', 'stepwise-demo');
      await (await h.as(manager)).auth.changePassword({
        currentPassword: 'stepwise-demo',
        newPassword: 'a private password now',
      });
      // when
      const demo = await (await h.as(null)).auth.demoLogins();
      // then
      expect(demo?.logins.map((l) => l.email)).toEqual([
        'admin@acme.test',
        'agent1@acme.test',
        'agent2@acme.test',
      ]);
    });

    it('given a demo organization seeded before it was marked, when the server starts in demo mode, then the log-in page offers its logins again', async () => {
      // given
      await db.query(`DELETE FROM audit_log WHERE action = 'demo.seeded'`);
      expect(await (await h.as(null)).auth.demoLogins()).toBeNull();
      // when
      await prepareDemo(db, true, errorsOnlyLogger);
      await prepareDemo(db, true, errorsOnlyLogger);
      // then
      expect((await (await h.as(null)).auth.demoLogins())?.logins).toHaveLength(3);
      const [marks] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'demo.seeded'`,
      );
      expect(marks?.n).toBe(1);
    });
  });

  describe('sign-up', () => {
    it('given a new team, when it signs up and opens the mailed link, then the organization and its admin exist and the admin is logged in', async () => {
      // given
      const cookies: string[] = [];
      const email = h.email('founder');
      const anon = await h.as(null, { onCookie: (c) => cookies.push(c) });
      // when
      const answer = await anon.auth.signUp({
        orgName: '  Northwind Help  ',
        name: 'Nora North',
        email: email.toUpperCase(),
        password: PASSWORD,
      });
      expect(answer).toEqual({ next: 'check_inbox' });
      expect(cookies).toEqual([]);
      const me = await anon.auth.confirmSignUp({ token: await mailedToken(db, email, 'sign_up.confirm') });
      // then
      expect(me).toMatchObject({
        org: { name: 'Northwind Help' },
        user: { name: 'Nora North', email },
        role: 'admin',
      });
      const cookie = cookies.find((c) => c.startsWith('sw_session='))?.split(';')[0] ?? '';
      expect(await (await h.as(cookie)).auth.me()).toEqual(me);
      expect(await (await h.as(cookie)).flows.list()).toEqual([]);
      const [audit] = await db.query<{ action: string }>(
        'SELECT action FROM audit_log WHERE org_id = $1::uuid',
        [me.org.id],
      );
      expect(audit?.action).toBe('organization.created');
    });

    it('given bad input, when someone signs up, then each field is named and nothing is written', async () => {
      // given
      const before = [await count('organizations'), await count('users')];
      const anon = await h.as(null);
      // when
      const error = await trpcError(
        anon.auth.signUp({ orgName: ' ', name: 'X', email: 'not-an-email', password: 'short' }),
      );
      // then
      expect(error.code).toBe('BAD_REQUEST');
      const issues = (error.cause as { issues?: Array<{ path: unknown[] }> }).issues?.map((i) =>
        i.path.join('.'),
      );
      expect(issues).toEqual(expect.arrayContaining(['orgName', 'email', 'password']));
      expect([await count('organizations'), await count('users')]).toEqual(before);
    });

    it('given an email that has an account, when someone signs up with another password, then the answer is that of any sign-up, links nothing and writes only the mail to the owner', async () => {
      // given
      const owner = await h.signUp('Owner Org', 'owner');
      const before = [await count('organizations'), await count('memberships'), await count('users')];
      const cookies: string[] = [];
      // when
      const answer = await (await h.as(null, { onCookie: (c) => cookies.push(c) })).auth.signUp({
        orgName: 'Takeover Ltd',
        name: 'Mallory',
        email: owner.email,
        password: 'not the owner password',
      });
      // then
      expect(answer).toEqual({ next: 'check_inbox' });
      expect(cookies).toEqual([]);
      expect([await count('organizations'), await count('memberships'), await count('users')]).toEqual(
        before,
      );
      const mail = await lastMailTo(db, owner.email, 'sign_up.existing');
      expect(mail.body).toContain('"Takeover Ltd"');
      // the link does not open with the password typed in the form
      const refused = await trpcError(
        (await h.as(null)).auth.confirmSignUp({
          token: tokenOf(linkIn(mail)),
          password: 'not the owner password',
        }),
      );
      expect(refused.code).toBe('BAD_REQUEST');
      expect([await count('organizations'), await count('memberships')]).toEqual(before.slice(0, 2));
    });

    it('given an email that has an account, when its owner signs up and confirms with their own password, then the new organization is theirs', async () => {
      // given
      const owner = await h.signUp('First Org', 'owner');
      // when
      await (await h.as(null)).auth.signUp({
        orgName: 'Second Org',
        name: 'Some other name',
        email: owner.email,
        password: 'anything typed here',
      });
      const me = await (await h.as(null)).auth.confirmSignUp({
        token: await mailedToken(db, owner.email, 'sign_up.existing'),
        password: owner.password,
      });
      // then
      expect(me.user).toEqual(owner.me.user);
      expect(me.org.name).toBe('Second Org');
      const again = await h.login(owner.email);
      expect(again.me.org.id).toBe(owner.me.org.id);
    });
  });

  describe('passwords', () => {
    it('given a user with two sessions, when they change their password, then the old one is refused, the other session ended and this one kept', async () => {
      // given
      const admin = await h.signUp('Password Org');
      const elsewhere = await h.login(admin.email);
      // when
      const result = await (await h.as(admin)).auth.changePassword({
        currentPassword: PASSWORD,
        newPassword: 'a brand new passphrase',
      });
      // then
      expect(result).toEqual({ endedSessions: 1 });
      expect(await (await h.as(elsewhere)).auth.me()).toBeNull();
      expect(await (await h.as(admin)).auth.me()).toMatchObject({ user: { email: admin.email } });
      const refused = await trpcError(h.login(admin.email, PASSWORD, '198.51.100.20'));
      expect(refused.code).toBe('UNAUTHORIZED');
      expect((await h.login(admin.email, 'a brand new passphrase')).me.user.id).toBe(admin.me.user.id);
      const [audit] = await db.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM audit_log WHERE org_id = $1::uuid AND action = 'user.password_changed'`,
        [admin.me.org.id],
      );
      expect(audit?.data).toEqual({ endedSessions: 1 });
    });

    it('given a wrong current password or a weak new one, when a user tries to change it, then the field is named and nothing changes', async () => {
      // given
      const admin = await h.signUp('Careful Org');
      const api = await h.as(admin);
      // when
      const wrong = await trpcError(
        api.auth.changePassword({
          currentPassword: 'not my password',
          newPassword: 'a brand new passphrase',
        }),
      );
      const weak = await trpcError(
        api.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'short' }),
      );
      const same = await trpcError(
        api.auth.changePassword({ currentPassword: PASSWORD, newPassword: PASSWORD }),
      );
      // then
      expect(wrong.code).toBe('BAD_REQUEST');
      expect(detailsOf(wrong)).toEqual({ fields: { currentPassword: 'This is not your current password.' } });
      expect(weak.code).toBe('BAD_REQUEST');
      expect(
        (weak.cause as { issues?: Array<{ path: unknown[] }> }).issues?.map((i) => i.path.join('.')),
      ).toEqual(['newPassword']);
      expect(detailsOf(same)).toEqual({
        fields: { newPassword: 'Choose a password that differs from the current one.' },
      });
      expect((await h.login(admin.email, PASSWORD)).me.user.id).toBe(admin.me.user.id);
    });

    it('given an agent logged in twice, when an admin resets their password with a generated one, then both sessions end, only the temporary password works, and it is audited without the password', async () => {
      // given
      const admin = await h.signUp('Reset Org');
      const agent = await h.addMember(admin, 'agent');
      const agentElsewhere = await h.login(agent.email);
      // when
      const result = await (await h.as(admin)).users.resetPassword({ userId: agent.me.user.id });
      // then
      const temporary = result.temporaryPassword ?? '';
      expect(temporary).toMatch(/^[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}$/);
      expect(result.member).toMatchObject({ id: agent.me.user.id, role: 'agent' });
      expect(await (await h.as(agent)).auth.me()).toBeNull();
      expect(await (await h.as(agentElsewhere)).auth.me()).toBeNull();
      expect((await trpcError(h.login(agent.email, PASSWORD, '198.51.100.21'))).code).toBe('UNAUTHORIZED');
      expect((await h.login(agent.email, temporary)).me.user.id).toBe(agent.me.user.id);
      const audits = await db.query<{ actor_id: string; target_id: string; data: Record<string, unknown> }>(
        `SELECT actor_id, target_id, data FROM audit_log WHERE org_id = $1::uuid AND action = 'user.password_reset'`,
        [admin.me.org.id],
      );
      expect(audits).toEqual([
        {
          actor_id: admin.me.user.id,
          target_id: agent.me.user.id,
          data: { generated: true, endedSessions: 2 },
        },
      ]);
      expect(JSON.stringify(audits)).not.toContain(temporary);
    });

    it('given an admin, when they set a password for a member, for themself, or for an account of two organizations, then only the first is done', async () => {
      // given
      const admin = await h.signUp('Rules Org');
      const manager = await h.addMember(admin, 'manager');
      const shared = await h.signUp('Other Org', 'shared');
      const { link } = await (await h.as(admin)).invitations.create({ email: shared.email, role: 'agent' });
      await (await h.as(null)).invitations.accept({
        token: tokenOf(link),
        account: 'existing',
        password: PASSWORD,
      });
      const api = await h.as(admin);
      // when
      const set = await api.users.resetPassword({
        userId: manager.me.user.id,
        password: 'chosen by the admin',
      });
      const self = await trpcError(api.users.resetPassword({ userId: admin.me.user.id }));
      const twoOrgs = await trpcError(api.users.resetPassword({ userId: shared.me.user.id }));
      const weak = await trpcError(
        api.users.resetPassword({ userId: manager.me.user.id, password: 'short' }),
      );
      // then
      expect(set.temporaryPassword).toBeNull();
      expect((await h.login(manager.email, 'chosen by the admin')).me.user.id).toBe(manager.me.user.id);
      expect(self.code).toBe('BAD_REQUEST');
      expect(twoOrgs.code).toBe('PRECONDITION_FAILED');
      expect(weak.code).toBe('BAD_REQUEST');
      expect((await h.login(shared.email, PASSWORD)).me.user.id).toBe(shared.me.user.id);
    });
  });

  describe('feedback links on PUBLIC_URL', () => {
    it('given a server with PUBLIC_URL, when a ticket ends with feedback, then the customer is sent the absolute link and agents see it masked', async () => {
      // given
      const clock = fakeClock(new Date());
      const org = await createRuntimeOrg(db, 'Public Url Ltd', clock.now());
      const child = await publishFlow(db, org, 'Verify identity', childDocument(), 50);
      await publishFlow(
        db,
        org,
        'Runtime tour',
        tourDocument(child.flowId, 'https://hooks.example.test/x', 'team-billing'),
        10,
      );
      const server = await startServer({
        db,
        port: 0,
        pollMs: 50,
        publicUrl: 'https://help.public-url.example',
      });
      try {
        const manager = apiAs(db, org.people.manager, clock);
        const created = await manager.tickets.create(
          ticketInput({ category: 'tour', subject: 'Public link' }),
        );
        // when
        await manager.tickets.addMessage({
          ticketId: created.ticket.id,
          body: 'Order 1234.',
          from: 'customer',
        });
        let body = '';
        for (let i = 0; i < 200 && !body; i++) {
          const rows = await db.query<{ body: string }>(
            `SELECT body FROM ticket_messages WHERE ticket_id = $1::uuid AND body LIKE '%/feedback/%'`,
            [created.ticket.id],
          );
          body = rows[0]?.body ?? '';
          if (!body) await new Promise((r) => setTimeout(r, 50));
        }
        // then
        expect(body).toMatch(
          /^How did we do\? Tell us in one click: https:\/\/help\.public-url\.example\/feedback\/[A-Za-z0-9_-]{43}$/,
        );
        const page = await manager.tickets.get({ ticketId: created.ticket.id });
        expect(page.feedbackLink).toBe(`…/feedback/••••${body.slice(-4)}`);
        expect(JSON.stringify(page)).not.toContain(body.slice(-43));
      } finally {
        await server.close();
      }
    });
  });
});

describe.each(backends())('the server process decides demo mode (%s)', (backend) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `main.ts` on a fresh database with `demo` (undefined: the default), and asks for the demo logins. */
  async function demoLoginsAfterStart(demo: string | undefined): Promise<unknown> {
    let db: TestDb | null = null;
    let env: Record<string, string | undefined> = { STEPWISE_DEMO: demo };
    if (backend === 'postgres') {
      db = await openTestDb('postgres');
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'stepwise-demo-'));
      dirs.push(dir);
      env = { ...env, STEPWISE_DATA_DIR: dir };
    }
    const server = await spawnServer(db?.url ?? '', 60_000, env);
    try {
      const response = await fetch(`${server.url}/trpc/auth.demoLogins`);
      const body = (await response.json()) as { result: { data: { logins: unknown[] } | null } };
      return body.result.data === null ? null : body.result.data.logins.length;
    } finally {
      await server.stop();
      await db?.dispose();
    }
  }

  it('given no STEPWISE_DEMO, when the server starts on an empty database, then the demo organization exists only on the embedded one', async () => {
    // when / then
    expect(await demoLoginsAfterStart(undefined)).toBe(backend === 'pglite' ? 4 : null);
  });

  it('given STEPWISE_DEMO against the default, when the server starts, then it decides', async () => {
    // when / then
    expect(await demoLoginsAfterStart(backend === 'pglite' ? '0' : '1')).toBe(
      backend === 'pglite' ? null : 4,
    );
  });
});
