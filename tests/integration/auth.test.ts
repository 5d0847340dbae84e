import { parseCookies } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHash, verifyPassword } from '../../packages/api/src/auth/password.ts';
import { resolveSession } from '../../packages/api/src/auth/sessions.ts';
import { hashLinkToken } from '../../packages/api/src/services/secretLinks.ts';
import { apiHarness, detailsOf, PASSWORD, trpcError } from '../support/apiSession.ts';
import { lastMailTo, linkIn, mailedToken, tokenOf } from '../support/outbox.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('auth (%s)', (backend) => {
  let db: TestDb;
  /** The injectable clock: tests move it to expire sessions and rate-limit windows. */
  let clock = new Date('2030-01-01T09:00:00Z');
  let h: ReturnType<typeof apiHarness>;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db, { now: () => clock });
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given a visitor, when they sign up, then nothing exists until they open the mailed link, which logs them in as the admin of a new organization', async () => {
    // given
    const cookies: string[] = [];
    const email = h.email('Founder').toUpperCase();
    const orgsBefore = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    // when
    const answer = await (await h.as(null, { onCookie: (c) => cookies.push(c) })).auth.signUp({
      orgName: 'Acme Support',
      name: 'Ada Founder',
      email,
      password: PASSWORD,
    });
    // then: "check your inbox", no session, no account, no organization
    expect(answer).toEqual({ next: 'check_inbox' });
    expect(cookies).toEqual([]);
    expect(await db.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [email])).toEqual([]);
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations')).toEqual(orgsBefore);
    const mail = await lastMailTo(db, email.toLowerCase(), 'sign_up.confirm');
    expect(mail.subject).toBe('Confirm your address to create Acme Support on Stepwise');
    expect(linkIn(mail)).toMatch(/^http:\/\/localhost:3000\/signup\/confirm\/[A-Za-z0-9_-]{43}$/);
    const stored = await db.query<{ token_hash: string }>(
      'SELECT token_hash FROM sign_up_requests WHERE email = $1',
      [email.toLowerCase()],
    );
    expect(stored.map((r) => r.token_hash)).toEqual([hashLinkToken(tokenOf(linkIn(mail)))]);
    // when: the link is opened and confirmed
    const anonymous = await h.as(null, { onCookie: (c) => cookies.push(c) });
    const view = await anonymous.auth.signUpRequest({ token: tokenOf(linkIn(mail)) });
    expect(view).toEqual({
      orgName: 'Acme Support',
      name: 'Ada Founder',
      email: email.toLowerCase(),
      signIn: false,
      status: 'pending',
    });
    const me = await anonymous.auth.confirmSignUp({ token: tokenOf(linkIn(mail)) });
    // then
    expect(me).toMatchObject({
      org: { name: 'Acme Support' },
      role: 'admin',
      user: { name: 'Ada Founder', email: email.toLowerCase() },
    });
    expect(cookies).toHaveLength(1);
    const cookie = cookies[0] ?? '';
    expect(cookie).toMatch(
      /^sw_session=[A-Za-z0-9_-]{43}; Max-Age=1209600; HttpOnly; SameSite=Lax; Path=\/$/,
    );
    const again = await (await h.as(cookie.split(';')[0] ?? '')).auth.me();
    expect(again).toEqual(me);
    const [membership] = await db.query<{ role: string }>('SELECT role FROM memberships WHERE user_id = $1', [
      me.user.id,
    ]);
    expect(membership?.role).toBe('admin');
    const audit = await db.query<{ action: string }>('SELECT action FROM audit_log WHERE org_id = $1', [
      me.org.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['organization.created']);
    // the password of the form is the account's
    expect((await h.login(email.toLowerCase())).me.user.id).toBe(me.user.id);
  });

  it('given an account, when someone signs up with its email and someone with a new one, then both get the same answer, no session, and only the owner can create the workspace with the existing password', async () => {
    // given
    const first = await h.signUp('First Org');
    const fresh = h.email('fresh');
    const orgsBefore = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    const cookies: string[] = [];
    const anonymous = await h.as(null, { onCookie: (c) => cookies.push(c) });
    // when
    const t0 = performance.now();
    const forExisting = await anonymous.auth.signUp({
      orgName: 'Second Org',
      name: 'Copy',
      email: first.email.toUpperCase(),
      password: 'somebody else entirely',
    });
    const t1 = performance.now();
    const forNew = await anonymous.auth.signUp({
      orgName: 'Second Org',
      name: 'Copy',
      email: fresh,
      password: 'somebody else entirely',
    });
    const t2 = performance.now();
    // then: identical answers after comparable work (one password derivation each), no cookie, nothing created
    expect(forExisting).toEqual(forNew);
    expect(t1 - t0).toBeGreaterThan((t2 - t1) * 0.3);
    expect(t2 - t1).toBeGreaterThan((t1 - t0) * 0.3);
    expect(cookies).toEqual([]);
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations')).toEqual(orgsBefore);
    // the owner is told by mail, with a link that asks for the existing password
    const mail = await lastMailTo(db, first.email, 'sign_up.existing');
    expect(mail.body).toContain('"Second Org"');
    expect(mail.body).toContain('sign in with your existing password');
    const token = tokenOf(linkIn(mail));
    const [request] = await db.query<{ password_hash: string | null }>(
      'SELECT password_hash FROM sign_up_requests WHERE token_hash = $1',
      [hashLinkToken(token)],
    );
    expect(request?.password_hash).toBeNull();
    expect(await anonymous.auth.signUpRequest({ token })).toMatchObject({ signIn: true, status: 'pending' });
    // when: the link is used without the password, then with the form's password
    const missing = await trpcError(anonymous.auth.confirmSignUp({ token }));
    const typed = await trpcError(
      anonymous.auth.confirmSignUp({ token, password: 'somebody else entirely' }),
    );
    // then
    expect([missing.code, missing.message]).toEqual([
      'BAD_REQUEST',
      'Enter the password of your Stepwise account.',
    ]);
    expect(detailsOf(typed)).toEqual({
      fields: { password: 'This is not the password of your Stepwise account.' },
    });
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations')).toEqual(orgsBefore);
    // when: with the account's own password
    const me = await anonymous.auth.confirmSignUp({ token, password: PASSWORD });
    // then: a second organization of the same account, name and password unchanged
    expect(me).toMatchObject({
      user: { id: first.me.user.id, name: first.me.user.name },
      org: { name: 'Second Org' },
    });
    expect(cookies).toHaveLength(1);
    const orgs = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM memberships WHERE user_id = $1',
      [first.me.user.id],
    );
    expect(orgs[0]?.n).toBe(2);
    expect((await h.login(first.email)).me.user.id).toBe(first.me.user.id);
  });

  it('given confirmation links, when one is used twice, one has expired and one never existed, then each is refused in words and nothing is created', async () => {
    // given
    const used = h.email('used');
    const late = h.email('late');
    const anonymous = await h.as(null);
    for (const email of [used, late])
      await anonymous.auth.signUp({ orgName: 'Link Org', name: 'Link', email, password: PASSWORD });
    const usedToken = await mailedToken(db, used, 'sign_up.confirm');
    const lateToken = await mailedToken(db, late, 'sign_up.confirm');
    await anonymous.auth.confirmSignUp({ token: usedToken });
    const orgsBefore = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    // when
    const again = await trpcError(anonymous.auth.confirmSignUp({ token: usedToken }));
    clock = new Date(clock.getTime() + 25 * 60 * 60 * 1000);
    const expired = await trpcError(anonymous.auth.confirmSignUp({ token: lateToken }));
    const unknown = await trpcError(anonymous.auth.confirmSignUp({ token: 'Q'.repeat(43) }));
    const cut = await trpcError(anonymous.auth.signUpRequest({ token: lateToken.slice(0, 20) }));
    // then
    expect([again.code, again.message]).toEqual([
      'PRECONDITION_FAILED',
      'This link was already used: Link Org exists. Log in to open it.',
    ]);
    expect([expired.code, expired.message]).toEqual([
      'PRECONDITION_FAILED',
      'This confirmation link has expired. Sign up again to get a new one.',
    ]);
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toMatch(/^This confirmation link does not work/);
    expect(cut.code).toBe('NOT_FOUND');
    expect(await db.query('SELECT 1 FROM users WHERE email = $1', [late])).toEqual([]);
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations')).toEqual(orgsBefore);
    expect(await anonymous.auth.signUpRequest({ token: lateToken })).toMatchObject({ status: 'expired' });
  });

  it('given a short password or a bad email, when signing up, then BAD_REQUEST and no account', async () => {
    // given
    const email = h.email('short');
    const anonymous = await h.as(null);
    // when
    const short = await trpcError(
      anonymous.auth.signUp({ orgName: 'X', name: 'Y', email, password: 'too-short' }),
    );
    const badEmail = await trpcError(
      anonymous.auth.signUp({ orgName: 'X', name: 'Y', email: 'not-an-email', password: PASSWORD }),
    );
    // then
    expect(short.code).toBe('BAD_REQUEST');
    expect(badEmail.code).toBe('BAD_REQUEST');
    expect(await db.query('SELECT 1 FROM users WHERE email = $1', [email])).toEqual([]);
  });

  it('given a wrong password and an unknown email, when logging in, then both get the same error after comparable work', async () => {
    // given
    const user = await h.signUp('Enumeration Org');
    const anonymous = await h.as(null, { clientIp: '198.51.100.1' });
    // when
    const t0 = performance.now();
    const wrong = await trpcError(anonymous.auth.login({ email: user.email, password: 'not the password' }));
    const t1 = performance.now();
    const unknown = await trpcError(
      anonymous.auth.login({ email: h.email('nobody'), password: 'not the password' }),
    );
    const t2 = performance.now();
    // then
    expect(wrong.code).toBe('UNAUTHORIZED');
    expect(unknown.code).toBe(wrong.code);
    expect(unknown.message).toBe('Email or password is incorrect.');
    expect(unknown.message).toBe(wrong.message);
    // An unknown email still pays for a scrypt check: without it, it would answer ~100× faster.
    expect(t2 - t1).toBeGreaterThan((t1 - t0) * 0.3);
  });

  it('given 10 failed log-ins from one address, when the right password comes next, then TOO_MANY_REQUESTS until the window passes', async () => {
    // given
    const user = await h.signUp('Rate Limit Org');
    const attacker = await h.as(null, { clientIp: '192.0.2.66' });
    for (let i = 0; i < 10; i++) {
      expect((await trpcError(attacker.auth.login({ email: user.email, password: `guess-${i}` }))).code).toBe(
        'UNAUTHORIZED',
      );
    }
    // when
    const limited = await trpcError(attacker.auth.login({ email: user.email, password: PASSWORD }));
    const otherAddress = await (await h.as(null, { clientIp: '192.0.2.67' })).auth.login({
      email: user.email,
      password: PASSWORD,
    });
    // then
    expect(limited.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.message).toMatch(/Too many failed log-in attempts\. Try again in 15 minutes\./);
    expect(otherAddress.user.id).toBe(user.me.user.id);
    // and when the 15-minute window has passed
    clock = new Date(clock.getTime() + 15 * 60 * 1000 + 1000);
    const later = await (await h.as(null, { clientIp: '192.0.2.66' })).auth.login({
      email: user.email,
      password: PASSWORD,
    });
    expect(later.user.id).toBe(user.me.user.id);
  });

  it('given a logged-in user, when they log out, then that session stops working and their other session does not', async () => {
    // given
    const user = await h.signUp('Logout Org');
    const second = await h.login(user.email);
    const cleared: string[] = [];
    // when
    await (await h.as(user, { onCookie: (c) => cleared.push(c) })).auth.logout();
    // then
    expect(cleared).toEqual(['sw_session=; Max-Age=0; HttpOnly; SameSite=Lax; Path=/']);
    expect(await (await h.as(user)).auth.me()).toBeNull();
    expect((await trpcError((await h.as(user)).flows.list())).code).toBe('UNAUTHORIZED');
    expect((await (await h.as(second)).auth.me())?.user.id).toBe(user.me.user.id);
  });

  it('given a member with a session, when an admin disables them, then the session stops working and they cannot log in', async () => {
    // given
    const admin = await h.signUp('Disable Org');
    const agent = await h.addMember(admin, 'agent');
    expect(await (await h.as(agent)).auth.me()).not.toBeNull();
    // when
    await (await h.as(admin)).users.disable({ userId: agent.me.user.id });
    // then
    expect(await (await h.as(agent)).auth.me()).toBeNull();
    expect(await db.query('SELECT 1 FROM sessions WHERE user_id = $1', [agent.me.user.id])).toEqual([]);
    const refused = await trpcError(
      (await h.as(null)).auth.login({ email: agent.email, password: PASSWORD }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    // and when enabled again, they can log in
    await (await h.as(admin)).users.enable({ userId: agent.me.user.id });
    expect((await h.login(agent.email)).me.role).toBe('agent');
  });

  it('given a session resolved once, when the same person calls again at once, then the session is not read again; a role change applies on the next call', async () => {
    // given
    const admin = await h.signUp('Session Cache Org');
    const agent = await h.addMember(admin, 'agent');
    const token = parseCookies(agent.cookie).sw_session ?? '';
    let reads = 0;
    const counting = {
      ...db,
      query: (text: string, params?: unknown[]) => {
        if (text.includes('FROM stepwise_session(')) reads++;
        return db.query(text, params);
      },
    } as typeof db;
    // when
    const first = await resolveSession(counting, token, clock);
    const second = await resolveSession(counting, token, clock);
    // then
    expect(first?.role).toBe('agent');
    expect(second).toEqual(first);
    expect(reads).toBe(1);
    // when an admin makes them a manager (on this server), then their next call carries the new role
    await (await h.as(admin)).users.setRole({ userId: agent.me.user.id, role: 'manager' });
    expect((await resolveSession(counting, token, clock))?.role).toBe('manager');
    expect(reads).toBe(2);
  });

  it('given a session, when 14 days pass, then it has expired', async () => {
    // given
    const user = await h.signUp('Expiry Org');
    // when
    clock = new Date(clock.getTime() + 14 * 24 * 60 * 60 * 1000 + 1000);
    // then
    expect(await (await h.as(user)).auth.me()).toBeNull();
  });

  it('given a new account, when its hash is read, then it is scrypt with N ≥ 2^17, r = 8, p = 1 and a 16-byte salt', async () => {
    // given
    const user = await h.signUp('Hash Org');
    // when
    const [row] = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [
      user.me.user.id,
    ]);
    const stored = row?.password_hash ?? '';
    const parsed = parseHash(stored);
    // then
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(parsed?.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(parsed?.r).toBe(8);
    expect(parsed?.p).toBe(1);
    expect(parsed?.salt.length).toBe(16);
    expect(stored).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, stored)).toBe(false);
  });

  it('given forged or malformed cookies, when resolving the caller, then there is none', async () => {
    // given
    const forged = `sw_session=${'A'.repeat(43)}`;
    // when / then
    expect(await (await h.as(forged)).auth.me()).toBeNull();
    expect(await (await h.as('sw_session=%E0%A4%A')).auth.me()).toBeNull();
    expect(await (await h.as('__proto__=x; sw_session=short')).auth.me()).toBeNull();
    expect(Object.getPrototypeOf(parseCookies('__proto__=polluted'))).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
