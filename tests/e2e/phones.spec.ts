import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  api,
  REPO_ROOT,
  requireChromium,
  screenshot,
  seriousAxeViolations,
  watchConsole,
} from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type QueueRow = Outputs['tickets']['queue'][number];

const ADMIN = { email: 'admin@acme.test', password: 'stepwise-demo' };
const AGENT = { email: 'agent1@acme.test', password: 'stepwise-demo' };

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
] as const;

/** A live stream cut by a navigation is the design, not a failure. */
const realProblems = (problems: readonly string[]) =>
  problems.filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p));

/**
 * How far the page scrolls sideways (0 when it does not), with the elements that reach past the right
 * edge, to say what to fix when it does.
 */
async function sidewaysOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const overflow = root.scrollWidth - root.clientWidth;
    const culprits: string[] = [];
    if (overflow > 0) {
      for (const element of document.querySelectorAll<HTMLElement>('body *')) {
        const rect = element.getBoundingClientRect();
        if (rect.right > root.clientWidth + 0.5 && rect.width > 0) {
          const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
            typeof element.className === 'string' && element.className
              ? `.${element.className.trim().split(/\s+/).join('.')}`
              : ''
          }`;
          culprits.push(`${name} (right ${Math.round(rect.right)})`);
          if (culprits.length >= 8) break;
        }
      }
    }
    return { overflow, culprits };
  });
}

/** Waits until the page has shown its content (not a loading state) and settled. */
async function settle(page: Page) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForFunction(() => !document.querySelector('.state .spin'), null, {
    timeout: 10_000,
  });
  await page.waitForTimeout(150);
}

describe.skipIf(!requireChromium())('phones and tablets, and the keyboard, in Chromium', () => {
  let app: E2eApp;
  let flowId = '';
  let ticketId = '';

  beforeAll(async () => {
    app = await openE2eApp();
    await logIn(app.page, app.server.url, ADMIN, /\/(flows|queue)/);
    const flows = await api<Outputs['flows']['list']>(
      app.context,
      app.server.url,
      'flows.list',
      undefined,
      'query',
    );
    const flow = flows.find((f) => f.activeVersion !== null);
    if (!flow) throw new Error('the demo has no published flow');
    flowId = flow.id;
    const rows = await api<QueueRow[]>(
      app.context,
      app.server.url,
      'tickets.queue',
      { scope: 'all', limit: 200 },
      'query',
    );
    const atStep = rows.find((r) => r.stepTitle !== null);
    if (!atStep) throw new Error('the demo has no ticket at a step');
    ticketId = atStep.id;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  /** Every page of the app, as an admin sees it (admins see every page). */
  const pages = () => [
    '/queue',
    '/queue?scope=all',
    `/tickets/${ticketId}`,
    '/tickets/new',
    '/flows',
    `/flows/${flowId}`,
    `/flows/${flowId}/edit`,
    `/flows/${flowId}/history`,
    `/flows/${flowId}/compare`,
    `/flows/${flowId}/analytics`,
    '/routing',
    '/admin/users',
    '/admin/teams',
    '/admin/tokens',
    '/admin/webhooks',
    '/admin/integrations',
    '/admin/audit',
    '/no-such-page',
  ];
  /** The pages a visitor sees without a session. */
  const publicPages = ['/login', '/signup', `/feedback/${'Q'.repeat(43)}`, `/invite/${'Q'.repeat(43)}`];

  for (const size of SIZES) {
    it(`given every page at ${size.width} × ${size.height} (${size.name}), when it has loaded, then nothing scrolls sideways`, async () => {
      const { page } = app;
      await page.setViewportSize({ width: size.width, height: size.height });
      const failures: string[] = [];
      for (const path of pages()) {
        await page.goto(`${app.server.url}${path}`);
        await page.locator('#main').waitFor();
        await settle(page);
        const { overflow, culprits } = await sidewaysOverflow(page);
        if (overflow > 0)
          failures.push(`${path}: ${overflow}px wider than the screen — ${culprits.join(', ')}`);
        if (path === '/queue?scope=all') await screenshot(page, `${size.name}-queue-all`);
        if (path === `/tickets/${ticketId}`) await screenshot(page, `${size.name}-ticket-page`);
      }
      const visitor = await app.browser.newContext({ viewport: { width: size.width, height: size.height } });
      try {
        const view = await visitor.newPage();
        for (const path of publicPages) {
          await view.goto(`${app.server.url}${path}`);
          await settle(view);
          const { overflow, culprits } = await sidewaysOverflow(view);
          if (overflow > 0)
            failures.push(`${path}: ${overflow}px wider than the screen — ${culprits.join(', ')}`);
        }
      } finally {
        await visitor.close();
      }
      expect(failures).toEqual([]);
      expect(realProblems(app.problems)).toEqual([]);
    }, 240_000);
  }

  it('given a phone, when the admin opens the menu, then the navigation and the account controls are in it and a link there navigates and closes it', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.server.url}/queue`);
    await settle(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    const toggle = page.getByRole('button', { name: 'Menu' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await nav.waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Log out' }).waitFor({ state: 'visible' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'phone-menu');
    await nav.getByRole('link', { name: 'Flows' }).click();
    await page.waitForURL(/\/flows$/);
    await nav.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');

    // Escape closes it too, and gives the focus back to the button.
    await toggle.click();
    await nav.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await nav.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Menu');
  });

  it('given a phone, when a ticket opens, then the step card comes first, the conversation next, and the flow is folded until asked for', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.server.url}/tickets/${ticketId}`);
    await page.locator('.step-card').waitFor();
    await settle(page);
    const tops = await page.evaluate(() => {
      const top = (selector: string) => document.querySelector(selector)?.getBoundingClientRect().top ?? -1;
      return {
        step: top('.step-card'),
        conversation: top('.conversation'),
        flow: top('.flow-panel'),
        side: top('.ticket-side'),
      };
    });
    expect(tops.step).toBeGreaterThan(0);
    expect(tops.conversation).toBeGreaterThan(tops.step);
    expect(tops.flow).toBeGreaterThan(tops.conversation);
    expect(tops.side).toBeGreaterThan(tops.flow);
    const toggle = page.getByRole('button', { name: 'Flow' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('.flow-panel .react-flow').count()).toBe(0);
    await screenshot(page, 'phone-ticket', join(REPO_ROOT, 'docs/screenshots/phone-ticket.png'));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await toggle.click();
    await page.locator('.flow-panel .react-flow').waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect((await sidewaysOverflow(page)).overflow).toBe(0);

    await page.goto(`${app.server.url}/queue?scope=all`);
    await page.locator('table.queue').waitFor();
    await settle(page);
    await screenshot(page, 'phone-queue');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('given a phone, when a manager opens the builder, then the draft shows read-only with a message saying why', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.server.url}/flows/${flowId}/edit`);
    await page.getByText('Read-only on a phone.').waitFor();
    await page.locator('.react-flow').waitFor();
    const canvas = await page.locator('.react-flow').boundingBox();
    expect(canvas?.width ?? 0).toBeGreaterThan(300);
    expect(await page.locator('.palette, .inspector').count()).toBe(0);
    await screenshot(page, 'phone-builder');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // On a tablet the builder itself opens.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.reload();
    await page.locator('.builder').waitFor();
    expect(await page.getByText('Read-only on a phone.').count()).toBe(0);
    await screenshot(page, 'tablet-builder');
  });

  describe('the keyboard', () => {
    let agent: BrowserContext;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      agent = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
      page = await agent.newPage();
      problems = watchConsole(page);
      await logIn(page, app.server.url, AGENT, /\/queue/);
      await page.locator('table.queue').waitFor();
    });

    afterAll(async () => {
      await agent?.close();
    });

    it('given the queue, when the agent presses J, K and Enter, then the focus moves down and up the rows and Enter opens the ticket', async () => {
      await page.goto(`${app.server.url}/queue?scope=all`);
      await page.locator('table.queue tbody tr').first().waitFor();
      const links = page.locator('table.queue tbody tr a.row-title');
      const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hrefs.length).toBeGreaterThan(2);
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('href'));
      await page.keyboard.press('j');
      expect(await focused()).toBe(hrefs[0]);
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect(await focused()).toBe(hrefs[2]);
      await page.keyboard.press('k');
      expect(await focused()).toBe(hrefs[1]);

      // While typing in a field, the letters are the field's.
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      await help.getByText('Next ticket').waitFor();
      expect(await help.getByText('Undo').count()).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });

      await links.nth(1).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === hrefs[1]);
    });

    it('given a ticket at a step, when the agent presses R, N and 1, then the reply box takes the focus (and no letter), and the first outcome completes the step', async () => {
      // A ticket of the agent's teams with an outcome that needs nothing but the checklist ticked.
      const rows = await api<QueueRow[]>(
        agent,
        app.server.url,
        'tickets.queue',
        { scope: 'teams', limit: 200 },
        'query',
      );
      let opened: string | null = null;
      let digit = '';
      for (const row of rows.filter((r) => r.stepTitle !== null)) {
        await page.goto(`${app.server.url}/tickets/${row.id}`);
        await page.locator('.step-card').waitFor();
        const outcomes = page.locator('.step-card .outcome-btn');
        const gated = await outcomes.evaluateAll((bs) => bs.map((b) => (b as HTMLButtonElement).disabled));
        // A gated outcome's digit does nothing.
        const gatedAt = gated.indexOf(true);
        if (gatedAt >= 0) {
          await page.keyboard.press(String(gatedAt + 1));
          await page.waitForTimeout(300);
          expect(await page.locator('.step-card .step-title').textContent()).toBe(row.stepTitle);
        }
        // Steps asking for more than a choice from a list are left for another test.
        if ((await page.locator('.step-card [aria-required="true"]:not(select)').count()) > 0) continue;
        for (const box of await page.locator('.step-card .checklist input[type="checkbox"]').all())
          await box.check();
        for (const select of await page.locator('.step-card select[aria-required="true"]').all()) {
          const value = await select.locator('option').nth(1).getAttribute('value');
          if (value) await select.selectOption(value);
        }
        const enabled = await outcomes.evaluateAll((bs) => bs.map((b) => !(b as HTMLButtonElement).disabled));
        const at = enabled.indexOf(true);
        if (at >= 0) {
          opened = row.stepTitle;
          digit = String(at + 1);
          break;
        }
      }
      expect(opened).not.toBeNull();

      await page.keyboard.press('r');
      const box = page.locator('.conversation form textarea');
      expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await box.inputValue()).toBe('');
      // Typing in the box is typing: R, N and digits go into it.
      await page.keyboard.type('r1n');
      expect(await box.inputValue()).toBe('r1n');
      await box.fill('');
      await page.locator('h1').click();

      // No note box on this page: N opens the reply box.
      await page.keyboard.press('n');
      expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.locator('h1').click();

      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.getByText('Write a reply to the customer').waitFor();
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });

      await page.keyboard.press(digit);
      await page.waitForFunction(
        (before) => document.querySelector('.step-card .step-title')?.textContent !== before,
        opened,
        { timeout: 15_000 },
      );
      expect(realProblems(problems)).toEqual([]);
    });
  });
});
