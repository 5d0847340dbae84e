import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRouter, seedDemo } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import {
  api,
  ensureWebBuilt,
  launchBrowser,
  REPO_ROOT,
  requireChromium,
  screenshot,
  watchConsole,
} from '../support/e2e.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];
type QueueRow = Outputs['tickets']['queue'][number];

const AGENT = { email: 'agent1@acme.test', password: 'stepwise-demo', name: 'Alex Agent' };
const MANAGER = { email: 'manager@acme.test', name: 'Maya Manager' };
const SCREENSHOTS = join(REPO_ROOT, 'docs/screenshots');

/** Fills every form field of the current step with a valid value for its type. */
async function fillForm(page: Page, detail: TicketDetail) {
  for (const field of detail.currentStep?.data.form ?? []) {
    const control = page.getByLabel(field.label, { exact: false }).first();
    switch (field.type) {
      case 'boolean':
        // A yes/no answer: two radio buttons in a group named by the field's label.
        await page.getByRole('radiogroup', { name: field.label }).getByRole('radio', { name: 'No' }).check();
        break;
      case 'choice':
        await control.selectOption({ index: 1 });
        break;
      case 'number':
        await control.fill('42');
        break;
      case 'date':
        await control.fill('2025-01-15');
        break;
      case 'email':
        await control.fill('customer@example.com');
        break;
      case 'text':
        // Realistic text: the filled card is the README's picture of the ticket page.
        await control.fill(
          /number/.test(field.key)
            ? 'A-9920'
            : /reference/.test(field.key)
              ? 'RF-20931'
              : 'Checked with the customer',
        );
        break;
    }
  }
}

async function tickRequired(page: Page, detail: TicketDetail) {
  for (const item of detail.currentStep?.data.checklist ?? []) {
    if (item.required) await page.getByRole('checkbox', { name: item.label }).check();
  }
}

const stepHeading = (page: Page) => page.locator('.step-card .step-title');

const runs = requireChromium();

describe.skipIf(!runs)('agent works a ticket in Chromium', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  /** Responses the tests provoke on purpose: a form refused (400) and the conflict (409) of tickets.complete. */
  const expectedFailures: Array<{ path: string; status: number }> = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    const seeded = await seedDemo(db);
    if (!seeded) throw new Error('the demo seed did not run on a fresh database');
    server = await startServer({ db, port: 0 });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    problems = watchConsole(page, {
      allowStatus: (url, status) => {
        const i = expectedFailures.findIndex((f) => url.includes(f.path) && f.status === status);
        if (i < 0) return false;
        expectedFailures.splice(i, 1);
        return true;
      },
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await db?.dispose();
  });

  it('given a visitor, when they open the queue, then they are sent to the login page and can log in as an agent', async () => {
    await page.goto(`${server.url}/queue`);
    await page.waitForURL(/\/login$/);
    // The URL changes before the login page has rendered; wait for its heading rather than sample it.
    await page.getByRole('heading', { name: 'Log in to your workspace' }).waitFor();
    await screenshot(page, 'login');

    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    expectedFailures.push({ path: 'auth.login', status: 401 });
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('do not match');

    await page.getByLabel('Password').fill(AGENT.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/queue$/);
    await page.locator('table.queue tbody tr').first().waitFor();
    const header = await page.locator('header.topbar').textContent();
    expect(header).toContain('Acme Support');
    expect(header).toContain(AGENT.name);
    expect(header).toContain('Agent');
  });

  it('given the queue, when it shows, then each row has its step, priority, team and a ticking SLA clock; overdue rows stand out', async () => {
    const rows = page.locator('table.queue tbody tr');
    expect(await rows.count()).toBeGreaterThan(3);
    const overdue = page.locator('table.queue tr.is-overdue');
    expect(await overdue.count()).toBeGreaterThan(0);
    expect(await overdue.first().textContent()).toMatch(/overdue \d+ (min|h|s)/);

    // A clock under an hour shows seconds, so it visibly moves within a second or two.
    const ticking = page
      .locator('table.queue .sla-ok, table.queue .sla-soon')
      .filter({ hasText: / s$/ })
      .first();
    const before = await ticking.textContent();
    await page.waitForTimeout(1_200);
    expect(await ticking.textContent()).not.toBe(before);
    await screenshot(page, 'queue');

    await page.getByRole('button', { name: 'All' }).click();
    await page.waitForURL(/scope=all/);
    await page.getByRole('button', { name: 'My teams' }).click();
    await page.waitForURL((url) => url.pathname === '/queue' && !url.searchParams.has('scope'));
    await rows.first().waitFor();
  });

  let worked: TicketDetail;

  it('given a ticket at a step, when the agent ticks the checklist, fills the form and picks an outcome, then the ticket moves on', async () => {
    const queue = await api<QueueRow[]>(context, server.url, 'tickets.queue', { scope: 'teams' }, 'query');
    const row = queue.find((r) => r.stepTitle === 'Verify eligibility');
    if (!row)
      throw new Error(
        `no ticket at "Verify eligibility" in the queue: ${queue.map((r) => r.stepTitle).join(', ')}`,
      );
    const before = await api<TicketDetail>(context, server.url, 'tickets.get', { ticketId: row.id }, 'query');
    const step = before.currentStep;
    if (!step) throw new Error('the ticket is not at a step');

    // Every API request the page makes from here: mutations go alone, queries batched.
    const calls: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/trpc/')) calls.push(`${url.pathname}${url.search}`);
    };
    page.on('request', onRequest);
    await page.getByRole('link', { name: new RegExp(`#${row.number}\\b`) }).click();
    await page.waitForURL(new RegExp(`/tickets/${row.id}$`));
    await stepHeading(page).waitFor();
    expect(await stepHeading(page).textContent()).toBe('Verify eligibility');
    await page.locator('.canvas .fnode.is-current').waitFor();

    // Required checklist items gate the outcomes that need them: "Not eligible" waits only for the order
    // to be found, "Eligible" also for the return window and no earlier refund ("Required for Eligible").
    const eligible = page.getByRole('button', { name: /^Eligible/ });
    const notEligible = page.getByRole('button', { name: /^Not eligible/ });
    expect(await eligible.isDisabled()).toBe(true);
    expect(await notEligible.isDisabled()).toBe(true);
    expect(await page.locator('.step-card .required-tag', { hasText: 'Required for Eligible' }).count()).toBe(
      4,
    );
    await page.getByRole('checkbox', { name: 'Order found in the order system' }).check();
    expect(await notEligible.isDisabled()).toBe(false);
    expect(await eligible.isDisabled()).toBe(true);
    expect(await page.locator('.step-card .gate-hints').textContent()).toContain(
      'Tick “Delivered within the 30-day refund window” and “No earlier refund on this order” to pick Eligible.',
    );
    // The yes/no question is a pair of radio buttons, unanswered until the agent picks one.
    const damaged = page.getByRole('radiogroup', { name: 'Item arrived damaged' });
    expect(await damaged.getByRole('radio', { checked: true }).count()).toBe(0);
    await tickRequired(page, before);
    expect(await eligible.isDisabled()).toBe(false);

    // The empty required fields are refused before any request (the server's own check, run in the
    // page), each named, and the first one has the focus.
    await eligible.click();
    await page.locator('.field-error').first().waitFor();
    const invalid = await page.locator('[aria-invalid="true"]').count();
    expect(invalid).toBeGreaterThan(0);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')))
      .toBe('true');

    await fillForm(page, before);
    expect(await damaged.getByRole('radio', { name: 'No' }).isChecked()).toBe(true);
    await page.locator('.step-card').screenshot({ path: join(tmpdir(), 'stepwise-step-card-desktop.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('.step-card').screenshot({ path: join(tmpdir(), 'stepwise-step-card-390.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
    await eligible.click();
    await page.waitForFunction(
      (title) => document.querySelector('.step-card .step-title')?.textContent !== title,
      'Verify eligibility',
    );
    const after = await api<TicketDetail>(context, server.url, 'tickets.get', { ticketId: row.id }, 'query');
    expect(after.ticket.seq).toBeGreaterThan(before.ticket.seq);
    expect(await stepHeading(page).textContent()).toBe(after.currentStep?.data.title);
    page.off('request', onRequest);
    // Only the completion went out, as its own unbatched request (the server's lean path); the focus
    // moved on to the next step.
    expect(calls.filter((c) => c.includes('tickets.complete'))).toEqual(['/trpc/tickets.complete']);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.classList.contains('step-title')))
      .toBe(true);
    expect(calls.some((c) => c.includes('tickets.get') && c.includes('batch=1'))).toBe(true);

    const latest = page.locator('.timeline .timeline-item').first();
    expect(await latest.getAttribute('data-event-type')).toBe(after.events.at(-1)?.type);
    const text = await latest.textContent();
    expect(text).toContain(AGENT.name);
    expect(text).toContain('Verify eligibility');
    expect(text).toContain('Outcome Eligible');
    expect(text).toContain('Needs manager approval?');
    await page.locator('.canvas .fnode.is-current').waitFor();
    expect(await page.locator('.canvas .fnode.is-visited').count()).toBeGreaterThan(1);
    // The success toast goes away by itself.
    await page.locator('[data-sonner-toast]').first().waitFor({ state: 'detached', timeout: 10_000 });
    await screenshot(page, 'ticket');
    worked = after;
  });

  it('given a manager completes the step while the page is open, when the move lands, then the page follows by itself and says who did it', async () => {
    const detail = worked;
    const step = detail.currentStep;
    if (!step) throw new Error('the worked ticket has no next step');
    await tickRequired(page, detail);
    await fillForm(page, detail);
    // The README's picture: a step ready to complete, with the ticket's path on the flow below.
    await screenshot(page, 'ticket-ready', join(SCREENSHOTS, 'ticket.png'));
    await page.evaluate(() => document.documentElement.setAttribute('data-e2e-same-document', 'yes'));

    // Someone else, in another browser: the manager, who may complete any step.
    const manager = await browser.newContext();
    const login = await manager.request.post(`${server.url}/trpc/auth.login`, {
      data: { email: MANAGER.email, password: AGENT.password },
      headers: { 'content-type': 'application/json' },
    });
    expect(login.ok()).toBe(true);
    const outcome = step.data.outcomes[0];
    if (!outcome) throw new Error('the step has no outcome');
    const moved = await api<Outputs['tickets']['complete']>(
      manager,
      server.url,
      'tickets.complete',
      {
        ticketId: detail.ticket.id,
        expectedSeq: detail.ticket.seq,
        nodeId: step.id,
        outcomeId: outcome.id,
        form: Object.fromEntries(
          step.data.form.map((f) => [f.key, f.type === 'number' ? 7 : 'done elsewhere']),
        ),
        checklist: step.data.checklist.map((c) => c.id),
        idempotencyKey: `e2e-manager-${Date.now()}`,
      },
      'mutation',
    );
    await manager.close();
    expect(moved.ticket.seq).toBeGreaterThan(detail.ticket.seq);

    await page
      .getByText(`Updated — ${MANAGER.name} completed ${step.data.title}`)
      .waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      (title) => document.querySelector('.step-card .step-title')?.textContent !== title,
      step.data.title,
    );
    const cardTitle = await stepHeading(page).textContent();
    expect(cardTitle).toBe(moved.currentStep ? moved.currentStep.data.title : 'Waiting');
    await page.waitForFunction(
      (count) => document.querySelectorAll('.timeline .timeline-item').length === count,
      // The page's history, then the manager's move (the answer carries only that one).
      detail.events.length + moved.events.length,
    );
    expect(await page.getAttribute('html', 'data-e2e-same-document')).toBe('yes');
    await screenshot(page, 'ticket-updated');
  });

  it('given the flows page, when the agent opens a flow, then its active version shows on a read-only canvas', async () => {
    await page.getByRole('link', { name: 'Flows' }).click();
    await page.waitForURL(/\/flows$/);
    await page.getByRole('link', { name: 'Refund request' }).waitFor();
    await screenshot(page, 'flows');

    await page.getByRole('link', { name: 'Refund request' }).click();
    await page.locator('.canvas .fnode').first().waitFor();
    const flows = await api<Outputs['flows']['list']>(context, server.url, 'flows.list', undefined, 'query');
    const refund = flows.find((f) => f.name === 'Refund request');
    if (!refund?.activeVersion) throw new Error('the refund flow has no active version');
    const version = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId: refund.activeVersion.id },
      'query',
    );
    expect(await page.locator('.canvas .fnode').count()).toBe(version.document.nodes.length);
    expect(await page.locator('.canvas .react-flow__edge').count()).toBe(version.document.edges.length);
    expect(await page.getByLabel('Version', { exact: true }).inputValue()).toBe(refund.activeVersion.id);
    expect(await page.locator('.canvas .react-flow__minimap').count()).toBe(1);
    await page.waitForTimeout(300);
    await screenshot(page, 'flow', join(SCREENSHOTS, 'flow.png'));
  });

  it('given everything the agent did, when the session ends, then the browser reported no error, warning or failed request', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    expect(expectedFailures).toEqual([]);
    // Leaving a page closes its live stream (SSE), which Chromium reports as an aborted request: by design.
    expect(problems.filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p))).toEqual(
      [],
    );
  });
});
