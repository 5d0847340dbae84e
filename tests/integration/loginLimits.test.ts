import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOGIN_LIMITS,
  pruneRateLimits,
  startPasswordAttempt,
} from '../../packages/api/src/auth/rateLimits.ts';
import { apiHarness, detailsOf, PASSWORD, trpcError } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

type LimitRow = { scope: string; key: string; hits: number };

describe.each(backends())('log-in limits in the database (%s)', (backend) => {
  let db: TestDb;
  /** The injectable clock: each test starts an hour after the last, so no window carries over. */
  let clock = new Date('2031-03-01T08:00:00Z');
  let counter = 0;
  const now = () => clock;
  const email = (label: string) =>
    `${label}-${++counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  /** A fresh address in TEST-NET-2, unique within the file. */
  const address = () => `198.51.100.${++counter % 250}`;
  const nextHour = () => {
    clock = new Date(clock.getTime() + 60 * MINUTE);
  };
  const rows = (where = 'true', params: unknown[] = []) =>
    db.query<LimitRow>(`SELECT scope, key, hits FROM rate_limits WHERE ${where} ORDER BY scope, key`, params);
  /** A failed attempt at the limiter (the password check itself is not what is tested here). */
  const fail = (who: { email: string; clientIp: string }) => startPasswordAttempt(db, who, clock);
  const refusal = async (who: { email: string; clientIp: string }) => trpcError(fail(who));

  beforeAll(async () => {
    db = await openTestDb(backend);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given one email and address, when 40 attempts arrive at once, then exactly 10 are counted and let through and 30 are refused', async () => {
    // given
    nextHour();
    const who = { email: email('parallel'), clientIp: address() };
    // when
    const settled = await Promise.allSettled(Array.from({ length: 40 }, () => fail(who)));
    // then
    const through = settled.filter((s) => s.status === 'fulfilled').length;
    const refused = settled.filter(
      (s) => s.status === 'rejected' && (s.reason as { code?: string }).code === 'TOO_MANY_REQUESTS',
    ).length;
    expect({ through, refused }).toEqual({ through: 10, refused: 30 });
    expect(await rows('scope = $1 AND key = $2', ['login:pair', `${who.email}|${who.clientIp}`])).toEqual([
      { scope: 'login:pair', key: `${who.email}|${who.clientIp}`, hits: 10 },
    ]);
  });

  it('given 30 failures for one email from three addresses, when a fourth address tries it, then refused until the window passes, while other emails from there go on', async () => {
    // given
    nextHour();
    const target = email('account');
    for (const from of [address(), address(), address()]) {
      for (let i = 0; i < 10; i++) await fail({ email: target, clientIp: from });
    }
    const fourth = address();
    // when
    const refused = await refusal({ email: target, clientIp: fourth });
    // then
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toBe('Too many failed log-in attempts. Try again in 15 minutes.');
    expect(await fail({ email: email('other'), clientIp: fourth })).toBeDefined();
    // and when the 15 minutes have passed
    clock = new Date(clock.getTime() + 15 * MINUTE);
    expect(await fail({ email: target, clientIp: fourth })).toBeDefined();
  });

  it('given 9 failures, when the right password comes, then the email’s counts are cleared and the address keeps only its failures', async () => {
    // given
    nextHour();
    const who = { email: email('clear'), clientIp: address() };
    for (let i = 0; i < 9; i++) await fail(who);
    // when
    const right = await fail(who);
    await right.succeeded();
    // then
    expect(await rows('key LIKE $1', [`${who.email}%`])).toEqual([]);
    expect(await rows('key = $1', [who.clientIp])).toEqual([
      { scope: 'login:address', key: who.clientIp, hits: 9 },
      { scope: 'login:spray', key: who.clientIp, hits: 1 },
    ]);
    // and ten more failures are let through before the pair is refused again
    for (let i = 0; i < 10; i++) await fail(who);
    expect((await refusal(who)).code).toBe('TOO_MANY_REQUESTS');
  });

  it('given 20 distinct emails failed from one address, when a 21st email is tried from there, then it is refused as spraying, and from elsewhere it is not', async () => {
    // given
    nextHour();
    const sprayer = address();
    for (let i = 0; i < 20; i++) await fail({ email: email('spray'), clientIp: sprayer });
    const next = email('spray');
    // when
    const refused = await refusal({ email: next, clientIp: sprayer });
    // then
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toBe(
      'Too many failed log-in attempts from your network. Try again in 15 minutes.',
    );
    expect(detailsOf(refused)).toEqual({ retryAfterSeconds: 900, limit: 'address' });
    expect(await fail({ email: next, clientIp: address() })).toBeDefined();
  });

  it('given 50 failures from one address over 5 emails, when a sixth email is tried from there, then the address is refused', async () => {
    // given
    nextHour();
    const from = address();
    for (let e = 0; e < 5; e++) {
      const target = email('address');
      for (let i = 0; i < 10; i++) await fail({ email: target, clientIp: from });
    }
    // when
    const refused = await refusal({ email: email('address'), clientIp: from });
    // then
    expect(refused.message).toMatch(/^Too many failed log-in attempts from your network\./);
    expect(await rows('scope = $1 AND key = $2', ['login:address', from])).toEqual([
      { scope: 'login:address', key: from, hits: 50 },
    ]);
  });

  it('given 300 failures in one minute from 15 addresses, when anyone tries, then log-in pauses until the minute ends, and the refusals write nothing', async () => {
    // given
    nextHour();
    const start = clock.getTime();
    for (let a = 0; a < 15; a++) {
      const from = `203.0.113.${a + 1}`;
      for (let i = 0; i < 20; i++) await fail({ email: email('global'), clientIp: from });
    }
    clock = new Date(start + 40_000);
    const before = await rows();
    // when
    const refused = await refusal({ email: email('innocent'), clientIp: address() });
    // then
    expect(LOGIN_LIMITS.global.max).toBe(300);
    expect(refused.message).toBe(
      'Log-in is paused for a moment: there are unusually many failed attempts across the service. Try again in 20 seconds.',
    );
    expect(detailsOf(refused)).toEqual({ retryAfterSeconds: 20, limit: 'service' });
    expect(await rows()).toEqual(before);
    // and when the minute has ended
    clock = new Date(start + MINUTE);
    expect(await fail({ email: email('innocent'), clientIp: address() })).toBeDefined();
  });

  it('given rows whose windows have passed, when the next attempt comes a minute later, then they are pruned and only live rows remain', async () => {
    // given
    nextHour();
    for (let i = 0; i < 5; i++) await fail({ email: email('old'), clientIp: address() });
    expect((await rows()).length).toBeGreaterThan(5);
    // when
    clock = new Date(clock.getTime() + 16 * MINUTE);
    const who = { email: email('new'), clientIp: address() };
    await fail(who);
    // then: the five keys' rows are gone; what is left is this attempt's five rows
    expect((await rows()).map((r) => r.scope)).toEqual([
      'login:account',
      'login:address',
      'login:global',
      'login:pair',
      'login:spray',
    ]);
    expect(await pruneRateLimits(db, new Date(clock.getTime() + 16 * MINUTE))).toBe(5);
    expect(await rows()).toEqual([]);
  });

  describe('through the procedures', () => {
    let h: ReturnType<typeof apiHarness>;
    beforeAll(() => {
      h = apiHarness(db, { now });
    });

    it('given 30 distinct emails tried from one address, when they are sent one after another, then the first 20 are checked and the last 10 refused before hashing', async () => {
      // given
      nextHour();
      const api = await h.as(null, { clientIp: '192.0.2.99' });
      const codes: string[] = [];
      // when
      for (let i = 0; i < 30; i++) {
        codes.push(
          (await trpcError(api.auth.login({ email: email('sprayed'), password: 'Summer2031!' }))).code,
        );
      }
      // then
      expect(codes.slice(0, 20)).toEqual(Array(20).fill('UNAUTHORIZED'));
      expect(codes.slice(20)).toEqual(Array(10).fill('TOO_MANY_REQUESTS'));
    });

    it('given 10 wrong passwords for an account, when the owner logs in from the same address, then refused; and a right password elsewhere clears the account', async () => {
      // given
      nextHour();
      const user = await h.signUp('Limits Org');
      const attacker = await h.as(null, { clientIp: '192.0.2.10' });
      for (let i = 0; i < 10; i++) {
        await trpcError(attacker.auth.login({ email: user.email, password: `guess-${i}` }));
      }
      // when
      const refused = await trpcError(attacker.auth.login({ email: user.email, password: PASSWORD }));
      const elsewhere = await h.login(user.email, PASSWORD, '192.0.2.11');
      // then
      expect(refused.code).toBe('TOO_MANY_REQUESTS');
      expect(elsewhere.me.user.id).toBe(user.me.user.id);
      expect(await rows('scope = $1 AND key = $2', ['login:account', user.email])).toEqual([]);
      // the attacker's own pair stays refused
      expect((await trpcError(attacker.auth.login({ email: user.email, password: PASSWORD }))).code).toBe(
        'TOO_MANY_REQUESTS',
      );
    });

    it('given 30 feedback requests from one address, when a 31st comes through another server’s context, then refused until the 10 minutes pass', async () => {
      // given
      nextHour();
      const api = await h.as(null, { clientIp: '192.0.2.50' });
      for (let i = 0; i < 30; i++)
        expect(await api.feedback.get({ token: 'x'.repeat(43) })).toEqual({ state: 'invalid' });
      const otherServer = apiHarness(db, { now });
      // when
      const refused = await trpcError(
        (await otherServer.as(null, { clientIp: '192.0.2.50' })).feedback.get({ token: 'x'.repeat(43) }),
      );
      // then
      expect(refused.code).toBe('TOO_MANY_REQUESTS');
      expect(refused.message).toBe(
        'Too many requests for feedback links from your network. Try again in 10 minutes.',
      );
      expect(
        await (await otherServer.as(null, { clientIp: '192.0.2.51' })).feedback.get({
          token: 'x'.repeat(43),
        }),
      ).toEqual({ state: 'invalid' });
      clock = new Date(clock.getTime() + 10 * MINUTE);
      expect(await api.feedback.get({ token: 'x'.repeat(43) })).toEqual({ state: 'invalid' });
    });
  });
});
