import { type AppRouter, seedDemo } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import {
  api,
  ensureWebBuilt,
  launchBrowser,
  requireChromium,
  screenshot,
  seriousAxeViolations,
  watchConsole,
} from '../support/e2e.ts';
import { handWorkDocument } from '../support/runtimeDocs.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];

const PASSWORD = 'stepwise-demo';
const ADMIN = 'admin@acme.test';
const ALEX = 'agent1@acme.test';
const NOTE = 'Internal: the courier confirmed the parcel is lost; refund without asking for photos.';

const SEARCH_MESSAGE = 'A neighbour has a parcel with a kingfisher sticker on it: could that be mine?';

const runs = requireChromium();

/**
 * An agent works a ticket beyond its step: an internal note (agents only), a macro filled for the ticket,
 * a reassignment with a reason, a priority edit the timeline shows, and a reply sent with the step's
 * outcome in one action; the customer's other tickets beside it; a bulk action in the queue. At 1440 px
 * and at 390 px, with a clean console and no serious axe violation.
 */
describe.skipIf(!runs)('working a ticket in Chromium', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let adminContext: BrowserContext;
  let alexContext: BrowserContext;
  let admin: Page;
  let alex: Page;
  const problems: string[][] = [];
  let ticket: TicketDetail['ticket'];
  let firstName = '';

  async function login(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    problems.push(watchConsole(page));
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return { context, page };
  }

  const realProblems = () =>
    problems.flat().filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p));

  beforeAll(async () => {
    await ensureWebBuilt();
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    if (!(await seedDemo(db))) throw new Error('the demo seed did not run on a fresh database');
    server = await startServer({ db, port: 0 });
    browser = await launchBrowser();
    ({ context: adminContext, page: admin } = await login(ADMIN));
    ({ context: alexContext, page: alex } = await login(ALEX));
    // A flow whose first step belongs to a team Alex is on, and a ticket on it from a returning customer.
    const me = await api<Outputs['auth']['me']>(alexContext, server.url, 'auth.me', undefined, 'query');
    const teams = await api<Outputs['teams']['list']>(
      adminContext,
      server.url,
      'teams.list',
      undefined,
      'query',
    );
    const team = teams.find((t) => me && t.memberIds.includes(me.user.id));
    if (!team) throw new Error('Alex is on no team');
    const document = JSON.parse(
      JSON.stringify(handWorkDocument())
        .replaceAll('team-billing', team.id)
        .replaceAll('team-technical', team.id),
    ) as unknown;
    const flow = await api<{ id: string }>(
      adminContext,
      server.url,
      'flows.create',
      { name: 'Lost parcels', document },
      'mutation',
    );
    await api(adminContext, server.url, 'versions.publish', { flowId: flow.id, message: 'v1' }, 'mutation');
    const customer = { name: 'Noor Haddad', email: 'noor.haddad@example.com', tier: 'vip' };
    await api(
      adminContext,
      server.url,
      'tickets.create',
      {
        channel: 'email',
        subject: 'Wrong size sent',
        description: 'The shoes are a size too small.',
        customer,
        category: 'returns',
        priority: 'low',
      },
      'mutation',
    );
    const created = await api<TicketDetail>(
      adminContext,
      server.url,
      'tickets.create',
      {
        channel: 'email',
        subject: 'Parcel never arrived',
        description: 'Tracking says delivered, but nothing came.',
        customer,
        category: 'hand-work',
        priority: 'normal',
        flowId: flow.id,
      },
      'mutation',
    );
    ticket = created.ticket;
    firstName = customer.name.split(' ')[0] ?? '';
    // The customer writes again: the agent will find the ticket by a word of this message.
    await api(
      adminContext,
      server.url,
      'tickets.addMessage',
      { ticketId: ticket.id, body: SEARCH_MESSAGE, from: 'customer' },
      'mutation',
    );
  }, 240_000);

  afterAll(async () => {
    await adminContext?.close();
    await alexContext?.close();
    await browser?.close();
    await server?.close();
    await db?.dispose();
  });

  it('given an admin, when they add a macro on the admin page, then it is listed with its placeholders', async () => {
    await admin.goto(`${server.url}/admin/macros`);
    await admin.getByRole('button', { name: 'New macro' }).click();
    await admin.getByLabel('Name').fill('Refund on its way');
    await admin
      .getByLabel('Text')
      .fill('Hi {{customer.firstName}}, the refund for #{{ticket.number}} is on its way. — {{agent.name}}');
    await admin.getByRole('button', { name: 'Create macro' }).click();
    await admin.locator('.macro-card', { hasText: 'Refund on its way' }).waitFor();
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await screenshot(admin, 'admin-macros');
  });

  it('given a word of the customer’s last message, when the agent searches for it from the top bar, then the ticket is found and opens', async () => {
    await alex.goto(`${server.url}/queue`);
    await alex.getByRole('searchbox', { name: 'Search tickets' }).fill('kingfisher');
    await alex.getByRole('searchbox', { name: 'Search tickets' }).press('Enter');
    await alex.waitForURL(/[?&]q=kingfisher/);
    const found = alex.locator('table.queue tbody tr');
    await found.first().waitFor();
    expect(await found.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ticket-id')))).toEqual([
      ticket.id,
    ]);
    await found
      .first()
      .getByRole('link', { name: /Parcel never arrived/ })
      .click();
    await alex.waitForURL(new RegExp(`/tickets/${ticket.id}$`));
    await alex.locator('.step-card .step-title', { hasText: 'Assess' }).waitFor();
  });

  it('given the ticket, when the agent adds an internal note, then it shows as a note and is not part of the customer’s conversation', async () => {
    await alex.goto(`${server.url}/tickets/${ticket.id}`);
    await alex.locator('.step-card .step-title', { hasText: 'Assess' }).waitFor();
    const conversation = alex.locator('section.conversation');
    await conversation.getByRole('radio', { name: 'Internal note' }).check();
    await conversation.getByLabel('Your internal note').fill(NOTE);
    await conversation.getByRole('button', { name: 'Add note' }).click();
    const note = conversation.locator('li.is-note', { hasText: 'courier confirmed' });
    await note.waitFor();
    expect(await note.getAttribute('aria-label')).toBe('Internal note, not sent to the customer');
    // The customer-visible messages do not hold it, nor does the conversation the API gives out.
    expect(await conversation.locator('li.message:not(.is-note)').allTextContents()).not.toContain(
      expect.stringContaining('courier confirmed'),
    );
    const page = await api<TicketDetail>(
      alexContext,
      server.url,
      'tickets.get',
      { ticketId: ticket.id },
      'query',
    );
    expect(JSON.stringify(page.conversation)).not.toContain('courier confirmed');
    expect(page.events.some((e) => e.type === 'note.added')).toBe(true);
    await alex
      .locator('.timeline-item[data-event-type="note.added"]', { hasText: 'courier confirmed' })
      .waitFor();
  });

  it('given the macro, when the agent inserts it into a reply, then its placeholders are filled for this ticket', async () => {
    const conversation = alex.locator('section.conversation');
    await conversation.getByRole('radio', { name: 'Reply to the customer' }).check();
    await conversation.getByLabel('Macro').selectOption({ label: 'Refund on its way' });
    await conversation.getByRole('button', { name: 'Insert macro' }).click();
    const text = await conversation.getByLabel('Your reply').inputValue();
    expect(text).toBe(`Hi ${firstName}, the refund for #${ticket.number} is on its way. — Alex Agent`);
    await conversation.getByLabel('Your reply').fill('');
  });

  it('given the customer’s other ticket, when the agent looks beside the ticket, then it is listed by email with the tier', async () => {
    const panel = alex.locator('.customer-panel');
    await panel.getByRole('link', { name: /Wrong size sent/ }).waitFor();
    await panel.getByText('VIP').first().waitFor();
  });

  it('given the ticket, when the agent reassigns it to a colleague with a reason, then the timeline shows the reassignment and its reason', async () => {
    const work = alex.locator('.work-panel');
    await work.getByLabel('Reassign to').selectOption({ label: 'Sam Support' });
    await work.getByLabel('Why reassign').fill('Sam handled this customer last week.');
    await work.getByRole('button', { name: 'Reassign' }).click();
    await alex
      .locator('.timeline-item[data-event-type="ticket.reassigned"]', {
        hasText: 'Sam handled this customer',
      })
      .waitFor();
    await alex.locator('.ticket-side', { hasText: 'Sam Support' }).first().waitFor();
  });

  it('given the ticket, when the agent raises its priority to urgent, then the timeline shows the edit from normal to urgent', async () => {
    const work = alex.locator('.work-panel');
    await work.getByLabel('Priority').selectOption('urgent');
    await work.getByRole('button', { name: 'Save changes' }).click();
    const edited = alex.locator('.timeline-item[data-event-type="ticket.edited"]');
    await edited.waitFor();
    expect(await edited.textContent()).toContain('Priority');
    expect(await edited.textContent()).toContain('“normal”');
    expect(await edited.textContent()).toContain('“urgent”');
    expect(await seriousAxeViolations(alex)).toEqual([]);
    await screenshot(alex, 'ticket-agent-work');
  });

  it('given a reply written on the step card, when the agent presses "Reply and mark Done", then the reply is sent and the urgent ticket goes on to Expedite', async () => {
    const card = alex.locator('.step-card');
    await card
      .getByLabel(/Reply to the customer with the outcome/)
      .fill('We are sending a new parcel today.');
    await card.getByRole('button', { name: /Reply and mark Done/ }).click();
    // The edit to urgent decides the way: the decision after "Assess" sends it to "Expedite".
    await alex.locator('.step-card .step-title', { hasText: 'Expedite' }).waitFor();
    await alex
      .locator('section.conversation li.is-agent', { hasText: 'We are sending a new parcel today.' })
      .waitFor();
  });

  it('given the next step, when the agent presses 1, then its first outcome is taken and the ticket is resolved', async () => {
    await alex.locator('body').click({ position: { x: 5, y: 5 } });
    await alex.keyboard.press('1');
    await alex
      .locator('.timeline-item[data-event-type="step.completed"]', { hasText: 'Expedite' })
      .first()
      .waitFor();
    await expect
      .poll(async () => {
        const { ticket: now } = await api<TicketDetail>(
          alexContext,
          server.url,
          'tickets.get',
          { ticketId: ticket.id },
          'query',
        );
        return `${now.status}/${now.endStatus}`;
      })
      .toBe('ended/resolved');
  });

  it('given the same page at 390 px, when it is looked at on a phone, then the work panels fit, nothing scrolls sideways and axe is clean', async () => {
    await alex.setViewportSize({ width: 390, height: 844 });
    expect(
      await alex.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
    ).toBe(true);
    await alex.locator('.work-panel').scrollIntoViewIfNeeded();
    const overflowing = await alex.evaluate(() =>
      ['.work-panel', '.customer-panel', 'section.conversation', '.step-card']
        .map((selector) => document.querySelector(selector))
        .filter((el): el is Element => el !== null && el.scrollWidth > el.clientWidth + 1)
        .map((el) => el.className),
    );
    expect(overflowing).toEqual([]);
    expect(await seriousAxeViolations(alex)).toEqual([]);
    await screenshot(alex, 'ticket-agent-work-phone');
    await alex.setViewportSize({ width: 1440, height: 900 });
  });

  it('given two queue rows selected, when the agent adds a tag to both, then the bulk bar says it is done and both tickets carry the tag', async () => {
    await alex.goto(`${server.url}/queue`);
    const rows = alex.locator('table.queue tbody tr');
    await rows.first().waitFor();
    const ids = await rows.evaluateAll((trs) =>
      trs.slice(0, 2).map((tr) => tr.getAttribute('data-ticket-id')),
    );
    for (const id of ids) await alex.locator(`tr[data-ticket-id="${id}"] .select-cell input`).check();
    const bar = alex.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('2 selected').waitFor();
    await bar.getByLabel('Action').selectOption('tag');
    await bar.getByLabel('Tag').fill('follow-up');
    expect(await seriousAxeViolations(alex)).toEqual([]);
    await screenshot(alex, 'queue-bulk-bar');
    await bar.getByRole('button', { name: 'Apply' }).click();
    await alex.getByText('Done on 2 tickets.').waitFor();
    for (const id of ids) {
      const page = await api<TicketDetail>(alexContext, server.url, 'tickets.get', { ticketId: id }, 'query');
      expect(page.ticket.tags).toContain('follow-up');
    }
    expect(realProblems()).toEqual([]);
  });
});
