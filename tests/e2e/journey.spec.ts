import type { AppRouter } from '@stepwise/api';
import type { FlowDocument } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { drawFlow, nodeOfType } from '../support/canvasGestures.ts';
import { api, requireChromium, screenshot, seriousAxeViolations, watchConsole } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';
import type { TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const ADMIN = { email: 'admin@acme.test', password: 'stepwise-demo' };
const AGENT = { email: 'agent1@acme.test', password: 'stepwise-demo' };
const FLOW = 'Damaged deliveries';
const STEP = 'Check the damage';
const TICKETS = 6;

const kpi = (page: Page, label: string) =>
  page.locator('.kpi', { has: page.getByText(label, { exact: true }) }).locator('.kpi-value');

/**
 * A new team's whole journey, across the features that each have their own tests: a manager draws a
 * flow on a blank canvas and publishes it; another system sends tickets with an API token; an agent works
 * one in the browser; the manager pilots v2 from the publish dialog, migrates the v1 tickets still open
 * and opens their pages; the agent finishes them; the numbers appear in analytics (per version), and a
 * backtest of v2 over the finished tickets — migrated ones included — replays every one on its path.
 */
describe.skipIf(!requireChromium())('a new team, from a blank canvas to its numbers, in Chromium', () => {
  let app: E2eApp | undefined;
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agentContext: BrowserContext;
  let agentPage: Page;
  let agentProblems: string[];
  let flowId = '';
  let v1 = '';
  let v2 = '';
  let token = '';
  const tickets: TicketDetail[] = [];

  const flowOf = () => api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
  const ticketOf = (ticketId: string) =>
    api<TicketDetail>(agentContext, server.url, 'tickets.get', { ticketId }, 'query');
  /** The agent completes the ticket's step with its first outcome, through the procedure the page calls. */
  const finishAsAgent = async (ticketId: string) => {
    const fresh = await ticketOf(ticketId);
    await api(
      agentContext,
      server.url,
      'tickets.complete',
      {
        ticketId,
        expectedSeq: fresh.ticket.seq,
        nodeId: fresh.currentStep?.id,
        outcomeId: fresh.currentStep?.data.outcomes[0]?.id,
        idempotencyKey: `journey-${ticketId}-${fresh.ticket.seq}`,
      },
      'mutation',
    );
  };

  beforeAll(async () => {
    app = await openE2eApp({
      server: { timers: false },
      context: { viewport: { width: 1440, height: 950 } },
    });
    ({ db, server, browser, context, page } = app);
    await logIn(page, server.url, MANAGER, /\/flows$/);
    agentContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    agentPage = await agentContext.newPage();
    agentProblems = watchConsole(agentPage);
  }, 120_000);

  afterAll(async () => {
    await agentContext?.close();
    await app?.close();
  });

  it('given a blank canvas, when the manager draws a flow and publishes it, then v1 is active', async () => {
    flowId = await drawFlow(page, FLOW, { channels: ['Phone'], priorities: [] }, STEP);
    await page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('What changed', { exact: true }).fill('First version');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.builder-bar').getByText('Published v1').waitFor();
    const flow = await flowOf();
    if (!flow.activeVersionId) throw new Error('no active version after publishing');
    v1 = flow.activeVersionId;
  });

  it(`given an API token, when another system sends ${TICKETS} phone tickets, then each lands on the drawn step`, async () => {
    const adminContext = await browser.newContext();
    const login = await adminContext.request.post(`${server.url}/trpc/auth.login`, {
      data: ADMIN,
      headers: { 'content-type': 'application/json' },
    });
    expect(login.ok()).toBe(true);
    token = (
      await api<{ token: string }>(
        adminContext,
        server.url,
        'admin.tokens.create',
        { name: 'Phone system' },
        'mutation',
      )
    ).token;
    await adminContext.close();
    for (let i = 0; i < TICKETS; i++) {
      const response = await fetch(`${server.url}/trpc/tickets.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          channel: 'phone',
          subject: `Parcel ${i + 1} arrived crushed`,
          description: 'The box was crushed in transit.',
          customer: { name: `Caller ${i + 1}`, email: `caller-${i + 1}@example.com`, tier: 'existing' },
          category: 'delivery',
          priority: i === 0 ? 'high' : 'normal',
        }),
      });
      expect(response.status).toBe(200);
      const created = ((await response.json()) as { result: { data: TicketDetail } }).result.data;
      expect(created.flow).toEqual({ id: flowId, name: FLOW });
      expect(created.currentStep?.data.title).toBe(STEP);
      tickets.push(created);
    }
  });

  it('given the tickets in the Billing queue, when the agent opens the first and picks Done, then it closes', async () => {
    await logIn(agentPage, server.url, AGENT, /\/queue/);
    const first = tickets[0];
    if (!first) throw new Error('no ticket');
    await agentPage.getByRole('link', { name: new RegExp(`#${first.ticket.number}\\b`) }).click();
    await agentPage.waitForURL(new RegExp(`/tickets/${first.ticket.id}$`));
    await agentPage.locator('.step-card .step-title', { hasText: STEP }).waitFor();
    await agentPage.locator('.step-card').getByRole('button', { name: /Done/ }).click();
    await expect.poll(async () => (await ticketOf(first.ticket.id)).ticket.status).toBe('ended');
    // a second one through the API as the same agent (the same procedure the page calls)
    const second = tickets[1];
    if (!second) throw new Error('no ticket');
    await finishAsAgent(second.ticket.id);
  });

  it('given the flow, when the manager edits the step and publishes v2 as a 50% pilot, then v1 stays active and v2 is the pilot', async () => {
    await page.goto(`${server.url}/flows/${flowId}/edit`);
    const bar = page.locator('.builder-bar');
    await bar.getByText(/^Saved · revision \d+$/).waitFor();
    await nodeOfType(page, 'step').locator('.fnode-title').click();
    await page
      .locator('.builder-side')
      .getByLabel('Instructions', { exact: true })
      .fill('Ask for a photo of the box before anything else.');
    await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => {
        const step = ((await flowOf()).draft as FlowDocument).nodes.find((n) => n.type === 'step');
        return step?.type === 'step' ? step.data.instructions : null;
      })
      .toBe('Ask for a photo of the box before anything else.');
    await bar.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('What changed', { exact: true }).fill('Photo first (pilot)');
    await dialog.getByRole('radio', { name: /Publish as a pilot on/ }).check();
    await dialog.getByLabel('Pilot share of new tickets (%)').fill('50');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await bar.getByText('Published v2', { exact: true }).waitFor();
    const flow = await flowOf();
    expect(flow.activeVersionId).toBe(v1);
    if (!flow.pilotVersionId) throw new Error('no pilot');
    v2 = flow.pilotVersionId;
  });

  it('given the v1 tickets still open, when the manager migrates them to v2, then their pages render the step and the migration', async () => {
    const open = tickets.slice(2);
    await page.goto(`${server.url}/flows/${flowId}/compare?from=${v1}&to=${v2}`);
    const panel = page.locator('.migrate-panel');
    await panel.locator('table.migrate-tickets tbody tr').first().waitFor();
    await panel.getByRole('button', { name: `Move ${open.length} tickets to v2` }).click();
    await panel.locator('.migrate-result', { hasText: `Moved ${open.length} tickets` }).waitFor();
    for (const t of open) {
      await page.goto(`${server.url}/tickets/${t.ticket.id}`);
      await page.locator('.step-card:not(.is-idle) .step-title', { hasText: STEP }).waitFor();
      expect(await page.locator('.step-card').textContent()).toContain('Ask for a photo of the box');
      await page.locator('.timeline-item[data-event-type="ticket.migrated"]').waitFor();
    }
    await screenshot(page, 'journey-migrated-ticket');
    const moved = await db.query<{ version_id: string }>(
      'SELECT version_id FROM tickets WHERE id = ANY($1::uuid[])',
      [open.map((t) => t.ticket.id)],
    );
    expect(moved.map((t) => t.version_id)).toEqual(open.map(() => v2));
  });

  it('given the migrated tickets, when the agent finishes them on v2, then every ticket of the flow has ended', async () => {
    for (const t of tickets.slice(2)) await finishAsAgent(t.ticket.id);
    const statuses = await db.query<{ status: string }>(
      'SELECT status FROM tickets WHERE flow_id = $1::uuid',
      [flowId],
    );
    expect(statuses.map((s) => s.status)).toEqual(tickets.map(() => 'ended'));
  });

  it('given the finished tickets, when the manager opens analytics, then the figures count them, per version too, with no serious accessibility problem', async () => {
    await page.goto(`${server.url}/flows/${flowId}`);
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL(/\/analytics$/);
    await expect.poll(() => kpi(page, 'Tickets started').textContent()).toBe(String(TICKETS));
    expect(await kpi(page, 'Finished').textContent()).toBe(String(TICKETS));
    expect(await kpi(page, 'Open now').textContent()).toBe('0');
    await page.locator('.recharts-surface').first().waitFor();
    // per version: two finished on v1 (before the pilot), the migrated four on v2
    await page.getByLabel('Version', { exact: true }).selectOption({ label: 'v1 (active)' });
    await expect.poll(() => kpi(page, 'Finished').textContent()).toBe('2');
    await page.getByLabel('Version', { exact: true }).selectOption({ label: 'v2 (pilot)' });
    await expect.poll(() => kpi(page, 'Finished').textContent()).toBe(String(TICKETS - 2));
    // the heatmap of v2: nothing waits now; the time spent at the step is measured
    const heatmap = page.locator('section[aria-labelledby="heatmap"]');
    await heatmap.locator('.heat-modes label', { hasText: 'Time spent' }).click();
    await heatmap
      .locator('.react-flow__node', { hasText: STEP })
      .locator('.fnode-heat', { hasText: 'p50' })
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('given the finished tickets, when the manager backtests v2 over them, then every ticket — migrated ones too — replays on the path it took', async () => {
    const panel = page.locator('#backtest');
    await panel.getByLabel('Replay', { exact: true }).selectOption({ label: 'v2 (pilot)' });
    await panel.getByRole('button', { name: 'Run backtest' }).click();
    await panel.getByText(`Replayed v2 over ${TICKETS} finished tickets.`).waitFor();
    expect(await kpi(page, 'Tickets replayed').textContent()).toBe(String(TICKETS));
    expect(await kpi(page, 'Take another path').textContent()).toBe('0');
    expect(await kpi(page, 'Would wait').textContent()).toBe('0');
    await panel.getByText('Every ticket takes the path it took.').waitFor();
    await screenshot(page, 'journey-analytics');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('given everything both people did, then neither browser reported an error or a warning', () => {
    expect(app?.problems).toEqual([]);
    expect(agentProblems).toEqual([]);
  });
});
