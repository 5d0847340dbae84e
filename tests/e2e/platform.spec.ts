import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { hashFeedbackToken } from '../../packages/api/src/runtime/feedbackLink.ts';
import { api, requireChromium, screenshot, watchConsole } from '../support/e2e.ts';
import { type E2eApp, openE2eApp } from '../support/e2eApp.ts';
import { lastMailTo, linkIn, tokenOf } from '../support/outbox.ts';
import type { TestDb } from '../support/testDb.ts';

const FOUNDER = {
  org: 'Harbour Support',
  name: 'Hana Harbour',
  email: `hana.${Date.now().toString(36)}@harbour.example`,
  password: 'first password 1',
  next: 'second password 2',
};

const runs = requireChromium();

describe.skipIf(!runs)('a new team goes live from the browser, in Chromium', () => {
  let app: E2eApp | undefined;
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    // No demo organization: a real deployment's empty database.
    app = await openE2eApp({ seed: false, context: { viewport: { width: 1280, height: 900 } } });
    ({ db, server, browser, context, page, problems } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given the login page of a server without the demo, when a new team signs up from it and opens the mailed link, then it lands logged in in the empty app', async () => {
    // given
    await page.goto(`${server.url}/login`);
    await page.getByRole('heading', { name: 'Log in to your workspace' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('complementary', { name: 'Demo accounts' }).count()).toBe(0);
    // when
    await page.getByRole('link', { name: 'Create a workspace for your team' }).click();
    await page.waitForURL(/\/signup$/);
    await page.getByRole('heading', { name: 'Create a workspace for your team' }).waitFor();
    await screenshot(page, 'signup-1280');
    // an empty form names every field and focuses the first
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByText('Enter the name of your organization.').waitFor();
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(4);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('orgName');
    await page.getByLabel('Organization name').fill(FOUNDER.org);
    await page.getByLabel('Your name').fill(FOUNDER.name);
    await page.getByLabel('Work email').fill(FOUNDER.email);
    await page.getByLabel('Password').fill('too short');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByText('Use a password of at least 10 characters.').waitFor();
    await screenshot(page, 'signup-1280-errors');
    await page.getByLabel('Password').fill(FOUNDER.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    // then: the same answer for every address, and nothing logged in yet
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await page.getByText(FOUNDER.email).waitFor();
    await screenshot(page, 'signup-check-inbox');
    expect((await context.cookies()).filter((c) => c.name === 'sw_session')).toEqual([]);
    // when: the link of the mail is opened
    const link = linkIn(await lastMailTo(db, FOUNDER.email, 'sign_up.confirm'));
    expect(link.startsWith(`${server.publicUrl}/signup/confirm/`)).toBe(true);
    // (PUBLIC_URL is http://localhost:<port>; this spec's session lives on server.url, the same server)
    await page.goto(link.replace(server.publicUrl, server.url));
    await page.getByRole('heading', { name: `Create ${FOUNDER.org}` }).waitFor();
    await screenshot(page, 'signup-confirm');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    // then
    await page.waitForURL(/\/flows$/);
    await page.getByText('No flows yet').waitFor();
    await page.locator('.topbar .org', { hasText: FOUNDER.org }).waitFor();
    await page.locator('.topbar .user-name', { hasText: FOUNDER.name }).waitFor();
    const [org] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE u.email = $1 AND m.role = 'admin'`,
      [FOUNDER.email],
    );
    expect(org?.n).toBe(1);
  });

  it('given the new admin, when they change their password from the user menu, log out and back in, then only the new password works', async () => {
    // given
    await page.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change your password' });
    await dialog.waitFor();
    // when: a wrong current password is named on its field
    await dialog.getByLabel('Current password').fill('not my password');
    await dialog.getByLabel(/^New password(?! again)/).fill(FOUNDER.next);
    await dialog.getByLabel('New password again').fill(FOUNDER.next);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('This is not your current password.').waitFor();
    // (a refused change answers 400 by design: allow exactly that one)
    const refused = problems.findIndex((p) => /HTTP 400: POST .*auth\.changePassword/.test(p));
    expect(refused).toBeGreaterThanOrEqual(0);
    problems.splice(refused, 1);
    await screenshot(page, 'change-password-dialog');
    await dialog.getByLabel('Current password').fill(FOUNDER.password);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    // then: the old password is refused, the new one opens the workspace
    await page.getByLabel('Email').fill(FOUNDER.email);
    await page.getByLabel('Password').fill(FOUNDER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('That email and password do not match an account.').waitFor();
    const failed = problems.findIndex((p) => /HTTP 401: POST .*auth\.login/.test(p));
    expect(failed).toBeGreaterThanOrEqual(0);
    problems.splice(failed, 1);
    await page.getByLabel('Password').fill(FOUNDER.next);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/flows$/);
    await page.getByText('No flows yet').waitFor();
    expect(problems).toEqual([]);
  });

  it('given a colleague, when the admin resets their password from the users page, then a temporary password is shown once and works', async () => {
    // given
    const colleague = { name: 'Carl Colleague', email: `carl.${Date.now().toString(36)}@harbour.example` };
    const invited = await api<{ link: string }>(
      context,
      server.url,
      'invitations.create',
      { email: colleague.email, role: 'agent' },
      'mutation',
    );
    const joining = await browser.newContext();
    try {
      const accepted = await joining.request.post(`${server.url}/trpc/invitations.accept`, {
        data: {
          token: tokenOf(invited.link),
          account: 'new',
          name: colleague.name,
          password: 'initial password 1',
        },
        headers: { 'content-type': 'application/json' },
      });
      expect(accepted.status()).toBe(200);
    } finally {
      await joining.close();
    }
    await page.goto(`${server.url}/admin/users`);
    await page.locator('.row-title', { hasText: colleague.name }).waitFor();
    // when
    await page.getByRole('button', { name: `Reset password of ${colleague.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Reset the password of ${colleague.name}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    // then
    const shown = page.getByRole('dialog', { name: `Temporary password for ${colleague.name}` });
    await shown.waitFor();
    const temporary = await shown.getByLabel('Temporary password').inputValue();
    expect(temporary).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    await screenshot(page, 'admin-reset-password');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    const other = await browser.newContext();
    try {
      const login = await other.request.post(`${server.url}/trpc/auth.login`, {
        data: { email: colleague.email, password: temporary },
        headers: { 'content-type': 'application/json' },
      });
      expect(login.status()).toBe(200);
    } finally {
      await other.close();
    }
    const [audit] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.password_reset'`,
    );
    expect(audit?.n).toBe(1);
    expect(problems).toEqual([]);
  });

  it('given a feedback link that was used and one that never existed, when a customer opens them, then each says so in words with a clean console', async () => {
    // given: a ticket of the new team whose feedback link was answered
    const ticket = await api<{ ticket: { id: string } }>(
      context,
      server.url,
      'tickets.create',
      {
        channel: 'email',
        subject: 'Where is my parcel?',
        description: 'It has been a week.',
        customer: { name: 'Ines Duarte', email: 'ines@example.com', tier: 'existing' },
        category: 'shipping',
        priority: 'normal',
      },
      'mutation',
    );
    const token = randomBytes(32).toString('base64url');
    await db.query(
      `INSERT INTO feedback_requests (org_id, ticket_id, token_hash, created_at, expires_at, used_at)
       SELECT org_id, id, $2, now(), now() + interval '30 days', now() FROM tickets WHERE id = $1::uuid`,
      [ticket.ticket.id, hashFeedbackToken(token)],
    );
    const customer = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const view = await customer.newPage();
      const seen = watchConsole(view);
      const consoleErrors: string[] = [];
      view.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
      });
      // when
      await view.goto(`${server.url}/feedback/${token}`);
      // then
      await view.getByRole('heading', { name: 'This link was already used' }).waitFor();
      expect(await view.locator('.public-icon-problem').count()).toBe(1);
      expect(await view.getByRole('button', { name: 'Send feedback' }).count()).toBe(0);
      await screenshot(view, 'feedback-used-390');
      // when: a link that never existed, and one cut short
      await view.goto(`${server.url}/feedback/${'Q'.repeat(43)}`);
      await view.getByRole('heading', { name: 'This link does not work' }).waitFor();
      await view.goto(`${server.url}/feedback/${token.slice(0, 20)}`);
      await view.getByRole('heading', { name: 'This link does not work' }).waitFor();
      await view.waitForLoadState('networkidle');
      // then
      expect(seen).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await customer.close();
    }
  });

  it('given a phone, when the sign-up page opens at 390 px, then it fits without sideways scrolling', async () => {
    // given
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const view = await phone.newPage();
      const seen = watchConsole(view);
      // when
      await view.goto(`${server.url}/signup`);
      await view.getByRole('heading', { name: 'Create a workspace for your team' }).waitFor();
      // then
      expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(view, 'signup-390');
      // and the account's password button stays reachable from the narrow top bar's menu
      await view.goto(`${server.url}/login`);
      await view.getByLabel('Email').fill(FOUNDER.email);
      await view.getByLabel('Password').fill(FOUNDER.next);
      await view.getByRole('button', { name: 'Log in' }).click();
      await view.waitForURL(/\/flows$/);
      await view.getByRole('button', { name: 'Menu' }).click();
      const button = view.getByRole('button', { name: 'Change password' });
      await button.waitFor();
      const box = await button.boundingBox();
      expect((box?.x ?? 999) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
      expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(view, 'app-390');
      expect(seen).toEqual([]);
    } finally {
      await phone.close();
    }
  });
  it('given an email refused by the log-in limits, when someone logs in with it at 390 px, then the page says when to try again', async () => {
    // given: 30 failures counted on the email (from any address) in the last minutes
    const locked = `locked.${Date.now().toString(36)}@harbour.example`;
    await db.query(
      `INSERT INTO rate_limits (scope, key, hits, resets_at) VALUES ('login:account', $1, 30, now() + interval '14 minutes 30 seconds')`,
      [locked],
    );
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const view = await phone.newPage();
      const seen = watchConsole(view);
      await view.goto(`${server.url}/login`);
      // when
      await view.getByLabel('Email').fill(locked);
      await view.getByLabel('Password').fill('any password at all');
      await view.getByRole('button', { name: 'Log in' }).click();
      // then
      await view.getByText('Too many failed log-in attempts. Try again in 15 minutes.').waitFor();
      expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(view, 'login-limited-390');
      // (the refusal answers 429 by design: exactly that one)
      expect(seen).toEqual([expect.stringMatching(/HTTP 429: POST .*auth\.login/)]);
    } finally {
      await phone.close();
    }
  });
});
