import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  api,
  focusedElement,
  REPO_ROOT,
  RESULTS_DIR,
  requireChromium,
  screenshot,
  seriousAxeViolations,
  watchConsole,
} from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type ListPage = Outputs['tickets']['list'];
type ViewList = Outputs['views']['list'];

const PASSWORD = 'stepwise-demo';
const AGENT = 'agent1@acme.test';
const MANAGER = 'manager@acme.test';
/** Open tickets added to the demo, so the manager's view runs to thousands of rows. */
const EXTRA_TICKETS = 1_500;

const runs = requireChromium();

/** The count a view's button in the rail shows. */
async function railCount(page: Page, name: string): Promise<number> {
  const text = await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name })
    .first()
    .textContent();
  return Number((text ?? '').replace(/\D+/g, ''));
}

/** The number of tickets the table says it holds, once every page has loaded. */
async function listedCount(page: Page): Promise<number> {
  const text = (await page.locator('.queue-count').textContent()) ?? '';
  expect(text).not.toContain('+');
  return Number(text.replace(/,/g, '').match(/^\d+/)?.[0]);
}

/** Scrolls to the end of the list until its last page has loaded. */
async function loadAll(page: Page): Promise<void> {
  for (let i = 0; i < 60 && (await page.locator('.queue-count').textContent())?.includes('+'); i++) {
    await page.keyboard.press('End');
    await page.waitForTimeout(250);
  }
}

/** A filter's select, by the words of its label. */
const filterSelect = (page: Page, label: string) =>
  page
    .locator('label.filter')
    .filter({ hasText: new RegExp(`^${label}`) })
    .locator('select');

/**
 * What the viewport shows, to test-results/<name>.png: a long virtualised list stands in for its unrendered
 * rows with padding, so a full-page picture of it is mostly blank.
 */
async function viewportShot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
}

async function noHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describe.skipIf(!runs)('search and views in Chromium', () => {
  let app: E2eApp;
  let page: Page;
  let ticketId: string;

  beforeAll(async () => {
    app = await openE2eApp();
    page = app.page;
    // Thousands of open tickets: copies of a demo ticket at its first step, numbered after the demo's.
    await app.db.query(
      `INSERT INTO tickets (org_id, number, flow_id, version_id, node_id, seq, status, channel, priority, category,
                            subject, description, customer_name, customer_email, customer_tier, team_id,
                            sla_due_at, created_at, updated_at, node_entered_at)
       SELECT t.org_id, m.top + g, t.flow_id, t.version_id, t.node_id, t.seq, t.status, t.channel, t.priority,
              t.category, 'Bulk order question ' || g, t.description, t.customer_name, t.customer_email,
              t.customer_tier, t.team_id, t.sla_due_at + g * interval '1 minute', t.created_at, t.updated_at,
              t.node_entered_at
         FROM (SELECT * FROM tickets WHERE status = 'at_step' ORDER BY number LIMIT 1) t,
              (SELECT max(number) AS top FROM tickets) m, generate_series(1, $1::int) g`,
      [EXTRA_TICKETS],
    );
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  it('given a customer message with a rare word, when an agent searches for it from the top bar, then the ticket is found and opens', async () => {
    // given
    await logIn(page, app.server.url, { email: AGENT, password: PASSWORD }, /\/queue$/);
    const someTicket = await api<ListPage>(
      app.context,
      app.server.url,
      'tickets.list',
      { view: 'teams', sort: 'sla', limit: 1 },
      'query',
    );
    ticketId = someTicket.tickets[0]?.id ?? '';
    expect(ticketId).not.toBe('');
    await api(
      app.context,
      app.server.url,
      'tickets.addMessage',
      { ticketId, body: 'Also: the lamp shaped like a quokka arrived without its bulb.', from: 'customer' },
      'mutation',
    );
    // when
    const search = page.getByRole('searchbox', { name: 'Search tickets' });
    await search.fill('quokka');
    await search.press('Enter');
    await page.waitForURL(/\/queue\?q=quokka$/);
    // then
    const rows = page.locator('table.queue tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-ticket-id')).toBe(ticketId);
    expect(await page.getByRole('heading', { name: 'Search results' }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'search-results', join(REPO_ROOT, 'docs/screenshots/search.png'));
    await rows.first().getByRole('link').click();
    await page.waitForURL(new RegExp(`/tickets/${ticketId}$`));
    await page.getByText('the lamp shaped like a quokka', { exact: false }).first().waitFor();
  });

  it('given the views, when the agent opens each, then its count in the rail is the number of tickets it lists', async () => {
    await page.goto(`${app.server.url}/queue`);
    const rail = page.getByRole('navigation', { name: 'Views' });
    await rail.getByRole('button', { name: /My teams/ }).waitFor();
    for (const name of [
      'My tickets',
      'My teams',
      'Unassigned',
      'Breached',
      'Waiting on customer',
      'Recently closed',
    ]) {
      await rail.getByRole('button', { name }).first().click();
      await page.waitForFunction(
        (n) => document.querySelector('.view-btn[aria-current="true"] .view-name')?.textContent?.includes(n),
        name,
      );
      const count = await railCount(page, name);
      if (count === 0) {
        await page.locator('.empty-state, .empty').first().waitFor();
        continue;
      }
      // The whole list, scrolled to its end so every page loads.
      await page.locator('table.queue tbody tr').first().waitFor();
      await loadAll(page);
      expect({ name, listed: await listedCount(page) }).toEqual({ name, listed: count });
    }
  });

  it('given a filtered view, when the agent saves it for a team, then it shows in the rail with its count and reopens', async () => {
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: /My teams/ })
      .click();
    await filterSelect(page, 'Priority').selectOption('high');
    await filterSelect(page, 'Sort by').selectOption('priority');
    await page.getByRole('button', { name: 'Save view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save this view' });
    await dialog.getByLabel('Name').fill('High for my teams');
    await dialog.getByLabel('Share with').selectOption({ label: 'Team Billing' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save view' }).click();
    const saved = page
      .getByRole('navigation', { name: 'Views' })
      .locator('.view-btn')
      .filter({ hasText: 'High for my teams' });
    await saved.waitFor();
    // The dialog gives the keyboard back when it closes, never to the page's body.
    await expect.poll(() => focusedElement(page)).not.toBe('body');
    await page.waitForURL(/saved=/);
    await page.waitForFunction(() =>
      document.querySelector('.view-btn[aria-current="true"]')?.textContent?.includes('High for my teams'),
    );
    const views = await api<ViewList>(app.context, app.server.url, 'views.list', undefined, 'query');
    const view = views.saved.find((v) => v.name === 'High for my teams');
    expect(view).toMatchObject({
      teamName: 'Billing',
      query: { view: 'teams', priority: ['high'], sort: 'priority' },
    });
    if ((view?.count ?? 0) > 0) {
      await loadAll(page);
      expect(await listedCount(page)).toBe(view?.count);
    }
    await viewportShot(page, 'queue-views');
    // keyboard: the rail's buttons are reachable and work with Enter
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: /Unassigned/ })
      .focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/scope=unassigned/);
    await saved.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/priority=high/);
    expect(app.problems).toEqual([]);
  });

  it('given a phone, when the agent searches and browses views, then nothing scrolls sideways and the page passes axe', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.server.url}/queue?q=quokka`);
    await page.locator('table.queue tbody tr').first().waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'search-results-phone');
    await page.goto(`${app.server.url}/queue`);
    await page.locator('table.queue tbody tr').first().waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await viewportShot(page, 'queue-views-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(app.problems).toEqual([]);
  });

  describe('a manager', () => {
    let context: BrowserContext;
    let manager: Page;
    let problems: string[];

    beforeAll(async () => {
      context = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
      manager = await context.newPage();
      problems = watchConsole(manager);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('given a manager in no team, when they open the queue, then every open ticket shows — thousands, scrolled through a few dozen rows at a time', async () => {
      await logIn(manager, app.server.url, { email: MANAGER, password: PASSWORD }, /\/flows$/);
      await manager.goto(`${app.server.url}/queue`);
      const rail = manager.getByRole('navigation', { name: 'Views' });
      await manager.locator('table.queue tbody tr').first().waitFor();
      expect(await rail.getByRole('button', { name: /All open/ }).getAttribute('aria-current')).toBe('true');
      expect(await rail.getByRole('button', { name: /Unrouted/ }).count()).toBe(1);
      const count = await railCount(manager, 'All open');
      expect(count).toBeGreaterThan(EXTRA_TICKETS);
      // Only the rows near the viewport are in the document, however long the list.
      expect(await manager.locator('table.queue tbody tr').count()).toBeLessThan(80);
      await loadAll(manager);
      expect(await listedCount(manager)).toBe(count);
      expect(await manager.locator('table.queue tbody tr').count()).toBeLessThan(80);
      // The last ticket of the list is on screen at the bottom.
      const lastRow = manager.locator('table.queue tbody tr').last();
      expect(await lastRow.isVisible()).toBe(true);
      await viewportShot(manager, 'queue-manager-end');
      expect(await seriousAxeViolations(manager)).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
});
