import { join } from 'node:path';
import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { api, REPO_ROOT, requireChromium, screenshot } from '../support/e2e.ts';
import { drawFlow, exactly } from '../support/canvasGestures.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const ADMIN = { email: 'admin@acme.test', password: 'stepwise-demo' };
const ROUTING_SHOT = join(REPO_ROOT, 'docs/screenshots/routing.png');
const PHONE_FLOW = 'Phone calls';
const PHONE_STEP = 'Call the customer back';
const URGENT_FLOW = 'Urgent phone calls';

/** "1st", "2nd", "3rd", "4th". */
const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;
const runs = requireChromium();

describe.skipIf(!runs)('a manager routes tickets to a new flow in Chromium', () => {
  let app: E2eApp | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let phoneFlowId = '';
  let urgentFlowId = '';

  beforeAll(async () => {
    app = await openE2eApp({ server: { timers: false } });
    ({ server, browser, context, page, problems } = app);
    await logIn(page, server.url, MANAGER, /\/flows$/);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given a blank canvas, when a manager draws a phone flow and publishes it, then a ticket posted with an API token lands on its first step', async () => {
    // given: the demo's order ends with its catch-all
    const before = await api<Outputs['routing']['order']>(
      context,
      server.url,
      'routing.order',
      undefined,
      'query',
    );
    expect(before.at(-1)).toMatchObject({ name: 'Ticket resolution', filters: 'every ticket' });
    // when: the manager draws the flow from a blank canvas
    phoneFlowId = await drawFlow(page, PHONE_FLOW, { channels: ['Phone'], priorities: [] }, PHONE_STEP);
    // … and the publish dialog says where it will stand
    await page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.locator('dialog');
    await dialog
      .locator('.publish-routing')
      .getByText(
        `Routing: takes phone tickets, ${ordinal(before.length)} of ${before.length + 1} in the route order (publishing places it before the catch-all flows).`,
      )
      .waitFor();
    await dialog.getByLabel('What changed', { exact: true }).fill('Phone calls get a call back');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.builder-bar').getByText('Published v1').waitFor();

    // then: an integration posts a phone ticket with an API token (an admin creates it), no reordering
    const adminContext = await browser.newContext();
    const login = await adminContext.request.post(`${server.url}/trpc/auth.login`, {
      data: ADMIN,
      headers: { 'content-type': 'application/json' },
    });
    expect(login.ok()).toBe(true);
    const token = await api<{ token: string }>(
      adminContext,
      server.url,
      'admin.tokens.create',
      { name: 'Phone system' },
      'mutation',
    );
    await adminContext.close();
    const response = await fetch(`${server.url}/trpc/tickets.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'phone',
        subject: 'Please call me back about my invoice',
        description: 'I was charged twice.',
        customer: { name: 'Ines Duarte', email: 'ines@example.com', tier: 'existing' },
        category: 'billing',
        priority: 'normal',
      }),
    });
    expect(response.status).toBe(200);
    const created = ((await response.json()) as { result: { data: TicketDetail } }).result.data;
    expect(created.flow).toEqual({ id: phoneFlowId, name: PHONE_FLOW });
    expect(created.ticket.status).toBe('at_step');
    expect(created.currentStep?.data.title).toBe(PHONE_STEP);
    expect(created.ticket.teamName).toBe('Billing');
  });

  it('given the new flow, when the manager opens Routing and asks the tester about a phone ticket, then it predicts the same flow and says why earlier ones passed', async () => {
    // given
    await page.getByRole('link', { name: 'Routing', exact: true }).click();
    await page.waitForURL(/\/routing$/);
    const items = page.locator('.route-item');
    // (the list shown from the cache is re-read on arrival)
    await expect
      .poll(() => items.locator('.route-title .row-title').allTextContents())
      .toEqual(expect.arrayContaining([PHONE_FLOW]));
    const names = await items.locator('.route-title .row-title').allTextContents();
    expect(names.at(-1)).toBe('Ticket resolution');
    expect(names.at(-2)).toBe(PHONE_FLOW);
    const phoneItem = items.filter({ has: page.locator('.row-title', { hasText: exactly(PHONE_FLOW) }) });
    expect(await phoneItem.locator('.route-filters').textContent()).toBe('Takes phone tickets');
    // when
    const tester = page.locator('.routing-tester');
    await tester.getByLabel('Channel', { exact: true }).selectOption('phone');
    await tester.getByLabel('Category', { exact: true }).fill('billing');
    await tester.getByLabel('Priority', { exact: true }).selectOption('normal');
    await tester.getByLabel('Customer tier', { exact: true }).selectOption('existing');
    await tester.getByRole('button', { name: 'Find the flow' }).click();
    // then
    const answer = tester.locator('.routing-taker');
    await answer
      .getByText(`takes it (${ordinal(names.length - 1)} in the order).`, { exact: false })
      .waitFor();
    expect(await answer.locator('a').textContent()).toBe(PHONE_FLOW);
    const passed = await tester.locator('.routing-passed li').allTextContents();
    expect(passed.length).toBe(names.length - 2);
    for (const line of passed) expect(line).toMatch(/: (takes only|started by hand|not published)/);
  });

  it('given a second flow whose filters an earlier flow covers, when the manager opens the publish dialog, then it reports the shadowing in words and "Move before it" fixes it', async () => {
    // given
    urgentFlowId = await drawFlow(
      page,
      URGENT_FLOW,
      { channels: ['Phone'], priorities: ['Urgent'] },
      'Call within the hour',
    );
    // when
    await page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.locator('dialog');
    const warning = dialog.locator('.publish-routing[role="alert"]');
    // then
    await warning
      .getByText(
        `${PHONE_FLOW}, earlier in the order, takes every phone ticket, priority urgent, so this flow would never start.`,
        { exact: false },
      )
      .waitFor();
    await screenshot(page, 'routing-publish-shadowed');
    // when the manager moves it before the covering flow, in one click
    await warning.getByRole('button', { name: 'Move before it' }).click();
    await page.getByText(/^Order saved: Urgent phone calls is now \d+(st|nd|rd|th) of \d+\.$/).waitFor();
    // then the warning gives way to where it will stand, and it publishes
    await dialog
      .locator('.publish-routing', { hasText: 'Routing: takes phone tickets, priority urgent' })
      .waitFor();
    expect(await warning.count()).toBe(0);
    await dialog.getByLabel('What changed', { exact: true }).fill('Urgent calls first');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.builder-bar').getByText('Published v1').waitFor();
    const order = await api<Outputs['routing']['order']>(
      context,
      server.url,
      'routing.order',
      undefined,
      'query',
    );
    const ids = order.map((f) => f.id);
    expect(ids.indexOf(urgentFlowId)).toBe(ids.indexOf(phoneFlowId) - 1);
    expect(order.every((f) => f.shadowing === null)).toBe(true);
  });

  it('given the Routing page, when the manager reorders with the keyboard and by drag, then each save is toasted, the shadowing warning appears and its one click fixes it', async () => {
    // given
    await page.getByRole('link', { name: 'Routing', exact: true }).click();
    await page.waitForURL(/\/routing$/);
    const items = page.locator('.route-item');
    const names = () => items.locator('.route-title .row-title').allTextContents();
    // (the list shown from the cache is re-read on arrival: wait for the newly published flow)
    await items.filter({ has: page.locator('.row-title', { hasText: exactly(URGENT_FLOW) }) }).waitFor();
    // (earlier toasts say the same words: let them go first)
    await expect.poll(() => page.locator('[data-sonner-toast]').count(), { timeout: 20_000 }).toBe(0);
    const start = await names();
    const urgentAt = start.indexOf(URGENT_FLOW);
    expect(start[urgentAt + 1]).toBe(PHONE_FLOW);
    // when: keyboard — focus "Move Urgent phone calls down" and press Enter
    const down = page.getByRole('button', { name: `Move ${URGENT_FLOW} down` });
    await down.focus();
    await page.keyboard.press('Enter');
    // then
    await page.getByText(`Order saved: ${URGENT_FLOW} is now ${urgentAt + 2}`, { exact: false }).waitFor();
    expect((await names()).slice(urgentAt, urgentAt + 2)).toEqual([PHONE_FLOW, URGENT_FLOW]);
    // … the keyboard stays on the moved flow
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(
      new RegExp(`^Move ${URGENT_FLOW} (up|down)$`),
    );
    // … and it is now shadowed, in words, with a one-click fix
    const urgentItem = items.filter({ has: page.locator('.row-title', { hasText: exactly(URGENT_FLOW) }) });
    await urgentItem
      .locator('.route-shadow')
      .getByText(`${PHONE_FLOW}, earlier in the order, takes every phone ticket, priority urgent.`, {
        exact: false,
      })
      .waitFor();
    // … while the tester says where an urgent phone ticket goes now, and why
    const tester = page.locator('.routing-tester');
    await tester.getByLabel('Channel', { exact: true }).selectOption('phone');
    await tester.getByLabel('Category', { exact: true }).fill('');
    await tester.getByLabel('Priority', { exact: true }).selectOption('urgent');
    await tester.getByRole('button', { name: 'Find the flow' }).click();
    await tester.locator('.routing-taker', { hasText: `${PHONE_FLOW} takes it` }).waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'routing', ROUTING_SHOT);
    await urgentItem.getByRole('button', { name: `Move before ${PHONE_FLOW}` }).click();
    await page.getByText(`Order saved: ${URGENT_FLOW} is now ${urgentAt + 1}`, { exact: false }).waitFor();
    await expect
      .poll(async () => (await names()).slice(urgentAt, urgentAt + 2))
      .toEqual([URGENT_FLOW, PHONE_FLOW]);
    expect(await page.locator('.route-shadow').count()).toBe(0);

    // when: drag — the first flow onto the lower half of the second
    const first = (await names())[0] ?? '';
    const second = (await names())[1] ?? '';
    await items.nth(0).dragTo(items.nth(1), {
      targetPosition: { x: 40, y: ((await items.nth(1).boundingBox())?.height ?? 40) - 6 },
    });
    // then
    await page.getByText(`Order saved: ${first} is now 2nd`, { exact: false }).waitFor();
    await expect.poll(async () => (await names()).slice(0, 2)).toEqual([second, first]);
    const saved = await api<Outputs['routing']['order']>(
      context,
      server.url,
      'routing.order',
      undefined,
      'query',
    );
    expect(saved.slice(0, 2).map((f) => f.name)).toEqual([second, first]);
  });

  it('given the Flows page and a 390 px screen, when the manager looks, then positions and filters are in words and the Routing page fits', async () => {
    // given
    await page.getByRole('link', { name: 'Flows', exact: true }).click();
    await page.waitForURL(/\/flows$/);
    const row = page.locator('tr', { has: page.getByRole('link', { name: PHONE_FLOW, exact: true }) });
    // then
    await row.locator('.flows-routing', { hasText: 'Takes phone tickets' }).waitFor();
    expect(await row.locator('.flows-routing-pos').textContent()).toMatch(
      /^\d+(st|nd|rd|th) in the route order$/,
    );
    await screenshot(page, 'routing-flows');
    // when
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/routing`);
    await page.locator('.route-item').first().waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'routing-390');
    // then
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(problems).toEqual([]);
  });
});
