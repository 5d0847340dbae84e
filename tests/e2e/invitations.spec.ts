import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { apiHarness, PASSWORD, type TestUser } from '../support/apiSession.ts';
import {
  focusedElement,
  requireChromium,
  screenshot,
  seriousAxeViolations,
  watchConsole,
} from '../support/e2e.ts';
import { type E2eApp, openE2eApp } from '../support/e2eApp.ts';
import type { TestDb } from '../support/testDb.ts';

const runs = requireChromium();

describe.skipIf(!runs)('invitations, in Chromium', () => {
  let app: E2eApp | undefined;
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let admin: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    app = await openE2eApp({ seed: false, context: { viewport: { width: 1280, height: 900 } } });
    ({ db, server, browser, context, page, problems } = app);
    const h = apiHarness(db, { publicUrl: server.publicUrl });
    admin = await h.signUp('Harbour Support', 'Hana Admin');
    outsider = await h.signUp('Elsewhere Ltd', 'Otto Outsider');
    await (await h.as(admin)).teams.create({ name: 'Billing' });
    const [name, value] = admin.cookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: server.url }]);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  });

  afterAll(async () => {
    await app?.close();
  });

  /** The admin invites an address from the members page and copies the link shown; returns the link. */
  async function inviteFromUsersPage(email: string, role: string, teams: string[] = []): Promise<string> {
    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('button', { name: 'Invite user' }).click();
    const form = page.getByRole('form', { name: 'Invite a user' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption({ label: role });
    for (const team of teams) await form.getByLabel(team).check();
    await form.getByRole('button', { name: 'Send invitation' }).click();
    const shown = page.getByRole('region', { name: `Invitation link for ${email}` });
    await shown.waitFor();
    const link = await shown.getByLabel('Invitation link').inputValue();
    await shown.getByRole('button', { name: 'Copy link' }).click();
    await shown.getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    return link;
  }

  it('given an admin, when they invite a new address and the invitee opens the copied link on a phone, then the invitee sets a password and lands in the app as a member', async () => {
    // given
    const email = `nina.${Date.now().toString(36)}@harbour.example`;
    // when
    const link = await inviteFromUsersPage(email, 'Agent — works tickets', ['Billing']);
    // then: the link is absolute on PUBLIC_URL; the invitation is pending, nobody joined yet
    expect(link).toMatch(new RegExp(`^${server.publicUrl}/invite/[A-Za-z0-9_-]{43}$`));
    const pending = page.getByRole('region', { name: 'Pending invitations' });
    await pending.locator('.row-title', { hasText: email }).waitFor();
    expect(await page.locator('.row-title', { hasText: 'Nina Newcomer' }).count()).toBe(0);
    await screenshot(page, 'invite-link-1280');
    // The success toast is on screen here: its colours are judged too.
    expect(await seriousAxeViolations(page)).toEqual([]);
    // when: the invitee opens it in their own browser, on a phone
    const invitee = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const view = await invitee.newPage();
      const seen = watchConsole(view);
      await view.goto(link);
      await view.getByRole('heading', { name: 'Join Harbour Support' }).waitFor();
      await view.getByText(`You are invited as an agent with ${email}.`).waitFor();
      expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(view, 'invite-accept-390');
      expect(await seriousAxeViolations(view)).toEqual([]);
      // a too-short password is named on its field, and nothing is sent
      await view.getByLabel('Your name').fill('Nina Newcomer');
      await view.getByLabel('Choose a password').fill('short');
      await view.getByRole('button', { name: 'Create account and join' }).click();
      await view.getByText('Use a password of at least 10 characters.').waitFor();
      await view.getByLabel('Choose a password').fill('nina password 1');
      await view.getByLabel('Choose a password').press('Enter');
      // then
      await view.waitForURL(/\/queue$/);
      // (the narrow top bar hides the organization's name)
      await view.locator('.topbar .org', { hasText: 'Harbour Support' }).waitFor({ state: 'attached' });
      await screenshot(view, 'invite-accepted-390');
      expect(seen).toEqual([]);
    } finally {
      await invitee.close();
    }
    await page.reload();
    await page.locator('.row-title', { hasText: 'Nina Newcomer' }).waitFor();
    expect(await page.getByRole('region', { name: 'Pending invitations' }).count()).toBe(0);
    const [member] = await db.query<{ teams: number }>(
      `SELECT count(*)::int AS teams FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE u.email = $1`,
      [email],
    );
    expect(member?.teams).toBe(1);
    expect(problems).toEqual([]);
  });

  it('given a person of another organization, when invited and they accept by signing in with their one password (keyboard only), then they are a member only then', async () => {
    // given
    const link = await inviteFromUsersPage(outsider.email, 'Manager — designs flows, manages teams');
    expect(await page.locator('.row-title', { hasText: outsider.me.user.name }).count()).toBe(0);
    const invitee = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const view = await invitee.newPage();
      const seen = watchConsole(view, {
        // the wrong password on purpose answers 400 by design
        allowStatus: (url, status) => status === 400 && url.includes('invitations.accept'),
      });
      await view.goto(link);
      await view.getByRole('heading', { name: 'Join Harbour Support' }).waitFor();
      // when: by keyboard, "I already use Stepwise", a wrong password, then the right one
      await view.getByRole('radio', { name: 'I am new to Stepwise' }).focus();
      await view.keyboard.press('ArrowDown');
      expect(
        await view.getByRole('radio', { name: 'I already use Stepwise with this address' }).isChecked(),
      ).toBe(true);
      expect(await view.getByLabel('Your name').count()).toBe(0);
      await view.keyboard.press('Tab');
      expect(await view.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('password');
      await view.keyboard.type('not my password');
      await view.keyboard.press('Enter');
      await view.getByText(`This password does not open a Stepwise account for ${outsider.email}.`).waitFor();
      expect(
        await db.query('SELECT 1 FROM memberships WHERE user_id = $1 AND org_id = $2', [
          outsider.me.user.id,
          admin.me.org.id,
        ]),
      ).toEqual([]);
      await screenshot(view, 'invite-existing-wrong-password');
      await view.getByLabel('Your password').fill(PASSWORD);
      await view.keyboard.press('Enter');
      // then
      await view.waitForURL(/\/flows$/);
      await view.locator('.topbar .org', { hasText: 'Harbour Support' }).waitFor();
      await view.locator('.topbar .user-name', { hasText: outsider.me.user.name }).waitFor();
      expect(seen).toEqual([]);
    } finally {
      await invitee.close();
    }
    await page.reload();
    await page.locator('.row-title', { hasText: outsider.me.user.name }).waitFor();
    expect(problems).toEqual([]);
  });

  it('given a pending invitation, when the admin revokes it, then its link says it was withdrawn', async () => {
    // given
    const email = `rita.${Date.now().toString(36)}@harbour.example`;
    const link = await inviteFromUsersPage(email, 'Agent — works tickets');
    await page.getByRole('button', { name: 'Done' }).click();
    // when
    await page.getByRole('button', { name: `Revoke the invitation of ${email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke the invitation of ${email}?` });
    await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The keyboard is not dropped: the Revoke button went with the invitation, so the page's main region
    // takes the focus (the next Tab goes on from there, not from the top of the page).
    await expect.poll(() => focusedElement(page)).toMatch(/^main#main/);
    // then
    const view = await (await browser.newContext()).newPage();
    try {
      await view.goto(link);
      await view.getByRole('heading', { name: 'This invitation was withdrawn' }).waitFor();
      await screenshot(view, 'invite-revoked');
    } finally {
      await view.context().close();
    }
    const [audit] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE org_id = $1 AND action = 'invitation.revoked'`,
      [admin.me.org.id],
    );
    expect(audit?.n).toBe(1);
    expect(problems).toEqual([]);
  });

  it('given a phone, when the admin opens the invite form at 390 px, then it fits and every control is labelled', async () => {
    // given
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      // when
      await page.goto(`${server.url}/admin/users`);
      await page.getByRole('button', { name: 'Invite user' }).click();
      const form = page.getByRole('form', { name: 'Invite a user' });
      await form.getByLabel('Email').waitFor();
      // then
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      for (const label of ['Email', 'Role', 'Billing']) expect(await form.getByLabel(label).count()).toBe(1);
      await form.getByRole('button', { name: 'Send invitation' }).click();
      await form.getByText('Enter a valid email address.').waitFor();
      await screenshot(page, 'invite-form-390');
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
