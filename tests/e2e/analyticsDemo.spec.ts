import { join } from 'node:path';
import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, REPO_ROOT, requireChromium, screenshot, seriousAxeViolations } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type FlowSummary = Outputs['flows']['list'][number];

const SHOTS = join(REPO_ROOT, 'docs/screenshots');
/** Arrivals of the history: a smaller one than `npm start` shows, from the same code and seed. */
const ARRIVALS = 600;

const kpi = (page: Page, label: string) =>
  page.locator('.kpi', { has: page.getByText(label, { exact: true }) }).locator('.kpi-value');

/**
 * The analytics a manager reads on the demo: the Refund request flow with 60 days of history on v1 and
 * its v2 (a fast track for small refunds) piloted on 30% of new tickets. The dashboard, the heatmap's
 * three modes, v1 against v2, the pilot readout and its promotion, and a backtest of an edited draft whose
 * result opens a ticket that would go another way.
 */
describe.skipIf(!requireChromium())('the demo’s analytics in Chromium', () => {
  let app: E2eApp;
  let page: Page;
  let flowId = '';

  beforeAll(async () => {
    app = await openE2eApp({ seed: { history: { tickets: ARRIVALS } } });
    page = app.page;
    await logIn(page, app.server.url, { email: 'manager@acme.test', password: 'stepwise-demo' }, /\/flows$/);
    const flows = await api<FlowSummary[]>(app.context, app.server.url, 'flows.list', undefined, 'query');
    flowId = flows.find((f) => f.name === 'Refund request')?.id ?? '';
  }, 240_000);

  afterAll(async () => {
    await app?.close();
  });

  it('given the demo’s history, when the manager opens the refund flow’s analytics, then the figures and charts show it with no serious accessibility problem', async () => {
    await page.getByRole('link', { name: 'Refund request' }).click();
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL(/\/analytics$/);
    await page.getByLabel('Period', { exact: true }).selectOption('90');
    await expect.poll(async () => Number(await kpi(page, 'Finished').textContent())).toBeGreaterThan(100);
    await page.locator('.recharts-surface').first().waitFor();
    expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(10);
    // every node of either version is named, none by its id
    const names = await page
      .locator('section[aria-labelledby="per-step"] tbody tr td:first-child')
      .allTextContents();
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name).not.toMatch(/^[a-z_]+$/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('given the heatmap, when the manager switches between its three modes, then each marks the nodes', async () => {
    const heatmap = page.locator('section[aria-labelledby="heatmap"]');
    for (const [mode, text] of [
      ['Time spent', 'p50'],
      ['SLA breaches', 'breached'],
      ['Waiting now', 'waiting'],
    ] as const) {
      await heatmap.locator('.heat-modes label', { hasText: mode }).click();
      await expect(heatmap.getByRole('radio', { name: mode }).isChecked()).resolves.toBe(true);
      await heatmap.locator('.fnode-heat', { hasText: text }).first().waitFor();
    }
  });

  it('given v1 and v2, when the manager compares them, then a verdict in words names the versions and sample sizes', async () => {
    const compare = page.locator('section[aria-labelledby="compare-versions"]');
    await compare.getByLabel('Compare', { exact: true }).selectOption({ label: 'v1 (active)' });
    await compare.getByLabel('with', { exact: true }).selectOption({ label: 'v2 (pilot)' });
    const verdicts = compare.getByRole('list', { name: 'Verdict' });
    await verdicts.waitFor();
    const text = (await verdicts.textContent()) ?? '';
    expect(text).toMatch(/v2|v1|Not enough data yet/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('given the running pilot, when the manager reads its readout and promotes, then v2 is active for all new tickets', async () => {
    const readout = page.locator('section[aria-labelledby="pilot-readout"]');
    await readout.waitFor();
    expect(await readout.textContent()).toMatch(/Promote|Roll back|Keep collecting/i);
    await page.locator('.pilot-bar').getByRole('button', { name: 'Promote' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByRole('button', { name: 'Promote v2' }).click();
    await page.getByText('v2 is now the active version for all new tickets.').waitFor();
    const flow = await api<Outputs['flows']['get']>(
      app.context,
      app.server.url,
      'flows.get',
      { flowId },
      'query',
    );
    expect(flow.pilotVersionId).toBeNull();
    expect(flow.activeVersionId).not.toBeNull();
  });

  it('given an edited draft (a larger fast track), when the manager backtests it from the builder, then tickets part after the amount check and one of them opens', async () => {
    await page.goto(`${app.server.url}/flows/${flowId}/edit`);
    await page
      .locator('.builder-bar')
      .getByText(/^Saved · revision \d+$/)
      .waitFor();
    await page.locator('.builder-canvas .react-flow__node[data-id="check_amount"] .fnode-title').click();
    await page
      .locator('.builder-side li[data-branch-id="fast_track"]')
      .getByLabel('Rule 1 value')
      .fill('500');
    await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Backtest' }).click();
    await page.waitForURL(/\/analytics\?backtest=draft$/);
    const panel = page.locator('#backtest');
    await expect(panel.getByLabel('Replay', { exact: true }).inputValue()).resolves.toBe('draft');
    await panel.getByRole('button', { name: 'Run backtest' }).click();
    await panel.getByText(/^Replayed the draft over [\d,]+ finished tickets/).waitFor({ timeout: 60_000 });
    expect(Number(await kpi(page, 'Take another path').textContent())).toBeGreaterThan(0);
    const parted = panel.locator('.backtest-table', { hasText: 'Where paths first part' });
    await parted.getByRole('cell', { name: 'How large is the refund?' }).waitFor();
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(SHOTS, 'analytics-backtest.png') });
    await screenshot(page, 'analytics-backtest-page');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // a ticket that would go another way opens
    const first = panel.locator('.backtest-sample-list').getByRole('link').first();
    const label = (await first.textContent()) ?? '';
    await first.click();
    await page.waitForURL(/\/tickets\//);
    await page.getByRole('heading', { name: label.replace(/^#\d+ /, '') }).waitFor();
  });

  it('given everything the manager did, then the browser reported no error or warning', () => {
    expect(app.problems).toEqual([]);
  });
});
