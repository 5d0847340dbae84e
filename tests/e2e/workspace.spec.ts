import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppRouter, seedDemo } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import {
  ensureWebBuilt,
  launchBrowser,
  requireChromium,
  screenshot,
  seriousAxeViolations,
  watchConsole,
} from '../support/e2e.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];

const PASSWORD = 'stepwise-demo';
const ADMIN = 'admin@acme.test';
const ALEX = { email: 'agent1@acme.test', name: 'Alex Agent' };
const SAM = { email: 'agent2@acme.test', name: 'Sam Support' };
const CONFLICT_TEXT = 'Another agent completed this step first — here is the ticket as it is now.';

/** One person in their own browser context: their page and what it reported. */
type Session = {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Failed responses this session's test provokes on purpose (a conflict…), consumed as they happen. */
  expected: Array<{ path: string; status: number }>;
};

/**
 * A live stream (SSE) is cut by the browser when its page navigates or closes, which Chromium reports as
 * an aborted request: that is the design, not a failure.
 */
const realProblems = (problems: readonly string[]) =>
  problems.filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p));

async function waitForStepTitle(page: Page, title: string) {
  await page.waitForFunction(
    (expected) => document.querySelector('.step-card .step-title')?.textContent === expected,
    title,
    { timeout: 15_000 },
  );
}

/** Marks the document so a later check can tell the page was never reloaded. */
async function markDocument(page: Page) {
  await page.evaluate(() => document.documentElement.setAttribute('data-e2e-same-document', 'yes'));
}
async function sameDocument(page: Page): Promise<boolean> {
  return (await page.getAttribute('html', 'data-e2e-same-document')) === 'yes';
}

const runs = requireChromium();

describe.skipIf(!runs)('the agent workspace in Chromium', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  const sessions: Session[] = [];
  let admin: Session;
  let alex: Session;
  let sam: Session;
  /** A stand-in for another system receiving webhooks; it answers 204 to everything. */
  let receiver: Server;
  const received: Array<{ id: string | undefined; type: string | undefined }> = [];
  let receiverUrl: string;

  async function newSession(email: string | null): Promise<Session> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const expected: Session['expected'] = [];
    const problems = watchConsole(page, {
      allowStatus: (url, status) => {
        const i = expected.findIndex((f) => url.includes(f.path) && f.status === status);
        if (i < 0) return false;
        expected.splice(i, 1);
        return true;
      },
    });
    const session = { context, page, problems, expected };
    sessions.push(session);
    if (email) {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    }
    return session;
  }

  /** A query of the API with a session's cookie. */
  async function query<T>(session: Session, path: string, input?: unknown): Promise<T> {
    const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const response = await session.context.request.get(`${server.url}/trpc/${path}${search}`);
    const body = (await response.json()) as { result?: { data: T }; error?: unknown };
    if (!response.ok() || body.result === undefined) {
      throw new Error(`${path} answered ${response.status()}: ${JSON.stringify(body.error)}`);
    }
    return body.result.data;
  }

  /** A mutation of the API with a session's cookie. */
  async function mutate<T>(session: Session, path: string, input: unknown): Promise<T> {
    const response = await session.context.request.post(`${server.url}/trpc/${path}`, {
      data: input,
      headers: { 'content-type': 'application/json' },
    });
    const body = (await response.json()) as { result?: { data: T }; error?: unknown };
    if (!response.ok() || body.result === undefined) {
      throw new Error(`${path} answered ${response.status()}: ${JSON.stringify(body.error)}`);
    }
    return body.result.data;
  }

  /** What another system does: POST to /trpc with the organization's API token. */
  async function intake(token: string, input: Record<string, unknown>): Promise<TicketDetail> {
    const response = await fetch(`${server.url}/trpc/tickets.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { result?: { data: TicketDetail }; error?: unknown };
    if (!response.ok || body.result === undefined) {
      throw new Error(`tickets.create answered ${response.status}: ${JSON.stringify(body.error)}`);
    }
    return body.result.data;
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    if (!(await seedDemo(db))) throw new Error('the demo seed did not run on a fresh database');
    server = await startServer({ db, port: 0 });
    receiver = createServer((req, res) => {
      const type = req.headers['content-type'];
      let raw = '';
      req.on('data', (chunk: Buffer) => {
        raw += chunk.toString('utf8');
      });
      req.on('end', () => {
        let eventType: string | undefined;
        try {
          const parsed: unknown = JSON.parse(raw);
          if (parsed && typeof parsed === 'object' && 'type' in parsed && typeof parsed.type === 'string')
            eventType = parsed.type;
        } catch {
          eventType = type;
        }
        const id = req.headers['webhook-id'];
        received.push({ id: typeof id === 'string' ? id : undefined, type: eventType });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/stepwise`;
    browser = await launchBrowser();
    admin = await newSession(ADMIN);
    alex = await newSession(ALEX.email);
    sam = await newSession(SAM.email);
  });

  afterAll(async () => {
    for (const s of sessions) await s.context.close();
    await browser?.close();
    await server?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await db?.dispose();
  });

  let token: string;

  it('given an admin, when they create an API token with scopes and an expiry on the admin page, then it is shown once with a copy button and listed with its scopes', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL(/\/admin\/users$/);
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('button', { name: 'New token' }).click();

    // An empty name and no scope are refused on the spot.
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Name the token after what will use it').waitFor();
    await page.getByText('Choose at least one thing the token may do.').waitFor();

    await page.getByLabel('Token name').fill('Email gateway');
    for (const scope of ['Create tickets', 'Read tickets', 'Add messages'])
      await page.getByRole('checkbox', { name: new RegExp(`^${scope}`) }).check();
    const nextYear = `${new Date().getFullYear() + 1}-06-30`;
    await page.getByLabel('Expires on (optional)').fill(nextYear);
    await screenshot(page, 'admin-token-form');
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your new API token' });
    await dialog.waitFor();
    token = await dialog.getByLabel('Token').inputValue();
    expect(token).toMatch(/^sw_/);
    expect(await dialog.getByText('This is the only time the token is shown').isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    expect(await dialog.getByText('It may: create tickets, read tickets, add messages.').isVisible()).toBe(
      true,
    );
    await screenshot(page, 'admin-token-created');
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.locator('tr', { hasText: 'Email gateway' });
    const prefix = ((await row.locator('code').textContent()) ?? '').replace(/…$/, '');
    expect(prefix.length).toBeGreaterThan(3);
    expect(token.startsWith(prefix)).toBe(true);
    expect(await row.getByRole('list', { name: 'Scopes of Email gateway' }).textContent()).toBe(
      'Create ticketsRead ticketsAdd messages',
    );
    expect(await row.getByText('Active').isVisible()).toBe(true);
    expect(await row.getByText(`Jun 30, ${new Date().getFullYear() + 1}`).isVisible()).toBe(true);
    await screenshot(page, 'admin-tokens');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The full token is never shown again.
    expect(await page.getByText(token).count()).toBe(0);

    // On a phone the list is cards: nothing runs off the screen sideways.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await admin.context.storageState(),
    });
    const phonePage = await phone.newPage();
    const phoneProblems = watchConsole(phonePage);
    await phonePage.goto(`${server.url}/admin/tokens`);
    await phonePage.locator('tr', { hasText: 'Email gateway' }).waitFor();
    await phonePage.getByRole('button', { name: 'New token' }).click();
    await phonePage.getByRole('checkbox', { name: /^Work steps as a bot/ }).waitFor();
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAxeViolations(phonePage)).toEqual([]);
    await screenshot(phonePage, 'admin-tokens-phone');
    await phone.close();
    expect(phoneProblems).toEqual([]);
  });

  it('given the admin, when they put Sam on Billing and add a webhook endpoint, then the team lists Sam and the secret is shown once', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('button', { name: 'Edit members of Billing' }).click();
    const members = page.getByRole('dialog', { name: 'Members of Billing' });
    await members.getByRole('checkbox', { name: new RegExp(SAM.name) }).check();
    await members.getByRole('button', { name: 'Save members' }).click();
    await members.waitFor({ state: 'detached' });
    await page.locator('.team-card', { hasText: 'Billing' }).getByText(SAM.name).waitFor();

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('URL').fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Add endpoint' }).last().click();
    await page.getByText('Enter a full http:// or https:// URL.').waitFor();
    await page.getByLabel('URL').fill(receiverUrl);
    await page.getByLabel('Description').fill('CRM sync');
    await page.getByRole('button', { name: 'Add endpoint' }).last().click();
    const dialog = page.getByRole('dialog', { name: 'Endpoint added' });
    await dialog.waitFor();
    expect((await dialog.getByLabel('Signing secret').inputValue()).length).toBeGreaterThan(16);
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await page.locator('tr', { hasText: receiverUrl }).getByText('Active').waitFor();
  });

  let refund: TicketDetail;

  it('given the token, when another system creates a refund request through the API, then it routes to the Refund request flow', async () => {
    refund = await intake(token, {
      channel: 'email',
      subject: 'Refund for a kettle that arrived broken',
      description: 'The kettle I ordered last week arrived with a cracked lid. I would like my money back.',
      customer: { name: 'Nadia Costa', email: 'nadia.costa@example.com', tier: 'existing' },
      category: 'refund',
      priority: 'normal',
      tags: ['email-gateway'],
    });
    expect(refund.flow?.name).toBe('Refund request');

    // and: the same token reads it back (tickets:read) but may not work its step (no tickets:work)
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const read = await fetch(
      `${server.url}/trpc/tickets.get?input=${encodeURIComponent(JSON.stringify({ ticketId: refund.ticket.id }))}`,
      { headers: auth },
    );
    expect(read.status).toBe(200);
    const readBack = ((await read.json()) as { result: { data: TicketDetail } }).result.data;
    expect(readBack.currentStep?.data.title).toBe('Verify eligibility');
    const listed = await fetch(
      `${server.url}/trpc/tickets.list?input=${encodeURIComponent(JSON.stringify({ search: 'kettle', limit: 5 }))}`,
      { headers: auth },
    );
    const list = (await listed.json()) as { result: { data: { tickets: Array<{ id: string }> } } };
    expect(list.result.data.tickets.map((t) => t.id)).toContain(refund.ticket.id);
    const work = await fetch(`${server.url}/trpc/tickets.complete`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        ticketId: refund.ticket.id,
        expectedSeq: refund.ticket.seq,
        nodeId: 'verify',
        outcomeId: 'eligible',
        idempotencyKey: 'bot-without-work-scope',
      }),
    });
    expect(work.status).toBe(403);
    expect(((await work.json()) as { error: { message: string } }).error.message).toContain('"tickets:work"');

    const { page } = alex;
    await page.goto(`${server.url}/tickets/${refund.ticket.id}`);
    await waitForStepTitle(page, 'Verify eligibility');
    expect(
      await page
        .locator('.ticket-meta')
        .getByRole('link', { name: /Refund request v\d+/ })
        .count(),
    ).toBe(1);
    await page.getByText('The kettle I ordered last week arrived with a cracked lid.').waitFor();
    await page.locator('.canvas .fnode.is-current').waitFor();
  });

  it('given Sam has the ticket open, when Alex ticks the checklist, fills the form and picks Eligible, then Sam’s page follows by itself and says who moved it', async () => {
    await sam.page.goto(`${server.url}/tickets/${refund.ticket.id}`);
    await waitForStepTitle(sam.page, 'Verify eligibility');
    await sam.page.locator('.live-dot.is-live').waitFor();
    await markDocument(sam.page);

    const { page } = alex;
    // Alex glances at the queue first, so the browser holds its list from before the move.
    const queueLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' });
    const row = page.locator('table.queue tbody tr', { hasText: `#${refund.ticket.number} ` });
    await queueLink.click();
    await row.filter({ hasText: 'Verify eligibility' }).waitFor();
    await page.goBack();
    const eligible = page.getByRole('button', { name: /^Eligible/ });
    await eligible.waitFor();
    expect(await eligible.isDisabled()).toBe(true);
    for (const label of [
      'Order found in the order system',
      'Delivered within the 30-day refund window',
      'No earlier refund on this order',
    ])
      await page.getByRole('checkbox', { name: label }).check();
    expect(await eligible.isDisabled()).toBe(false);
    await page.getByLabel('Order number').fill('A-20417');
    await page.getByLabel('Amount to refund').fill('49');
    await page
      .getByRole('radiogroup', { name: 'Item arrived damaged' })
      .getByRole('radio', { name: 'Yes' })
      .check();
    await page.getByLabel('Reason').selectOption('Damaged');
    await eligible.click();
    await waitForStepTitle(page, 'Issue the refund');
    // The action on the way told the customer, in the conversation.
    await page.locator('.conversation .message.is-system', { hasText: 'your refund of 49' }).waitFor();
    // Straight back in the queue, the row shows where the ticket is now, not the list from before.
    await queueLink.click();
    await row.filter({ hasText: 'Issue the refund' }).waitFor({ timeout: 3000 });
    await page.goBack();
    await waitForStepTitle(page, 'Issue the refund');

    await sam.page
      .getByText(`Updated — ${ALEX.name} completed Verify eligibility`)
      .waitFor({ timeout: 15_000 });
    await waitForStepTitle(sam.page, 'Issue the refund');
    expect(await sameDocument(sam.page)).toBe(true);
    await screenshot(sam.page, 'ticket-live-update');
  });

  it('given the ticket is unassigned, when Sam takes it, then Sam’s page says so and Alex’s page shows who took it', async () => {
    await sam.page.getByRole('button', { name: 'Take', exact: true }).click();
    await sam.page.locator('.assign', { hasText: 'Assigned to you' }).waitFor();
    await sam.page.getByRole('button', { name: 'Release' }).waitFor();
    await alex.page.getByText(`Updated — assigned to ${SAM.name}`).waitFor({ timeout: 15_000 });
    await alex.page.locator('.assign', { hasText: `Assigned to ${SAM.name}` }).waitFor();
    await alex.page.getByRole('button', { name: 'Take over' }).waitFor();
    // Taking the ticket is not news to the one who took it.
    expect(await sam.page.getByText('Updated —').count()).toBe(0);
  });

  it('given both agents ready on the same step, when both click the outcome within 50 ms, then one completes it, the other sees the conflict and the fresh state, and there is one step.completed', async () => {
    for (const { page } of [alex, sam]) {
      await page.getByRole('checkbox', { name: 'Refund issued in the payment system' }).check();
      await page.getByRole('checkbox', { name: 'Order marked as refunded' }).check();
      await page.getByLabel('Payment reference').fill('RF-88812');
      // Records when the click reaches the page, to show the two happened within 50 ms.
      await page.evaluate(() => {
        document.addEventListener(
          'click',
          () =>
            document.documentElement.setAttribute(
              'data-e2e-clicked-at',
              String(performance.timeOrigin + performance.now()),
            ),
          { capture: true, once: true },
        );
      });
    }
    alex.expected.push({ path: 'tickets.complete', status: 409 });
    sam.expected.push({ path: 'tickets.complete', status: 409 });

    const answers = [alex, sam].map(({ page }) =>
      page.waitForResponse((r) => r.url().includes('/trpc/tickets.complete'), { timeout: 15_000 }),
    );
    // Real mouse clicks at positions measured beforehand, so both land within a few milliseconds.
    const targets = await Promise.all(
      [alex, sam].map(async ({ page }) => {
        const button = page.getByRole('button', { name: /^Refund issued/ });
        await button.scrollIntoViewIfNeeded();
        const box = await button.boundingBox();
        if (!box || (await button.isDisabled())) throw new Error('the outcome button is not ready');
        return { page, x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }),
    );
    // Press on both first; the clicks happen on release, sent to both pages at once.
    for (const { page, x, y } of targets) {
      await page.mouse.move(x, y);
      await page.mouse.down();
    }
    await Promise.all(targets.map(({ page }) => page.mouse.up()));
    const [a, b] = await Promise.all(
      [alex, sam].map(async ({ page }) => Number(await page.getAttribute('html', 'data-e2e-clicked-at'))),
    );
    expect(Math.abs((a ?? 0) - (b ?? 0))).toBeLessThan(50);

    // Exactly one of the two submissions applied; the other was refused as a conflict.
    const statuses = await Promise.all(answers.map(async (answer) => (await answer).status()));
    expect([...statuses].sort()).toEqual([200, 409]);
    const [loser, winner] = statuses[0] === 409 ? [alex, sam] : [sam, alex];
    await loser.page.getByText(CONFLICT_TEXT).waitFor();
    // Both end on the fresh state: the ticket now waits for the customer's confirmation.
    await Promise.all([waitForStepTitle(alex.page, 'Waiting'), waitForStepTitle(sam.page, 'Waiting')]);
    expect(await winner.page.getByText(CONFLICT_TEXT).count()).toBe(0);
    // The loser's allowance was used by its 409; the winner's was not needed.
    expect(loser.expected).toEqual([]);
    expect(winner.expected).toEqual([{ path: 'tickets.complete', status: 409 }]);
    winner.expected.length = 0;
    await screenshot(loser.page, 'ticket-race-conflict');

    const after = await query<TicketDetail>(admin, 'tickets.get', { ticketId: refund.ticket.id });
    const completions = after.events.filter(
      (e) => e.type === 'step.completed' && e.fromNode === 'issue_refund',
    );
    expect(completions).toHaveLength(1);
    expect(after.ticket.status).toBe('waiting');
  });

  let feedbackUrl: string;

  it('given the ticket waits for the customer, when Alex logs the customer’s reply from a call, then the ticket closes and the conversation carries the feedback link', async () => {
    const { page } = alex;
    await page.getByRole('radio', { name: 'Log customer reply' }).check();
    await page.getByText('logging the customer’s reply moves it on').waitFor();
    await page
      .getByLabel('What the customer said')
      .fill('Got the refund on my card this morning, thank you!');
    await page.getByRole('button', { name: 'Log reply' }).click();
    await waitForStepTitle(page, 'Closed: Resolved');
    await page
      .locator('.conversation .message.is-customer', { hasText: 'Got the refund on my card' })
      .waitFor();

    // The agent sees the one-time link masked (a live link would let them spend it); the customer's
    // message, as sent, carries the absolute address.
    await page.locator('.conversation .message.is-system', { hasText: '…/feedback/••••' }).waitFor();
    expect(await page.locator('.conversation a[href*="/feedback/"]').count()).toBe(0);
    const detail = await query<TicketDetail>(alex, 'tickets.get', { ticketId: refund.ticket.id });
    const [sent] = await db.query<{ body: string }>(
      `SELECT body FROM ticket_messages WHERE ticket_id = $1::uuid AND body LIKE '%/feedback/%'`,
      [refund.ticket.id],
    );
    const href = /https?:\/\/\S+\/feedback\/[A-Za-z0-9_-]{43}/.exec(sent?.body ?? '')?.[0];
    if (!href) throw new Error('the customer was sent no absolute feedback link');
    expect(href.startsWith(server.publicUrl)).toBe(true);
    expect(detail.feedbackLink).toBe(`…/feedback/••••${href.slice(-4)}`);
    // (opened on the address the test server listens at: localhost may resolve to ::1 here)
    feedbackUrl = new URL(new URL(href).pathname, server.url).href;
    await page.getByRole('heading', { name: 'Customer feedback' }).waitFor();
    await page.getByText('Feedback link sent (…/feedback/••••').waitFor();
    await screenshot(page, 'ticket-feedback-masked');
  });

  it('given the feedback link, when the customer opens it without logging in and rates 4 with the keyboard, then the score is recorded once', async () => {
    const customer = await newSession(null);
    const { page } = customer;
    await page.goto(feedbackUrl);
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
    expect(await page.getByText('Acme Support').count()).toBeGreaterThan(0);
    expect(await page.locator('header.topbar').count()).toBe(0);

    // Nothing chosen: the form says so instead of sending.
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Choose a score from 1 to 5.').waitFor();

    // Keyboard: the radio group moves with the arrow keys.
    await page.getByRole('radio', { name: /Very poor/ }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: /Good/ }).isChecked()).toBe(true);
    await page.getByLabel('Anything you would like to tell us?').fill('Quick and friendly, thanks.');
    await screenshot(page, 'feedback');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'This link was already used' }).waitFor();

    const detail = await query<TicketDetail>(alex, 'tickets.get', { ticketId: refund.ticket.id });
    expect(detail.csat?.score).toBe(4);
    expect(detail.csat?.comment).toBe('Quick and friendly, thanks.');
    await alex.page.locator('.csat-number', { hasText: '4/5' }).waitFor({ timeout: 15_000 });
  });

  it('given the new-ticket form, when an agent submits it empty and then filled in, then the problems are named and the ticket opens on its flow', async () => {
    const { page } = alex;
    await page.goto(`${server.url}/queue`);
    await page.locator('table.queue tbody tr').first().waitFor();
    await page.locator('.live-dot.is-live').waitFor();
    await page.getByRole('link', { name: 'New ticket' }).click();
    await page.waitForURL(/\/tickets\/new$/);
    const creates: string[] = [];
    const countCreate = (request: { url: () => string }) => {
      if (request.url().includes('tickets.create')) creates.push(request.url());
    };
    page.on('request', countCreate);
    await page.getByRole('button', { name: 'Create ticket' }).click();
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(3);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    await page.getByText('The subject is required.').waitFor();

    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Omar Haddad');
    // The form checks with the server's own schema: its words, before any request.
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('omar.haddad@');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByText('Enter a valid customer email address.').waitFor();
    expect(creates).toEqual([]);
    page.off('request', countCreate);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('omar.haddad@example.com');
    await page.getByLabel('Tier').selectOption('vip');
    await page.getByLabel('Channel').selectOption('phone');
    await page.getByLabel('Category').fill('refund');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByLabel('Subject').fill('Wants a refund for a double booking');
    await page.getByLabel('Description').fill('Called in: booked the same course twice by mistake.');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field 1 key').fill('order_number');
    await page.getByLabel('Field 1 value').fill('B-7710');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'new-ticket');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await waitForStepTitle(page, 'Verify eligibility');
    expect(
      await page
        .locator('.ticket-meta')
        .getByRole('link', { name: /Refund request v\d+/ })
        .count(),
    ).toBe(1);
    await page.locator('.details', { hasText: 'B-7710' }).waitFor();
  });

  it('given a ticket no flow takes, when the admin opens the Unrouted tab and starts a flow by hand, then the ticket enters it', async () => {
    // The catch-all flow now takes only the categories it names, so an "other" ticket arrives unrouted.
    const flows = await query<Outputs['flows']['list']>(admin, 'flows.list');
    const resolution = flows.find((f) => f.name === 'Ticket resolution');
    if (!resolution) throw new Error('the demo has no Ticket resolution flow');
    const flow = await query<Outputs['flows']['get']>(admin, 'flows.get', { flowId: resolution.id });
    const nodes = flow.draft.nodes.map((n) =>
      n.type === 'start'
        ? {
            ...n,
            data: {
              ...n.data,
              trigger: { ...n.data.trigger, categories: ['billing', 'technical', 'account'] },
            },
          }
        : n,
    );
    await mutate(admin, 'flows.saveDraft', {
      flowId: resolution.id,
      revision: flow.draftRevision,
      document: { ...flow.draft, nodes },
    });
    await mutate(admin, 'versions.publish', {
      flowId: resolution.id,
      message: 'Only billing, technical and account',
    });
    const stray = await intake(token, {
      channel: 'web',
      subject: 'Partnership enquiry from a reseller',
      description: 'We resell support tooling in Portugal and would like to talk.',
      customer: { name: 'Rui Lopes', email: 'rui.lopes@example.com', tier: 'new' },
      category: 'other',
      priority: 'low',
    });
    expect(stray.ticket.status).toBe('unrouted');

    const { page } = admin;
    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('button', { name: 'Unrouted' }).click();
    await page.waitForURL(/scope=unrouted/);
    await page.getByRole('button', { name: `Start flow on ticket #${stray.ticket.number}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Start a flow' });
    await dialog.getByLabel('Flow').selectOption({ label: 'Ticket resolution (v2)' });
    await screenshot(page, 'queue-unrouted-start');
    await dialog.getByRole('button', { name: 'Start flow' }).click();
    await page.waitForURL(new RegExp(`/tickets/${stray.ticket.id}$`));
    await waitForStepTitle(page, 'Triage the ticket');
    const started = await query<TicketDetail>(admin, 'tickets.get', { ticketId: stray.ticket.id });
    expect(started.flow?.name).toBe('Ticket resolution');
  });

  it('given the admin pages, when the admin looks at deliveries and the audit log, then the webhook calls and the configuration changes are there', async () => {
    const { page } = admin;
    await page.locator('header.topbar').getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.locator('tr', { hasText: 'Delivered' }).first().waitFor({ timeout: 20_000 });
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => typeof r.id === 'string' && r.id.length > 0)).toBe(true);
    await screenshot(page, 'admin-webhooks');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const table = page.locator('table.audit');
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('Ada Admin');
    expect(text.toLowerCase()).toContain('token');
    expect(text.toLowerCase()).toContain('webhook');
    await screenshot(page, 'admin-audit');
  });

  it('given an agent, when they look for the admin pages, then the menu hides them and the address says admins only', async () => {
    const { page } = sam;
    expect(await page.locator('header.topbar').getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${server.url}/admin/tokens`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
  });

  it('given everything the sessions did, when they end, then no browser reported an error, a warning or an unexpected failed request', async () => {
    for (const s of sessions) {
      expect(s.expected).toEqual([]);
      expect(realProblems(s.problems)).toEqual([]);
    }
  });
});
