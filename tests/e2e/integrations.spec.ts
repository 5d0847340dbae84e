import type { AppRouter } from '@stepwise/api';
import { CURRENT_SCHEMA_VERSION, type FlowDocument } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { join } from 'node:path';
import { api, REPO_ROOT, requireChromium, screenshot, seriousAxeViolations } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';
import { type LocalReceiver, localReceiver } from '../support/localReceiver.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type TicketDetail = Outputs['tickets']['get'];
type Team = Outputs['teams']['list'][number];

const ADMIN = { email: 'admin@acme.test', password: 'stepwise-demo' };

/** Start → "Tell the channel" (notify Escalations) → "Handle it" (Billing) → end, started by hand. */
function notifyFlow(billing: string): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Urgent intake',
          trigger: { mode: 'manual', channels: [], categories: [], priorities: [], tiers: [] },
        },
      },
      {
        id: 'tell',
        type: 'notify',
        position: { x: 280, y: 0 },
        data: {
          label: 'Tell the channel',
          channel: 'Escalations',
          message: 'New urgent ticket #{{ticket.number}}: {{ticket.subject}} ({{customer.name}})',
        },
      },
      {
        id: 'handle',
        type: 'step',
        position: { x: 560, y: 0 },
        data: {
          title: 'Handle it',
          instructions: 'Call the customer back.',
          checklist: [],
          form: [],
          teamId: billing,
          slaMinutes: 30,
          outcomes: [{ id: 'done', label: 'Done' }],
        },
      },
      {
        id: 'end',
        type: 'end',
        position: { x: 840, y: 0 },
        data: { label: 'Resolved', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'tell' },
      { id: 'e2', source: 'tell', sourceHandle: 'next', target: 'handle' },
      { id: 'e3', source: 'handle', sourceHandle: 'outcome:done', target: 'end' },
    ],
    notes: [],
  };
}

const runs = requireChromium();

describe.skipIf(!runs)('integrations in Chromium: Slack channel, notify node, webhooks', () => {
  let app: E2eApp | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let receiver: LocalReceiver;
  let flowId: string;

  const call = <T>(path: string, input: unknown, kind: 'query' | 'mutation') =>
    api<T>(context, server.url, path, input, kind);
  const atPhoneWidth = async (name: string) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, `${name}-390`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.setViewportSize({ width: 1440, height: 900 });
    return overflow;
  };

  beforeAll(async () => {
    receiver = await localReceiver();
    app = await openE2eApp();
    ({ server, context, page, problems } = app);
    await logIn(page, server.url, ADMIN, /\/(flows|queue)/);
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('given the admin, when they add a Slack channel in Admin → Integrations and test it, then the local receiver gets the message and the result shows', async () => {
    await page.goto(`${server.url}/admin/integrations`);
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.getByRole('button', { name: 'Add channel' }).click();
    const form = page.getByRole('form', { name: 'Add a channel' });
    await form.getByLabel('Name').fill('Escalations');
    await form.getByLabel('URL').fill('http://hooks.example.test/not-secure');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await form.getByText('Enter an https:// URL.').waitFor();
    await form.getByLabel('URL').fill(`${receiver.url}/slack`);
    await form.getByRole('button', { name: 'Add channel' }).click();
    const row = page.locator('tr', { hasText: 'Escalations' }).first();
    await row.waitFor();
    await row.getByRole('button', { name: 'Send test to Escalations' }).click();
    await row.getByText('Test delivered: the endpoint answered HTTP 200.').waitFor();
    expect(JSON.parse(receiver.received.at(-1)?.body ?? '{}')).toEqual({
      text: 'Stepwise test message: notify nodes can post to Escalations.',
    });
    await page.locator('.channel-text', { hasText: 'Stepwise test message' }).first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-integrations');
    expect(await atPhoneWidth('admin-integrations')).toBeLessThanOrEqual(0);
  });

  it('given a flow with a notify node, when it opens in the builder, then the node shows its channel and the inspector offers the channels', async () => {
    const teams = await call<Team[]>('teams.list', undefined, 'query');
    const billing = teams.find((t) => t.name === 'Billing');
    if (!billing) throw new Error('no Billing team');
    flowId = (
      await call<{ id: string }>(
        'flows.create',
        { name: 'Urgent intake', document: notifyFlow(billing.id) },
        'mutation',
      )
    ).id;
    await page.goto(`${server.url}/flows/${flowId}/edit`);
    const node = page.locator('.builder-canvas .react-flow__node', {
      has: page.locator('.fnode-title', { hasText: 'Tell the channel' }),
    });
    await node.getByText('Posts to Escalations').waitFor();
    await node.locator('.fnode-title').click();
    const inspector = page.locator('.builder-side');
    expect(await inspector.getByLabel('Channel', { exact: true }).inputValue()).toBe('Escalations');
    await inspector.getByText('A Slack or Teams channel set up in Admin → Integrations, by name.').waitFor();
    expect(
      await inspector.locator('datalist option').evaluateAll((o) => o.map((x) => x.getAttribute('value'))),
    ).toContain('Escalations');
    expect(await page.getByText('Notify a channel').count()).toBeGreaterThan(0);
    await page.locator('.problems-ok').waitFor();
    await screenshot(page, 'builder-notify-node');
    await call('versions.publish', { flowId, message: 'Tell the channel about urgent tickets' }, 'mutation');
  });

  it('given the published flow, when a ticket starts on it, then the server loop posts to the channel and the delivery log shows it delivered', async () => {
    const before = receiver.received.length;
    const ticket = await call<TicketDetail>(
      'tickets.create',
      {
        channel: 'phone',
        subject: 'Payment terminal down',
        description: 'Our shop cannot take card payments.',
        customer: { name: 'Rosa Lind', email: 'rosa.lind@example.com', tier: 'vip' },
        category: 'technical',
        priority: 'urgent',
        flowId,
      },
      'mutation',
    );
    const text = `New urgent ticket #${ticket.ticket.number}: Payment terminal down (Rosa Lind)`;
    for (let i = 0; i < 75 && receiver.received.length === before; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received.slice(before).map((r) => JSON.parse(r.body))).toEqual([{ text }]);
    await page.goto(`${server.url}/admin/integrations`);
    const entry = page.locator('tr', { hasText: text });
    await entry.getByText('Delivered').waitFor({ timeout: 15_000 });
    expect(await entry.getByRole('link', { name: `Ticket #${ticket.ticket.number}` }).count()).toBe(1);
    await screenshot(page, 'admin-integrations-log', join(REPO_ROOT, 'docs/screenshots/integrations.png'));
  });

  it('given the admin, when they add a webhook endpoint for replies only and send it a test event, then the result shows and the list names its event types', async () => {
    await page.goto(`${server.url}/admin/webhooks`);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('form', { name: 'Add a webhook endpoint' });
    await form.getByLabel('URL').fill(`${receiver.url}/mail-gateway`);
    await form.getByLabel('Description').fill('Email gateway');
    await form.getByRole('checkbox', { name: 'All events' }).uncheck();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.getByText('Choose at least one event type.').waitFor();
    await screenshot(page, 'admin-webhooks-form');
    expect(await atPhoneWidth('admin-webhooks-form')).toBeLessThanOrEqual(0);
    await form.getByRole('checkbox', { name: /A reply or flow message to the customer/ }).check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Endpoint added' });
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    const row = page.locator('tr', { hasText: `${receiver.url}/mail-gateway` });
    await row.getByText('message.created').waitFor();
    await row.getByRole('button', { name: `Send test to ${receiver.url}/mail-gateway` }).click();
    await row.getByText('Test delivered: the endpoint answered HTTP 200.').waitFor();
    const test = JSON.parse(receiver.received.at(-1)?.body ?? '{}') as { v: number; type: string };
    expect(test).toMatchObject({ v: 1, type: 'webhook.test' });
    // The event types can be changed later.
    await row.getByRole('button', { name: `Events of ${receiver.url}/mail-gateway` }).click();
    const types = page.getByRole('dialog', { name: 'Event types' });
    await types.getByRole('checkbox', { name: /An SLA was breached/ }).check();
    await types.getByRole('button', { name: 'Save event types' }).click();
    await types.waitFor({ state: 'detached' });
    await row.getByText('message.created, sla.breached').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-webhooks-events');
    expect(await atPhoneWidth('admin-webhooks-events')).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
  });
});
