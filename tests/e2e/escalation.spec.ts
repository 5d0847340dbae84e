import type { AppRouter } from '@stepwise/api';
import { CURRENT_SCHEMA_VERSION, type FlowDocument } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { api, requireChromium, screenshot } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];
type Team = Outputs['teams']['list'][number];

const MINUTE = 60_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The server's clock: real time plus an offset the test moves past the SLA (the runtime loop reads it). */
const clock = { offsetMs: 0 };
const now = () => new Date(Date.now() + clock.offsetMs);

/** Closing a page cuts its live streams; Chromium reports that as an aborted request, by design. */
const realProblems = (problems: readonly string[]) =>
  problems.filter((p) => !/^request failed: GET .*\/trpc\/live\.\w+.*ERR_ABORTED/.test(p));

/**
 * Billing works the ticket (30-minute SLA); when the SLA passes, "Escalate to Senior" raises the
 * priority and hands the ticket to Senior, then "Senior takes over" — drawn here with Billing, the
 * test switches it to the ticket's current team in the inspector.
 */
function escalationFlow(billing: string, senior: string): FlowDocument {
  const step = (id: string, title: string, teamId: string, x: number, y: number) => ({
    id,
    type: 'step' as const,
    position: { x, y },
    data: {
      title,
      instructions: 'Work the ticket.',
      checklist: [],
      form: [],
      teamId,
      slaMinutes: 30,
      outcomes: [{ id: 'done', label: 'Done' }],
    },
  });
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Escalation journey',
          trigger: { mode: 'manual', channels: [], categories: [], priorities: [], tiers: [] },
        },
      },
      step('work', 'Answer the customer', billing, 280, 0),
      {
        id: 'escalate',
        type: 'action',
        position: { x: 280, y: 240 },
        data: {
          label: 'Escalate to Senior',
          ops: [
            { op: 'set_field', field: 'priority', value: 'urgent' },
            { op: 'assign', teamId: senior, strategy: 'team' },
          ],
        },
      },
      step('senior', 'Senior takes over', billing, 560, 240),
      {
        id: 'end',
        type: 'end',
        position: { x: 840, y: 0 },
        data: { label: 'Resolved', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'work' },
      { id: 'e2', source: 'work', sourceHandle: 'outcome:done', target: 'end' },
      { id: 'e3', source: 'work', sourceHandle: 'sla_breach', target: 'escalate' },
      { id: 'e4', source: 'escalate', sourceHandle: 'next', target: 'senior' },
      { id: 'e5', source: 'senior', sourceHandle: 'outcome:done', target: 'end' },
    ],
    notes: [],
  };
}

const runs = requireChromium();

describe.skipIf(!runs)('escalation journey in Chromium', () => {
  let app: E2eApp | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let flowId: string;
  let senior: Team;
  let ticket: TicketDetail;

  const call = <T>(path: string, input: unknown, kind: 'query' | 'mutation') =>
    api<T>(context, server.url, path, input, kind);
  const inspector = () => page.locator('.builder-side');
  const nodeTitled = (title: string): Locator =>
    page.locator('.builder-canvas .react-flow__node', {
      has: page.locator('.fnode-title', { hasText: title }),
    });

  beforeAll(async () => {
    app = await openE2eApp({ server: { now } });
    ({ server, context, page, problems } = app);
    await logIn(page, server.url, { email: 'manager@acme.test', password: 'stepwise-demo' }, /\/flows$/);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given a flow whose breach path assigns Senior, when its next step is set to the ticket’s current team in the inspector, then it validates and publishes', async () => {
    // Given the demo organization, with a Senior team (created when it lacks one)
    let teams = await call<Team[]>('teams.list', undefined, 'query');
    if (!teams.some((t) => t.name === 'Senior')) {
      await call('teams.create', { name: 'Senior' }, 'mutation');
      teams = await call<Team[]>('teams.list', undefined, 'query');
    }
    senior = teams.find((t) => t.name === 'Senior')!;
    const billing = teams.find((t) => t.name === 'Billing')!;
    expect(billing).toBeDefined();
    const created = await call<{ id: string }>(
      'flows.create',
      { name: 'Escalation journey', document: escalationFlow(billing.id, senior.id) },
      'mutation',
    );
    flowId = created.id;

    // When the manager sets "Senior takes over" to the ticket's current team
    await page.goto(`${server.url}/flows/${flowId}/edit`);
    await nodeTitled('Senior takes over').locator('.fnode-title').click();
    const team = inspector().getByLabel('Team', { exact: true });
    expect(await team.locator('option').allTextContents()).toContain('Ticket’s current team');
    await team.selectOption({ label: 'Ticket’s current team' });
    await inspector().getByText('The ticket stays with the team it has when it gets here').waitFor();
    await nodeTitled('Senior takes over').getByText('Ticket’s current team').waitFor();
    await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
    await page.locator('.problems-ok').waitFor();
    await screenshot(page, 'escalation-builder');

    // Then it publishes
    await page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByLabel('What changed', { exact: true }).fill('Escalations stay with Senior');
    await page.locator('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.builder-bar').getByText('Published v1').waitFor();
    const draft = await call<{ draft: FlowDocument }>('flows.get', { flowId }, 'query');
    const step = draft.draft.nodes.find((n) => n.id === 'senior');
    expect(step?.type === 'step' && step.data).toMatchObject({ teamId: null, teamSource: 'current' });
  });

  it('given a ticket at the Billing step, when its SLA passes on the server clock, then the breach path hands it to Senior and the next step keeps Senior', async () => {
    // Given a ticket that enters the flow
    ticket = await call<TicketDetail>(
      'tickets.create',
      {
        channel: 'email',
        subject: 'Invoice charged twice',
        description: 'I was charged twice for March.',
        customer: { name: 'Ines Duarte', email: 'ines.duarte@example.com', tier: 'existing' },
        category: 'billing',
        priority: 'normal',
        flowId,
      },
      'mutation',
    );
    expect(ticket.ticket).toMatchObject({ nodeId: 'work', teamName: 'Billing', slaBreachedAt: null });

    // When the server clock passes the 30-minute SLA (the server's runtime loop fires it)
    clock.offsetMs += 31 * MINUTE;
    let after = ticket;
    for (let i = 0; i < 75 && after.ticket.nodeId !== 'senior'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await call<TicketDetail>('tickets.get', { ticketId: ticket.ticket.id }, 'query');
    }

    // Then it waits at "Senior takes over", with Senior, urgent, and marked breached though the step is not
    expect(after.ticket).toMatchObject({
      nodeId: 'senior',
      teamId: senior.id,
      teamName: 'Senior',
      priority: 'urgent',
      breached: false,
    });
    expect(after.ticket.slaBreachedAt).not.toBeNull();
    ticket = after;
  });

  it('given the escalated ticket, when the queue is filtered to breached tickets, then its row shows the breach and Senior', async () => {
    await page.goto(`${server.url}/queue?scope=all&breached=1`);
    const row = page.locator(`table.queue tr[data-ticket-id="${ticket.ticket.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await page.getByLabel('SLA breached only').isChecked()).toBe(true);
    expect(await row.getByText('Breached', { exact: true }).count()).toBe(1);
    expect(await row.textContent()).toContain('Senior');
    expect(await row.textContent()).toContain('Senior takes over');
    // Every row under the filter is one that breached.
    for (const text of await page.locator('table.queue tbody tr').allTextContents())
      expect(text).toMatch(/Breached/);
    await screenshot(page, 'escalation-queue');
  });

  it('given the escalated ticket, when its page opens, then it is marked breached and the timeline names Senior, never an id', async () => {
    await page.goto(`${server.url}/tickets/${ticket.ticket.id}`);
    const timeline = page.locator('.timeline');
    await timeline.waitFor();
    await page.locator('.ticket-meta').getByText('SLA breached', { exact: true }).waitFor();
    await timeline.getByText('Escalate to Senior: priority → urgent; team → Senior').waitFor();
    const text = (await timeline.textContent()) ?? '';
    expect(text).toContain('SLA breached at Answer the customer, escalated by its breach path');
    expect(text).not.toMatch(UUID);
    await screenshot(page, 'escalation-ticket');
    // At a phone's width the badge and the timeline line still read.
    await page.setViewportSize({ width: 390, height: 844 });
    await timeline.getByText('Escalate to Senior: priority → urgent; team → Senior').waitFor();
    expect(await page.locator('.ticket-meta').getByText('SLA breached', { exact: true }).isVisible()).toBe(
      true,
    );
    await screenshot(page, 'escalation-ticket-390');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('given everything the pages did, when it ends, then the browser reported no error, warning or failed request', async () => {
    expect(realProblems(problems)).toEqual([]);
  });
});
