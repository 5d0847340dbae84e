import { join } from 'node:path';
import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { REPO_ROOT, requireChromium, screenshot } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];

const PASSWORD = 'stepwise-demo';
const SCREENSHOTS = join(REPO_ROOT, 'docs/screenshots');
const MINUTE = 60_000;

/**
 * The server's clock: real time plus an offset the test moves forward. The runtime loop reads it, so
 * moving it past a ticket's SLA makes the loop fire that SLA within its next round.
 */
const clock = { offsetMs: 0 };
const now = () => new Date(Date.now() + clock.offsetMs);

/** Closing a page cuts its live streams; Chromium reports that as an aborted request, by design. */
const realProblems = (problems: readonly string[]) =>
  problems.filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p));

const runs = requireChromium();

describe.skipIf(!runs)('live updates in Chromium', () => {
  let app: E2eApp | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  /** A call to the API with the agent's session cookie. */
  async function call<T>(path: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
    const url = `${server.url}/trpc/${path}`;
    const response =
      kind === 'query'
        ? await context.request.get(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`)
        : await context.request.post(url, { data: input, headers: { 'content-type': 'application/json' } });
    const body = (await response.json()) as { result?: { data: T }; error?: unknown };
    if (!response.ok() || body.result === undefined) {
      throw new Error(`${path} answered ${response.status()}: ${JSON.stringify(body.error)}`);
    }
    return body.result.data;
  }

  const row = (ticketId: string) => page.locator(`table.queue tr[data-ticket-id="${ticketId}"]`);

  beforeAll(async () => {
    app = await openE2eApp({ server: { now } });
    ({ server, context, page, problems } = app);
    await logIn(page, server.url, { email: 'agent1@acme.test', password: PASSWORD }, /\/queue$/);
    await page.locator('table.queue tbody tr').first().waitFor();
    await page.locator('.live-dot.is-live').waitFor();
    await page.evaluate(() => document.documentElement.setAttribute('data-e2e-same-document', 'yes'));
  });

  afterAll(async () => {
    await app?.close();
  });

  let triage: TicketDetail;

  it('given the queue is open, when a ticket arrives for my team, then its row appears, marked as updated, without a reload', async () => {
    triage = await call<TicketDetail>(
      'tickets.create',
      {
        channel: 'chat',
        subject: 'Export to CSV times out',
        description: 'Exporting last quarter’s tickets spins for a minute and then fails.',
        customer: { name: 'Ines Moreau', email: 'ines.moreau@example.com', tier: 'existing' },
        category: 'technical',
        priority: 'normal',
      },
      'mutation',
    );
    expect(triage.currentStep?.data.title).toBe('Triage the ticket');
    await row(triage.ticket.id).waitFor({ timeout: 15_000 });
    expect(await row(triage.ticket.id).getAttribute('class')).toContain('is-updated');
    expect(await row(triage.ticket.id).textContent()).toContain('Triage the ticket');
    // The README's picture of the queue: the demo's tickets at their steps, one overdue, clocks ticking.
    await page.mouse.move(0, 0);
    await page.waitForTimeout(2_800);
    await screenshot(page, 'queue-live', join(SCREENSHOTS, 'queue.png'));
  });

  it('given the queue is open, when the SLA of a ticket passes on the server clock, then the row shows the breach and the raised priority without a reload', async () => {
    const line = row(triage.ticket.id);
    expect(await line.getByText('Breached', { exact: true }).count()).toBe(0);
    expect(await line.locator('.badge', { hasText: 'Normal' }).count()).toBe(1);

    clock.offsetMs += 61 * MINUTE;

    await line.getByText('Breached', { exact: true }).waitFor({ timeout: 15_000 });
    const after = await call<TicketDetail>('tickets.get', { ticketId: triage.ticket.id }, 'query');
    expect(after.ticket.breached).toBe(true);
    expect(after.events.some((e) => e.type === 'sla.breached' || e.type === 'timer.fired')).toBe(true);
    expect(
      await line.locator('.badge', { hasText: after.ticket.priority === 'high' ? 'High' : 'Urgent' }).count(),
    ).toBe(1);
    expect(await line.getAttribute('class')).toContain('is-overdue');
    expect(await page.getAttribute('html', 'data-e2e-same-document')).toBe('yes');
    await screenshot(page, 'queue-breached');
  });

  it('given the queue is filtered to breached tickets, when the URL is shared, then the same filter comes back', async () => {
    // The box mirrors the address: the click changes the URL, and the box follows it.
    await page.getByLabel('SLA breached only').click();
    await page.waitForURL(/breached=1/);
    await expect.poll(() => page.getByLabel('SLA breached only').isChecked()).toBe(true);
    await row(triage.ticket.id).waitFor();
    const url = page.url();
    await page.goto(url);
    expect(await page.getByLabel('SLA breached only').isChecked()).toBe(true);
    await row(triage.ticket.id).waitFor();
    for (const status of await page.locator('table.queue tbody tr').allTextContents())
      expect(status).toMatch(/Breached/);
  });

  it('given a ticket page open, when the ticket gets a message and a move made elsewhere, then the page shows both without a reload', async () => {
    await page.goto(`${server.url}/tickets/${triage.ticket.id}`);
    await page.locator('.live-dot.is-live').waitFor({ timeout: 15_000 });
    await page.evaluate(() => document.documentElement.setAttribute('data-e2e-ticket-document', 'yes'));
    const assignee = page.locator('dt', { hasText: 'Assignee' }).locator('xpath=following-sibling::dd[1]');
    expect(await assignee.textContent()).toBe('Unassigned');

    await call(
      'tickets.addMessage',
      { ticketId: triage.ticket.id, body: 'Checking the export logs now.', from: 'agent' },
      'mutation',
    );
    await page
      .locator('.message-body', { hasText: 'Checking the export logs now.' })
      .waitFor({ timeout: 15_000 });

    const me = (await (await context.request.get(`${server.url}/trpc/auth.me`)).json()) as {
      result: { data: { user: { id: string; name: string } } };
    };
    await call(
      'tickets.assign',
      { ticketId: triage.ticket.id, assigneeId: me.result.data.user.id },
      'mutation',
    );
    await expect.poll(() => assignee.textContent(), { timeout: 15_000 }).toBe(me.result.data.user.name);
    expect(await page.getAttribute('html', 'data-e2e-ticket-document')).toBe('yes');
  });

  it('given everything the page did, when it ends, then the browser reported no error, warning or failed request', async () => {
    expect(realProblems(problems)).toEqual([]);
  });
});
