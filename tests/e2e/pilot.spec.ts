import type { AppRouter } from '@stepwise/api';
import { type FlowDocument, inPilot } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { api, requireChromium, screenshot } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';
import type { TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const TICKETS = 200;

const runs = requireChromium();

describe.skipIf(!runs)('a manager pilots a new version from the publish dialog in Chromium', () => {
  let app: E2eApp | undefined;
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let flowId = '';
  let v1 = '';
  let v2 = '';
  let stepId = '';
  let stepTitle = '';
  /** Two seeded tickets at the edited step of v1, migrated to v2 at the end. */
  let migrating: Array<{ id: string; number: number }> = [];

  const flowOf = () => api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');

  beforeAll(async () => {
    app = await openE2eApp({ context: { viewport: { width: 1440, height: 950 } } });
    ({ db, server, context, page, problems } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given a published flow, when the manager edits it and publishes v2 as a 50% pilot from the publish dialog, then v1 stays active and v2 is the pilot', async () => {
    // given: the manager is logged in; the seeded step with the most live tickets, and its flow
    await logIn(page, server.url, MANAGER, /\/flows$/);
    const [busiest] = await db.query<{ flow_id: string; version_id: string; node_id: string }>(
      `SELECT t.flow_id, t.version_id, t.node_id FROM tickets t
         JOIN flows f ON f.id = t.flow_id AND f.active_version_id = t.version_id
        WHERE t.status = 'at_step' GROUP BY t.flow_id, t.version_id, t.node_id
        HAVING count(*) >= 2 ORDER BY count(*) DESC, t.node_id LIMIT 1`,
    );
    if (!busiest) throw new Error('no seeded step with two live tickets');
    flowId = busiest.flow_id;
    v1 = busiest.version_id;
    stepId = busiest.node_id;
    migrating = await db.query<{ id: string; number: number }>(
      `SELECT id, number FROM tickets WHERE version_id = $1::uuid AND node_id = $2 AND status = 'at_step'
        ORDER BY number LIMIT 2`,
      [v1, stepId],
    );
    const got = await flowOf();
    const before = (got.draft as FlowDocument).nodes.find((n) => n.id === stepId);
    if (before?.type !== 'step') throw new Error('the busiest node is not a step of the draft');
    stepTitle = before.data.title;
    const newInstructions = `${before.data.instructions}\n\nConfirm the customer's identity first.`;
    // when: in the builder, the manager changes the step's instructions
    await page.goto(`${server.url}/flows/${flowId}/edit`);
    const bar = page.locator('.builder-bar');
    await bar.getByText(`Saved · revision ${got.draftRevision}`, { exact: true }).waitFor();
    await page.locator(`.builder-canvas .react-flow__node[data-id="${stepId}"] .fnode-title`).click();
    const instructions = page.locator('.builder-side').getByLabel('Instructions', { exact: true });
    await instructions.fill(newInstructions);
    await expect
      .poll(
        async () => {
          const node = ((await flowOf()).draft as FlowDocument).nodes.find((n) => n.id === stepId);
          return node?.type === 'step' ? node.data.instructions : null;
        },
        { timeout: 15_000 },
      )
      .toBe(newInstructions);
    // … and publishes it as a pilot on 50% of new tickets
    await bar.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('What changed', { exact: true }).fill('Confirm identity first (pilot)');
    await dialog.getByRole('radio', { name: /Publish as a pilot on/ }).check();
    await dialog.getByLabel('Pilot share of new tickets (%)').fill('50');
    await dialog.getByRole('radio', { name: 'Publish as a pilot on 50% of new tickets' }).waitFor();
    expect(await dialog.textContent()).toContain('50% of new tickets start on the new version');
    await screenshot(page, 'pilot-publish-dialog');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'pilot-publish-dialog-390');
    await page.setViewportSize({ width: 1440, height: 950 });
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    // then
    await bar.getByText('Published v2', { exact: true }).waitFor();
    await page.getByText('Published v2 as a pilot on 50% of new tickets').waitFor();
    const after = await flowOf();
    expect(after.activeVersionId).toBe(v1);
    expect(after.pilotPercent).toBe(50);
    if (!after.pilotVersionId) throw new Error('no pilot after publishing as a pilot');
    v2 = after.pilotVersionId;
  });

  it(`given the 50% pilot, when ${TICKETS} tickets are created through the API, then each takes the version its id buckets to, and v2 gets ${TICKETS / 2} ± 20`, async () => {
    // when: tickets are created with the manager's session (the server picks each ticket's id)
    const created: Array<{ id: string; version: string | null }> = [];
    for (let i = 0; i < TICKETS; i++) {
      const detail = await api<Outputs['tickets']['create']>(
        context,
        server.url,
        'tickets.create',
        {
          channel: 'email',
          subject: `Pilot check ${i + 1}`,
          description: 'Created to check the pilot split.',
          customer: { name: `Customer ${i + 1}`, email: `pilot-${i + 1}@example.com`, tier: 'existing' },
          category: 'billing',
          priority: 'normal',
          flowId,
        },
        'mutation',
      );
      created.push({ id: detail.ticket.id, version: detail.version?.id ?? null });
    }
    // then: each ticket is on the version inPilot gives its id — the split is deterministic per ticket
    for (const t of created) expect(t.version).toBe(inPilot(t.id, 50) ? v2 : v1);
    // and the split is even. The ids are random UUIDs (the API does not take one), so the count on v2
    // is Binomial(200, ½) as far as FNV-1a mod 100 is a fair coin on them: P(|X − 100| > 20) ≈ 0.36 %
    // (exact binomial tail; 0.29 % over 20,000 simulated runs of 200 random UUIDs). The assertion
    // above, not this bound, is what checks the routing.
    const onPilot = created.filter((t) => t.version === v2).length;
    expect(onPilot).toBeGreaterThanOrEqual(TICKETS / 2 - 20);
    expect(onPilot).toBeLessThanOrEqual(TICKETS / 2 + 20);
    expect(created.filter((t) => t.version === v1).length).toBe(TICKETS - onPilot);
  });

  it('given the pilot, when the manager promotes it from the flow page, then it asks, then v2 is active for all new tickets', async () => {
    // given
    await page.goto(`${server.url}/flows/${flowId}`);
    const pilotBar = page.locator('.pilot-bar');
    await pilotBar.waitFor();
    const text = (await pilotBar.textContent()) ?? '';
    expect(text).toContain('v2 on 50% of new tickets since');
    expect(text).toMatch(/started by /);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'pilot-flow-page-390');
    await page.setViewportSize({ width: 1440, height: 950 });
    // when
    await pilotBar.getByRole('button', { name: 'Promote' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('v2 becomes the active version').waitFor();
    await screenshot(page, 'pilot-promote-confirm');
    await confirm.getByRole('button', { name: 'Promote v2' }).click();
    // then
    await page.getByText('v2 is now the active version for all new tickets.').waitFor();
    await pilotBar.waitFor({ state: 'detached' });
    await page.locator('.version-meta', { hasText: 'Version 2' }).getByText('Active').waitFor();
    const flow = await flowOf();
    expect([flow.activeVersionId, flow.pilotVersionId]).toEqual([v2, null]);
  });

  it('given live tickets on v1, when the manager migrates two of them from the compare page, then both move and their pages render the step and the timeline', async () => {
    // given
    expect(migrating).toHaveLength(2);
    await page.goto(`${server.url}/flows/${flowId}/compare?from=${v1}&to=${v2}`);
    const panel = page.locator('.migrate-panel');
    const rows = panel.locator('table.migrate-tickets tbody tr');
    await rows.first().waitFor();
    const wanted = new Set(migrating.map((t) => `#${t.number}`));
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const row = rows.nth(i);
      const box = row.locator('input[type=checkbox]');
      if (await box.isDisabled()) continue;
      const number = ((await row.locator('.mono').textContent()) ?? '').trim();
      if (wanted.has(number)) {
        // the preview states when the ticket is due on v2, counted from when it entered its step
        expect(await row.locator('.migrate-due').textContent()).toMatch(
          /^(Due|Already overdue: was due) .+ \(at its step since .+\)$/,
        );
      } else {
        await box.uncheck();
      }
    }
    await screenshot(page, 'pilot-migrate-preview');
    // when
    await panel.getByRole('button', { name: 'Move 2 tickets to v2' }).click();
    // then
    await panel.locator('.migrate-result', { hasText: 'Moved 2 tickets' }).waitFor();
    const moved = await db.query<{ id: string; version_id: string }>(
      'SELECT id, version_id FROM tickets WHERE id = ANY($1::uuid[]) ORDER BY number',
      [migrating.map((t) => t.id)],
    );
    expect(moved.map((t) => t.version_id)).toEqual([v2, v2]);
    // and each migrated ticket's page renders its step card and a timeline with the migration
    for (const t of migrating) {
      await page.goto(`${server.url}/tickets/${t.id}`);
      await page.locator('.step-card:not(.is-idle)').waitFor();
      expect(await page.locator('.step-card').textContent()).toContain(stepTitle);
      await page.locator('.timeline-item[data-event-type="ticket.migrated"]').waitFor();
      expect(await page.locator('.timeline-item').count()).toBeGreaterThan(1);
    }
    await screenshot(page, 'pilot-migrated-ticket');
    expect(problems).toEqual([]);
  });

  it('given the draft is v2, when the manager restores v1 then v2, then the first restores at once and the second asks, naming what is lost', async () => {
    // given: the draft is what v2 published (nothing unpublished)
    await page.goto(`${server.url}/flows/${flowId}/history`);
    const rowOf = (n: number) => page.locator('.history-table tbody tr', { hasText: `v${n}` }).last();
    // when: restoring v1 — nothing unpublished to lose, so no question
    await rowOf(1).getByRole('button', { name: 'Restore to draft' }).click();
    // then
    await page.waitForURL(/\/compare\?from=.*&to=draft/);
    await page.getByText('v1 restored into the draft. Publish it to make it live.').waitFor();
    // when: restoring v2 over a draft that now differs from v2 (the latest version)
    await page.goto(`${server.url}/flows/${flowId}/history`);
    const before = await flowOf();
    await rowOf(2).getByRole('button', { name: 'Restore to draft' }).click();
    // then: it asks first, saying what would be lost
    const confirm = page.getByRole('dialog', { name: 'Restore v2 into the draft?' });
    await confirm.waitFor();
    expect(await confirm.locator('.restore-loss').textContent()).toBe(
      `Your draft has 1 unpublished change that restoring v2 will discard: ${stepTitle} changed.`,
    );
    await screenshot(page, 'pilot-restore-confirm');
    // … keeping the draft changes nothing
    await confirm.getByRole('button', { name: 'Keep my draft' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await flowOf()).draftRevision).toBe(before.draftRevision);
    // … and confirming restores v2
    await rowOf(2).getByRole('button', { name: 'Restore to draft' }).click();
    await confirm.getByRole('button', { name: 'Discard changes and restore v2' }).click();
    await page.waitForURL(/\/compare\?from=.*&to=draft/);
    const after = await flowOf();
    expect(after.draftRevision).toBe(before.draftRevision + 1);
    const v2Doc = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId: v2 },
      'query',
    );
    expect(after.draft).toEqual(v2Doc.document);
    expect(problems).toEqual([]);
  });
  it('given a flow never published, when the manager opens the publish dialog, then the pilot is not offered and it says why', async () => {
    // given: a new flow whose draft is publishable (v2's document)
    const v2Doc = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId: v2 },
      'query',
    );
    const created = await api<{ id: string }>(
      context,
      server.url,
      'flows.create',
      { name: 'Never published yet', document: v2Doc.document },
      'mutation',
    );
    // when
    await page.goto(`${server.url}/flows/${created.id}/edit`);
    const bar = page.locator('.builder-bar');
    await bar.getByText('Saved · revision 1', { exact: true }).waitFor();
    await bar.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    // then
    await dialog.getByText('This is the first version: it becomes active for all new tickets.').waitFor();
    expect(await dialog.textContent()).toContain(
      'A pilot on a share of new tickets needs an active version to share them with.',
    );
    expect(await dialog.getByRole('radio').count()).toBe(0);
    expect(await dialog.getByLabel('Pilot share of new tickets (%)').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(problems).toEqual([]);
  });
});
