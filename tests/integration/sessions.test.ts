import { createCaller, createContextFactory } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, apiHarness, PASSWORD, sessionCookieOf, type TestUser } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';

describe.each(backends())('sessions: listing them and signing out everywhere (%s)', (backend) => {
  let db: TestDb;
  let clock = new Date('2030-05-06T09:00:00Z');
  let h: ReturnType<typeof apiHarness>;
  let admin: TestUser;
  let agent: TestUser;

  /** Logs in from a given browser and address, as a real request would. */
  async function loginFrom(email: string, userAgent: string, clientIp: string): Promise<string> {
    const cookies: string[] = [];
    const ctx = await createContextFactory({ db, now: () => clock })({
      headers: new Headers({ 'user-agent': userAgent }),
      setCookie: (c) => cookies.push(c),
      clientIp,
    });
    await createCaller(ctx).auth.login({ email, password: PASSWORD });
    return sessionCookieOf(cookies);
  }
  const as = async (cookie: string, onCookie?: (c: string) => void): Promise<Api> =>
    h.as(cookie, onCookie ? { onCookie } : {});

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db, { now: () => clock });
    admin = await h.signUp('Sessions Ltd');
    agent = await h.addMember(admin, 'agent');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given a person signed in on a laptop and a phone, when they list their sessions, then both show with browser, address and times, the current one first and marked', async () => {
    // given
    const laptop = await loginFrom(agent.email, FIREFOX, '198.51.100.4');
    clock = new Date(clock.getTime() + 60_000);
    const phone = await loginFrom(agent.email, PHONE, '203.0.113.9');
    // when
    const fromPhone = await (await as(phone)).sessions.list();
    // then
    const mine = fromPhone.filter((s) => s.userAgent === FIREFOX || s.userAgent === PHONE);
    expect(mine).toHaveLength(2);
    expect(fromPhone[0]).toMatchObject({ current: true, userAgent: PHONE, clientIp: '203.0.113.9' });
    expect(fromPhone.find((s) => s.userAgent === FIREFOX)).toMatchObject({
      current: false,
      clientIp: '198.51.100.4',
      createdAt: '2030-05-06T09:00:00.000Z',
      lastSeenAt: '2030-05-06T09:00:00.000Z',
    });
    // The admin's sessions are theirs alone.
    const adminSessions = await (await as(admin.cookie)).sessions.list();
    expect(adminSessions.some((s) => s.userAgent === PHONE)).toBe(false);
    // Seen again after a while: last seen moves on (at most every few minutes).
    clock = new Date(clock.getTime() + 10 * 60_000);
    await (await as(laptop)).auth.me();
    const later = await (await as(phone)).sessions.list();
    expect(later.find((s) => s.userAgent === FIREFOX)?.lastSeenAt).toBe(clock.toISOString());
  });

  it('given two sessions, when the person signs one out, then that browser is signed out at once and the other stays; a session id of someone else is NOT_FOUND and ends nothing', async () => {
    // given
    // (a browser of its own: the sessions of the tests before are still there)
    const browser = `${FIREFOX} Revoke/1`;
    const laptop = await loginFrom(agent.email, browser, '198.51.100.4');
    const phone = await loginFrom(agent.email, PHONE, '203.0.113.9');
    const list = await (await as(phone)).sessions.list();
    const laptopSession = list.find((s) => !s.current && s.userAgent === browser);
    if (!laptopSession) throw new Error('no laptop session');
    // when
    await expect(
      (await as(admin.cookie)).sessions.revoke({ sessionId: laptopSession.id }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const revoked = await (await as(phone)).sessions.revoke({ sessionId: laptopSession.id });
    // then
    expect(revoked).toEqual({ ended: 1, signedOut: false });
    expect(await (await as(laptop)).auth.me()).toBeNull();
    expect(await (await as(phone)).auth.me()).not.toBeNull();
    await expect((await as(phone)).sessions.revoke({ sessionId: laptopSession.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('given three sessions, when the person signs out everywhere else, then only the current one is left; when they sign out everywhere, then that one ends too and the cookie is cleared', async () => {
    // given
    const a = await loginFrom(agent.email, FIREFOX, '198.51.100.4');
    const b = await loginFrom(agent.email, PHONE, '203.0.113.9');
    const c = await loginFrom(agent.email, FIREFOX, '198.51.100.5');
    // when
    const kept = await (await as(c)).sessions.revokeAll({ keepCurrent: true });
    // then
    expect(kept.signedOut).toBe(false);
    expect(kept.ended).toBeGreaterThanOrEqual(2);
    expect(await (await as(a)).auth.me()).toBeNull();
    expect(await (await as(b)).auth.me()).toBeNull();
    expect((await (await as(c)).sessions.list()).map((s) => s.current)).toEqual([true]);
    // when
    const cookies: string[] = [];
    const all = await (await as(c, (x) => cookies.push(x))).sessions.revokeAll({ keepCurrent: false });
    // then
    expect(all).toEqual({ ended: 1, signedOut: true });
    expect(cookies.some((x) => x.startsWith('sw_session=;') && x.includes('Max-Age=0'))).toBe(true);
    expect(await (await as(c)).auth.me()).toBeNull();
  });

  it('given a member signed in twice, when an admin signs them out everywhere, then both sessions end, the admin stays signed in, and the audit log says so; a manager may not', async () => {
    // given
    const one = await loginFrom(agent.email, FIREFOX, '198.51.100.4');
    const two = await loginFrom(agent.email, PHONE, '203.0.113.9');
    const manager = await h.addMember(admin, 'manager');
    await expect(
      (await as(manager.cookie)).sessions.revokeMember({ userId: agent.me.user.id }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // when
    const result = await (await as(admin.cookie)).sessions.revokeMember({ userId: agent.me.user.id });
    // then
    expect(result).toEqual({ ended: 2, signedOut: false });
    expect(await (await as(one)).auth.me()).toBeNull();
    expect(await (await as(two)).auth.me()).toBeNull();
    expect(await (await as(admin.cookie)).auth.me()).not.toBeNull();
    const audit = await (await as(admin.cookie)).admin.audit({ limit: 10 });
    expect(audit.entries.find((e) => e.action === 'user.signed_out_everywhere')).toMatchObject({
      action: 'user.signed_out_everywhere',
      targetId: agent.me.user.id,
      data: { sessions: 2 },
    });
  });

  it('given an admin of another organization, when they name this member, then NOT_FOUND and nothing ends', async () => {
    // given
    const session = await loginFrom(agent.email, FIREFOX, '198.51.100.4');
    const stranger = await h.signUp('Elsewhere Ltd');
    // when / then
    await expect(
      (await as(stranger.cookie)).sessions.revokeMember({ userId: agent.me.user.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await (await as(session)).auth.me()).not.toBeNull();
  });
});
