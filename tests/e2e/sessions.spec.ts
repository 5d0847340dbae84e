import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium, screenshot, seriousAxeViolations, watchConsole } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

const PASSWORD = 'stepwise-demo';
const ALEX = { email: 'agent1@acme.test', password: PASSWORD };
const ADMIN = { email: 'admin@acme.test', password: PASSWORD };
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

/** Being signed out elsewhere makes the page's next reads answer 401 until it reaches the login page. */
const signedOutReads = (url: string, status: number) => status === 401 && url.includes('/trpc/');

const runs = requireChromium();

describe.skipIf(!runs)('where you are signed in, in Chromium', () => {
  let app: E2eApp;
  let phone: { context: BrowserContext; page: Page; problems: string[] };

  async function openPhone(): Promise<void> {
    const context = await app.browser.newContext({
      viewport: { width: 390, height: 844 },
      userAgent: IPHONE,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    phone = { context, page, problems: watchConsole(page, { allowStatus: signedOutReads }) };
    await logIn(page, app.server.url, ALEX, /\/queue/);
  }

  beforeAll(async () => {
    app = await openE2eApp({ console: { allowStatus: signedOutReads } });
    await openPhone();
  }, 180_000);
  afterAll(async () => {
    await phone?.context.close();
    await app?.close();
  });

  it('given Alex signed in on a laptop and a phone, when they open "Sessions", then both browsers show (this one marked), and signing the phone out signs it out', async () => {
    // given
    const { page } = app;
    await logIn(page, app.server.url, ALEX, /\/queue/);
    // when: opened from the keyboard
    await page.getByRole('button', { name: 'Where you are signed in' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Where you are signed in' });
    await dialog.waitFor();
    const list = dialog.getByRole('list', { name: 'Your sessions' });
    await list.getByRole('listitem').nth(1).waitFor();
    // then
    expect(await list.getByRole('listitem').count()).toBe(2);
    await expect.poll(() => list.getByRole('listitem').first().textContent()).toMatch(/This browser/);
    expect(await list.textContent()).toMatch(/Safari on iPhone/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'sessions-dialog');
    // when
    await dialog.getByRole('button', { name: /^Sign out Safari on iPhone/ }).click();
    // then
    await page.getByText('That browser is signed out.').waitFor();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    await phone.page.reload();
    await phone.page.waitForURL(/\/login/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(app.problems).toEqual([]);
  });

  it('given the phone signed in again, when Alex looks at a 390 px screen and signs out all other browsers from the laptop, then the phone is signed out and the laptop stays', async () => {
    // given
    await openPhone();
    // On a phone the account's buttons are in the top bar's menu.
    await phone.page.getByRole('button', { name: 'Menu' }).click();
    await phone.page.getByRole('button', { name: 'Where you are signed in' }).click();
    const phoneDialog = phone.page.getByRole('dialog', { name: 'Where you are signed in' });
    await phoneDialog.getByRole('listitem').nth(1).waitFor();
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    expect(await seriousAxeViolations(phone.page)).toEqual([]);
    await screenshot(phone.page, 'sessions-dialog-390');
    await phone.page.keyboard.press('Escape');
    // when
    const { page } = app;
    await page.getByRole('button', { name: 'Where you are signed in' }).click();
    const dialog = page.getByRole('dialog', { name: 'Where you are signed in' });
    await dialog.getByRole('listitem').nth(1).waitFor();
    await dialog.getByRole('button', { name: 'Sign out all other browsers' }).click();
    // then
    await page.getByText(/Signed out of 1 other browser/).waitFor();
    await phone.page.reload();
    await phone.page.waitForURL(/\/login/);
    expect(await dialog.getByRole('listitem').count()).toBe(1);
    // when: everywhere, this browser included (asked first)
    await dialog.getByRole('button', { name: 'Sign out everywhere…' }).click();
    await screenshot(page, 'sessions-sign-out-everywhere');
    await dialog.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
    // then
    await page.waitForURL(/\/login/);
    expect(app.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
  });

  it('given Alex signed in on the phone, when an admin signs them out everywhere from Users, then the phone is signed out', async () => {
    // given
    await openPhone();
    const { page } = app;
    await logIn(page, app.server.url, ADMIN, /\/flows$/);
    await page.goto(`${app.server.url}/admin/users`);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    // when
    await page.getByRole('button', { name: 'Sign out everywhere: Alex Agent' }).click();
    const confirm = page.getByRole('dialog', { name: /Sign Alex Agent out everywhere/ });
    await confirm.waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-sign-out-everywhere');
    await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();
    // then
    await page.getByText(/Alex Agent is signed out of 1 session/).waitFor();
    await phone.page.reload();
    await phone.page.waitForURL(/\/login/);
    expect(app.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
  });
});
