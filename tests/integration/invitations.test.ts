import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashLinkToken } from '../../packages/api/src/services/secretLinks.ts';
import { apiHarness, detailsOf, PASSWORD, type TestUser, trpcError } from '../support/apiSession.ts';
import { lastMailTo, linkIn, mailsTo, tokenOf } from '../support/outbox.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const PUBLIC_URL = 'https://help.invitations.example';
const DAY = 24 * 60 * 60 * 1000;

describe.each(backends())('invitations (%s)', (backend) => {
  let db: TestDb;
  let clock = new Date('2030-03-02T09:00:00Z');
  let h: ReturnType<typeof apiHarness>;
  let admin: TestUser;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db, { now: () => clock, publicUrl: `${PUBLIC_URL}/` });
    admin = await h.signUp('Invite Org');
  });
  afterAll(async () => {
    await db.dispose();
  });

  const actions = async (orgId: string) =>
    (
      await db.query<{ action: string }>(
        'SELECT action FROM audit_log WHERE org_id = $1 ORDER BY created_at, id',
        [orgId],
      )
    ).map((r) => r.action);
  const isMember = async (orgId: string, email: string) =>
    (
      await db.query(
        'SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND lower(u.email) = $2',
        [orgId, email.toLowerCase()],
      )
    ).length === 1;

  it('given an admin, when they invite a new address with a role and a team, then it is pending with a link on PUBLIC_URL, and accepting it makes a logged-in member', async () => {
    // given
    const team = await (await h.as(admin)).teams.create({ name: 'Billing' });
    const email = h.email('Nina.New').toUpperCase();
    // when
    const sent = await (await h.as(admin)).invitations.create({ email, role: 'agent', teamIds: [team.id] });
    // then: pending, not a member, the mail carries the same absolute link
    expect(sent.invitation).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      role: 'agent',
      teamIds: [team.id],
      invitedByName: admin.me.user.name,
      sentAt: clock.toISOString(),
      expiresAt: new Date(clock.getTime() + 7 * DAY).toISOString(),
      expired: false,
    });
    expect(sent.link).toMatch(/^https:\/\/help\.invitations\.example\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(await (await h.as(admin)).invitations.list()).toEqual([sent.invitation]);
    expect(await isMember(admin.me.org.id, email)).toBe(false);
    const mail = await lastMailTo(db, email, 'invitation');
    expect(linkIn(mail)).toBe(sent.link);
    expect(mail.org_id).toBe(admin.me.org.id);
    expect(mail.subject).toBe(`${admin.me.user.name} invited you to Invite Org on Stepwise`);
    // only the token's hash is stored
    const [stored] = await db.query<{ token_hash: string; row: string }>(
      'SELECT token_hash, i::text AS row FROM invitations i WHERE id = $1',
      [sent.invitation.id],
    );
    expect(stored?.token_hash).toBe(hashLinkToken(tokenOf(sent.link)));
    expect(stored?.row).not.toContain(tokenOf(sent.link));
    // when: the invitee opens the link and creates their account
    const cookies: string[] = [];
    const invitee = await h.as(null, { onCookie: (c) => cookies.push(c) });
    expect(await invitee.invitations.get({ token: tokenOf(sent.link) })).toEqual({
      orgName: 'Invite Org',
      email: email.toLowerCase(),
      role: 'agent',
      status: 'pending',
      expiresAt: sent.invitation.expiresAt,
    });
    const me = await invitee.invitations.accept({
      token: tokenOf(sent.link),
      account: 'new',
      name: 'Nina New',
      password: PASSWORD,
    });
    // then: a member with the role and the team, logged in to the organization
    expect(me).toMatchObject({ role: 'agent', org: { id: admin.me.org.id }, user: { name: 'Nina New' } });
    expect(cookies).toHaveLength(1);
    expect((await (await h.as(cookies[0]?.split(';')[0] ?? '')).auth.me())?.user.id).toBe(me.user.id);
    const member = (await (await h.as(admin)).users.list()).find((u) => u.id === me.user.id);
    expect(member).toMatchObject({ role: 'agent', teamIds: [team.id], email: email.toLowerCase() });
    expect(await (await h.as(admin)).invitations.list()).toEqual([]);
    expect(await actions(admin.me.org.id)).toEqual(
      expect.arrayContaining(['invitation.created', 'invitation.accepted']),
    );
    expect((await h.login(email)).me.org.id).toBe(admin.me.org.id);
  });

  it('given a person of another organization, when invited here, then the answer is that of a new address (no name, no id, no membership) until they accept by signing in with their one password', async () => {
    // given
    const outsider = await h.signUp('Other Org', 'outsider');
    const stranger = h.email('stranger');
    const api = await h.as(admin);
    // when
    const forOutsider = await api.invitations.create({ email: outsider.email, role: 'manager' });
    const forStranger = await api.invitations.create({ email: stranger, role: 'manager' });
    // then: the same answer but for the address, the id and the link
    const neutral = (answer: typeof forOutsider) => ({
      ...answer,
      link: 'LINK',
      invitation: { ...answer.invitation, id: 'ID', email: 'EMAIL' },
    });
    expect(neutral(forOutsider)).toEqual(neutral(forStranger));
    const text = JSON.stringify(forOutsider);
    for (const secret of [outsider.me.user.id, outsider.me.user.name, outsider.me.org.id, 'Other Org'])
      expect(text).not.toContain(secret);
    expect(await isMember(admin.me.org.id, outsider.email)).toBe(false);
    expect((await api.users.list()).map((u) => u.email)).not.toContain(outsider.email);
    // the two mails read alike, but for the link
    const [toOutsider, toStranger] = await Promise.all([
      lastMailTo(db, outsider.email, 'invitation'),
      lastMailTo(db, stranger, 'invitation'),
    ]);
    expect(toOutsider.body.replace(/https:\S+/, 'LINK')).toBe(toStranger.body.replace(/https:\S+/, 'LINK'));
    const token = tokenOf(forOutsider.link);
    const anonymous = await h.as(null);
    // when: the link is used to make a new account for the address, or with a wrong password
    const asNew = await trpcError(
      anonymous.invitations.accept({
        token,
        account: 'new',
        name: 'Impostor',
        password: 'impostor password',
      }),
    );
    const wrong = await trpcError(
      anonymous.invitations.accept({ token, account: 'existing', password: 'not the password' }),
    );
    // then: refused, still no member, the account untouched
    expect(asNew.code).toBe('BAD_REQUEST');
    expect(asNew.message).toMatch(/already has a Stepwise account/);
    expect(wrong.code).toBe('BAD_REQUEST');
    expect(detailsOf(wrong)).toEqual({
      fields: { password: `This password does not open a Stepwise account for ${outsider.email}.` },
    });
    expect(await isMember(admin.me.org.id, outsider.email)).toBe(false);
    // when: they sign in with their own password (a minute later: their own organization stays their first)
    clock = new Date(clock.getTime() + 60_000);
    const cookies: string[] = [];
    const me = await (await h.as(null, { onCookie: (c) => cookies.push(c) })).invitations.accept({
      token,
      account: 'existing',
      password: PASSWORD,
    });
    // then: a member now, with their own name, in both organizations with the one password
    expect(me).toEqual({
      user: { id: outsider.me.user.id, name: outsider.me.user.name, email: outsider.email },
      org: { id: admin.me.org.id, name: 'Invite Org' },
      role: 'manager',
    });
    expect(cookies).toHaveLength(1);
    expect(await isMember(admin.me.org.id, outsider.email)).toBe(true);
    const here = await (await h.as(null)).auth.login({
      email: outsider.email,
      password: PASSWORD,
      orgId: admin.me.org.id,
    });
    expect(here.role).toBe('manager');
    expect((await h.login(outsider.email)).me.org.id).toBe(outsider.me.org.id);
    const [audit] = await db.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM audit_log WHERE org_id = $1 AND action = 'invitation.accepted' AND target_id = $2`,
      [admin.me.org.id, forOutsider.invitation.id],
    );
    expect(audit?.data).toMatchObject({ email: outsider.email, role: 'manager', newAccount: false });
  });

  it('given used, revoked and expired links, when opened or accepted, then each is refused in words and nobody joins; a re-sent one works with its new link only', async () => {
    // given
    const api = await h.as(admin);
    const [usedTo, revokedTo, lateTo] = [h.email('used'), h.email('revoked'), h.email('late')];
    const used = await api.invitations.create({ email: usedTo, role: 'agent' });
    const revoked = await api.invitations.create({ email: revokedTo, role: 'agent' });
    const late = await api.invitations.create({ email: lateTo, role: 'manager' });
    const anonymous = await h.as(null);
    await anonymous.invitations.accept({
      token: tokenOf(used.link),
      account: 'new',
      name: 'Ulla',
      password: PASSWORD,
    });
    await api.invitations.revoke({ invitationId: revoked.invitation.id });
    clock = new Date(clock.getTime() + 7 * DAY + 1000);
    const accept = (link: string) =>
      trpcError(
        anonymous.invitations.accept({ token: tokenOf(link), account: 'new', name: 'X', password: PASSWORD }),
      );
    // when
    const reused = await accept(used.link);
    const withdrawn = await accept(revoked.link);
    const expired = await accept(late.link);
    const unknown = await trpcError(anonymous.invitations.get({ token: 'Q'.repeat(43) }));
    // then
    expect([reused.code, reused.message]).toEqual([
      'PRECONDITION_FAILED',
      'This invitation has already been used. Log in to open Invite Org.',
    ]);
    expect([withdrawn.code, withdrawn.message]).toEqual([
      'PRECONDITION_FAILED',
      'This invitation was withdrawn by an admin of Invite Org. Ask them for a new one if you still need it.',
    ]);
    expect(expired.code).toBe('PRECONDITION_FAILED');
    expect(expired.message).toBe(
      `This invitation expired on ${late.invitation.expiresAt.slice(0, 10)}. Ask an admin of Invite Org to send it again.`,
    );
    expect(detailsOf(expired)).toEqual({ reason: 'expired' });
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toMatch(/^This invitation link does not work/);
    for (const email of [revokedTo, lateTo]) expect(await isMember(admin.me.org.id, email)).toBe(false);
    expect((await anonymous.invitations.get({ token: tokenOf(late.link) })).status).toBe('expired');
    expect((await anonymous.invitations.get({ token: tokenOf(revoked.link) })).status).toBe('revoked');
    // the list shows the expired one as such; the revoked and the used ones are gone
    const listed = await api.invitations.list();
    expect(listed.filter((i) => [usedTo, revokedTo, lateTo].includes(i.email))).toEqual([
      expect.objectContaining({ email: lateTo, expired: true }),
    ]);
    // when: the admin sends the expired one again
    const again = await api.invitations.resend({ invitationId: late.invitation.id });
    // then: a new link, 7 more days; the old link no longer works
    expect(again.link).not.toBe(late.link);
    expect(again.invitation).toMatchObject({
      id: late.invitation.id,
      expired: false,
      sentAt: clock.toISOString(),
    });
    expect((await trpcError(anonymous.invitations.get({ token: tokenOf(late.link) }))).code).toBe(
      'NOT_FOUND',
    );
    expect(await mailsTo(db, lateTo, 'invitation')).toHaveLength(2);
    const me = await anonymous.invitations.accept({
      token: tokenOf(again.link),
      account: 'new',
      name: 'Lara Late',
      password: PASSWORD,
    });
    expect(me.role).toBe('manager');
    // a revoked or accepted invitation cannot be re-sent; revoking an accepted one is refused
    const resendRevoked = await trpcError(api.invitations.resend({ invitationId: revoked.invitation.id }));
    expect(resendRevoked.code).toBe('PRECONDITION_FAILED');
    expect((await trpcError(api.invitations.revoke({ invitationId: used.invitation.id }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect(await actions(admin.me.org.id)).toEqual(
      expect.arrayContaining(['invitation.revoked', 'invitation.resent']),
    );
  });

  it('given a member, a second invitation of one address and a team of another organization, when invited, then a conflict, a withdrawn first link and NOT_FOUND with nothing written', async () => {
    // given
    const api = await h.as(admin);
    const member = await h.addMember(admin, 'agent');
    const other = await h.signUp('Team Owner Org', 'owner');
    const foreignTeam = await (await h.as(other)).teams.create({ name: 'Not yours' });
    const invitationsBefore = await db.query('SELECT * FROM invitations ORDER BY id');
    // when
    const dup = await trpcError(api.invitations.create({ email: member.email.toUpperCase(), role: 'admin' }));
    const foreign = await trpcError(
      api.invitations.create({ email: h.email('teamless'), role: 'agent', teamIds: [foreignTeam.id] }),
    );
    // then
    expect([dup.code, dup.message]).toEqual([
      'CONFLICT',
      `${member.email} is already a member of this organization.`,
    ]);
    expect(foreign.code).toBe('NOT_FOUND');
    expect(await db.query('SELECT * FROM invitations ORDER BY id')).toEqual(invitationsBefore);
    // when: the same address is invited twice
    const twice = h.email('twice');
    const first = await api.invitations.create({ email: twice, role: 'agent' });
    const second = await api.invitations.create({ email: twice, role: 'manager' });
    // then: one pending invitation, the newest; the first link no longer works
    expect((await api.invitations.list()).filter((i) => i.email === twice)).toEqual([second.invitation]);
    expect((await (await h.as(null)).invitations.get({ token: tokenOf(first.link) })).status).toBe('revoked');
  });
});
