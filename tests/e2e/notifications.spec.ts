import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, requireChromium, screenshot, seriousAxeViolations, watchConsole } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type QueueRow = Outputs['tickets']['queue'][number];
type Me = NonNullable<Outputs['auth']['me']>;

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const AGENT = { email: 'agent1@acme.test', password: 'stepwise-demo' };

/** A live stream cut by a navigation is the design, not a failure. */
const realProblems = (problems: readonly string[]) =>
  problems.filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p));

/** The unread count the bell shows (0 when it shows none). */
async function bellCount(page: Page): Promise<number> {
  const label = (await page.locator('.notify-button').getAttribute('aria-label')) ?? '';
  return Number(/, (\d+) unread/.exec(label)?.[1] ?? 0);
}

describe.skipIf(!requireChromium())('notifications in the top bar, in Chromium', () => {
  let app: E2eApp;
  let agent: BrowserContext;
  let page: Page;
  let problems: string[];
  let agentId = '';
  let tickets: QueueRow[] = [];

  beforeAll(async () => {
    app = await openE2eApp();
    await logIn(app.page, app.server.url, MANAGER, /\/(flows|queue)/);
    agent = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
    await agent.grantPermissions(['notifications'], { origin: app.server.url });
    page = await agent.newPage();
    problems = watchConsole(page);
    await logIn(page, app.server.url, AGENT, /\/queue/);
    const me = await api<Me>(agent, app.server.url, 'auth.me', undefined, 'query');
    agentId = me.user.id;
    const rows = await api<QueueRow[]>(
      app.context,
      app.server.url,
      'tickets.queue',
      { scope: 'all', limit: 200 },
      'query',
    );
    // Tickets at a step, not the agent's yet, that the manager can hand to them.
    tickets = rows.filter((r) => r.stepTitle !== null && r.assigneeName === null);
    if (tickets.length < 2) throw new Error('the demo has too few unassigned tickets');
  }, 120_000);

  afterAll(async () => {
    await agent?.close();
    await app?.close();
  });

  it('given the agent on the queue, when the manager assigns them a ticket, then the bell counts it without a reload and the panel names it', async () => {
    // given
    await page.locator('table.queue, .empty').first().waitFor();
    await page.evaluate(() => document.documentElement.setAttribute('data-e2e-same-document', 'yes'));
    const before = await bellCount(page);
    const ticket = tickets[0];
    if (!ticket) throw new Error('no ticket');
    // when
    await api(
      app.context,
      app.server.url,
      'tickets.assign',
      { ticketId: ticket.id, assigneeId: agentId },
      'mutation',
    );
    // then
    await page.waitForFunction(
      (n) =>
        /, (\d+) unread/.exec(
          document.querySelector('.notify-button')?.getAttribute('aria-label') ?? '',
        )?.[1] === String(n),
      before + 1,
      { timeout: 15_000 },
    );
    expect(await page.getAttribute('html', 'data-e2e-same-document')).toBe('yes');
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const panel = page.getByRole('region', { name: 'Your notifications' });
    const item = panel.getByRole('link', { name: new RegExp(`Assigned to you.*#${ticket.number}`) });
    await item.waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'notifications-panel');

    // when: the agent follows it
    await item.click();
    // then: the ticket opens and the notification is read
    await page.waitForURL((url) => url.pathname === `/tickets/${ticket.id}`);
    await page.waitForFunction(
      (n) =>
        (/, (\d+) unread/.exec(
          document.querySelector('.notify-button')?.getAttribute('aria-label') ?? '',
        )?.[1] ?? '0') === String(n),
      before,
      { timeout: 10_000 },
    );
  });

  it('given a ticket of the agent, when its customer replies, then the bell counts it live; mark all read clears the count', async () => {
    // given
    const ticket = tickets[0];
    if (!ticket) throw new Error('no ticket');
    const before = await bellCount(page);
    // when: the customer's answer, as a gateway would pass it on
    await api(
      app.context,
      app.server.url,
      'tickets.addMessage',
      { ticketId: ticket.id, from: 'customer', body: 'Any news on this?' },
      'mutation',
    );
    // then
    await page.waitForFunction(
      (n) =>
        /, (\d+) unread/.exec(
          document.querySelector('.notify-button')?.getAttribute('aria-label') ?? '',
        )?.[1] === String(n),
      before + 1,
      { timeout: 15_000 },
    );
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const panel = page.getByRole('region', { name: 'Your notifications' });
    await panel.getByRole('link', { name: new RegExp(`The customer replied.*#${ticket.number}`) }).waitFor();
    await panel.getByRole('button', { name: 'Mark all read' }).click();
    await page.waitForFunction(
      () => document.querySelector('.notify-button')?.getAttribute('aria-label') === 'Notifications',
      null,
      {
        timeout: 10_000,
      },
    );
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
  });

  it('given the permission, when the agent turns on browser notifications and the tab is in the background, then a new notification is shown by the browser', async () => {
    // given: the choice is made with a click (the permission is asked then, never on load)
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const toggle = page.getByRole('button', { name: 'Also notify me in the browser' });
    await toggle.click();
    await page.getByRole('button', { name: 'Turn off browser notifications' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('stepwise.browserNotifications'))).toBe('on');
    await page.keyboard.press('Escape');
    // The browser's notifications, as the page creates them; the tab seen as in the background.
    await page.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { shown: string[] }).shown = shown;
      const Real = window.Notification;
      class Recording extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(`${title}: ${options?.body ?? ''}`);
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recording, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    });
    const ticket = tickets[1];
    if (!ticket) throw new Error('no second ticket');
    // when
    await api(
      app.context,
      app.server.url,
      'tickets.assign',
      { ticketId: ticket.id, assigneeId: agentId },
      'mutation',
    );
    // then
    await page.waitForFunction(() => (window as unknown as { shown: string[] }).shown.length > 0, null, {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => (window as unknown as { shown: string[] }).shown)).toEqual([
      `Assigned to you: #${ticket.number} ${ticket.subject}`,
    ]);
    expect(realProblems(problems)).toEqual([]);
  });

  it('given a phone, when the agent opens the bell, then it sits in the bar beside the menu and its panel fits the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.server.url}/queue`);
    const bell = page.getByRole('button', { name: /^Notifications/ });
    await bell.waitFor();
    await bell.click();
    const panel = page.getByRole('region', { name: 'Your notifications' });
    await panel.waitFor();
    const box = await panel.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 390).toBe(true);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
    ).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'phone-notifications');
    expect(realProblems(problems)).toEqual([]);
  });
});
