import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, REPO_ROOT, requireChromium, screenshot } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type FlowSummary = Outputs['flows']['list'][number];

const SHOTS = join(REPO_ROOT, 'docs/screenshots');

/** The text of a key figure on the dashboard, by its label. */
const kpi = (page: Page, label: string) =>
  page.locator('.kpi', { has: page.getByText(label, { exact: true }) }).locator('.kpi-value');

describe.skipIf(!requireChromium())('analytics in Chromium', () => {
  let app: E2eApp;
  let page: Page;
  let flowId = '';

  beforeAll(async () => {
    app = await openE2eApp();
    page = app.page;
    await logIn(page, app.server.url, { email: 'manager@acme.test', password: 'stepwise-demo' }, /\/flows$/);
    const flows = await api<FlowSummary[]>(app.context, app.server.url, 'flows.list', undefined, 'query');
    flowId = flows.find((f) => f.name === 'Refund request')?.id ?? '';
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const report = (input: Record<string, unknown> = {}) => {
    const to = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000);
    const from = new Date(to.getTime() - 30 * 86_400_000);
    return api<Outputs['analytics']['flow']>(
      app.context,
      app.server.url,
      'analytics.flow',
      { flowId, from: from.toISOString(), to: to.toISOString(), ...input },
      'query',
    );
  };

  it('given the demo refund flow, when the manager opens its analytics from the flow page, then the figures are the API’s', async () => {
    await page.getByRole('link', { name: 'Refund request' }).click();
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL(/\/analytics$/);
    await page.getByRole('heading', { name: 'Per step' }).waitFor();
    const expected = await report();
    expect(expected.started).toBeGreaterThan(0);
    expect(await kpi(page, 'Tickets started').textContent()).toBe(String(expected.started));
    expect(await kpi(page, 'Open now').textContent()).toBe(String(expected.openNow));
    // every node the tickets passed is a row, named as on the canvas
    const rows = page.locator('section[aria-labelledby="per-step"] tbody tr');
    expect(await rows.count()).toBe(expected.steps.length);
    await expect(page.getByRole('cell', { name: 'Refund request received' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'analytics-dashboard', join(SHOTS, 'analytics-dashboard.png'));
  });

  it('given the dashboard open, when a ticket arrives by the API, then a reload counts it', async () => {
    const before = await report();
    await api(
      app.context,
      app.server.url,
      'tickets.create',
      {
        channel: 'chat',
        subject: 'Refund for a late delivery',
        description: 'The parcel came a week late.',
        customer: { name: 'Noor Haddad', email: 'noor@example.com', tier: 'vip' },
        category: 'refund',
        priority: 'high',
        flowId,
      },
      'mutation',
    );
    await page.reload();
    await page.getByRole('heading', { name: 'Per step' }).waitFor();
    await expect.poll(() => kpi(page, 'Tickets started').textContent()).toBe(String(before.started + 1));
  });

  it('given filters, when the manager picks a channel, then the URL keeps it and the figures follow', async () => {
    await page.getByLabel('Channel').selectOption('chat');
    await page.waitForURL(/channel=chat/);
    const chat = await report({ channel: 'chat' });
    await expect.poll(() => kpi(page, 'Tickets started').textContent()).toBe(String(chat.started));
    await page.getByLabel('Channel').selectOption('');
    await page.waitForURL((url) => !url.search.includes('channel='));
  });

  it('given the per-step table, when a column header is used, then the rows sort by it and say so', async () => {
    const header = page.getByRole('columnheader', { name: /Time p50/ });
    await header.getByRole('button').click();
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    await header.getByRole('button').click();
    await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');
  });

  it('given the heatmap, when the manager switches its modes and picks a node, then the figures follow and a waiting ticket opens', async () => {
    const heatmap = page.locator('section[aria-labelledby="heatmap"]');
    // A person clicks the mode's words; the radio behind them is checked.
    const pickMode = async (name: string) => {
      await heatmap.locator('.heat-modes label', { hasText: name }).click();
      await expect(heatmap.getByRole('radio', { name }).isChecked()).resolves.toBe(true);
    };
    await heatmap.locator('.fnode-heat').first().waitFor();
    // Waiting now: each node with tickets says how many
    await expect(heatmap.locator('.fnode-heat', { hasText: 'waiting' }).count()).resolves.toBeGreaterThan(0);
    await pickMode('Time spent');
    await page.waitForURL(/heat=time/);
    await heatmap.locator('.fnode-heat', { hasText: 'p50' }).first().waitFor();
    await pickMode('SLA breaches');
    await heatmap.locator('.fnode-heat', { hasText: 'breached' }).first().waitFor();
    await heatmap.scrollIntoViewIfNeeded();
    await heatmap.screenshot({ path: join(SHOTS, 'analytics-heatmap.png') });
    await pickMode('Waiting now');
    // a node picked by click lists the tickets waiting there, which open
    await heatmap.locator('.react-flow__node', { hasText: 'Verify eligibility' }).click();
    const list = heatmap.getByRole('list', { name: 'Tickets waiting here' });
    await list.waitFor();
    const first = list.getByRole('link').first();
    const label = (await first.textContent()) ?? '';
    await first.click();
    await page.waitForURL(/\/tickets\//);
    await page.getByRole('heading', { name: label.replace(/^#\d+ /, '') }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Per step' }).waitFor();
  });

  it('given a table, when its CSV is downloaded, then it holds a header and one line per row', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download per-step figures as CSV' }).click(),
    ]);
    const path = await download.path();
    const lines = readFileSync(path, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('Node,Node id,Visits,SLA breached,Breach rate,Time p50 (s),Time p90 (s)');
    const rows = await page.locator('section[aria-labelledby="per-step"] tbody tr').count();
    expect(lines).toHaveLength(rows + 1);
    expect(download.suggestedFilename()).toBe('refund-request-steps.csv');
  });

  it('given a phone, when the dashboard opens at 390 px, then it fits without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { name: 'Per step' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'analytics-dashboard-390');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('given everything the manager did, then the browser reported no error or warning', () => {
    expect(app.problems).toEqual([]);
  });
});
