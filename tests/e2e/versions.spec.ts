import { join } from 'node:path';
import type { AppRouter } from '@stepwise/api';
import type { FlowDocument } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { api, REPO_ROOT, requireChromium, screenshot } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';
import type { TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const COMPARE_SHOT = join(REPO_ROOT, 'docs/screenshots/compare.png');

/** Rows of the preview that cannot be mapped (they stay on their version). */
async function refusedCount(page: Page): Promise<number> {
  return page.locator('.migrate-panel table.migrate-tickets tbody input[type=checkbox][disabled]').count();
}

const runs = requireChromium();

describe.skipIf(!runs)('a manager versions a flow in Chromium', () => {
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
  let liveOnStep = 0;

  beforeAll(async () => {
    app = await openE2eApp({ context: { viewport: { width: 1600, height: 1000 } } });
    ({ db, server, context, page, problems } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given a manager, when they log in and edit the published flow, then v2 is published with a message', async () => {
    // given
    await logIn(page, server.url, MANAGER, /\/flows$/);
    // the published step with the most live tickets, and its flow
    const [busiest] = await db.query<{ flow_id: string; version_id: string; node_id: string; n: number }>(
      `SELECT t.flow_id, t.version_id, t.node_id, count(*)::int AS n FROM tickets t
         JOIN flows f ON f.id = t.flow_id AND f.active_version_id = t.version_id
        WHERE t.status = 'at_step' GROUP BY t.flow_id, t.version_id, t.node_id
        ORDER BY n DESC, t.node_id LIMIT 1`,
    );
    if (!busiest) throw new Error('no live ticket on a seeded flow');
    flowId = busiest.flow_id;
    v1 = busiest.version_id;
    stepId = busiest.node_id;
    liveOnStep = busiest.n;
    const got = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    const before = (got.draft as FlowDocument).nodes.find((n) => n.id === stepId);
    if (before?.type !== 'step') throw new Error('the busiest node is not a step of the draft');
    stepTitle = before.data.title;
    const oldSla = before.data.slaMinutes;
    const newInstructions = `${before.data.instructions}\n\nCheck the order history first.`;
    const newSla = (oldSla ?? 30) + 30;
    expect(stepTitle).not.toBe('');
    // when: in the builder, the manager gives the step new instructions and a longer SLA
    await page.goto(`${server.url}/flows/${flowId}/edit`);
    const bar = page.locator('.builder-bar');
    await bar.getByText(`Saved · revision ${got.draftRevision}`, { exact: true }).waitFor();
    await page.locator(`.builder-canvas .react-flow__node[data-id="${stepId}"] .fnode-title`).click();
    const inspector = page.locator('.builder-side');
    const title = inspector.getByLabel('Title', { exact: true });
    await title.waitFor();
    expect(await title.inputValue()).toBe(stepTitle);
    const instructions = inspector.getByLabel('Instructions', { exact: true });
    expect(await instructions.inputValue()).toBe(before.data.instructions);
    await instructions.fill(newInstructions);
    const sla = inspector.getByLabel('SLA (minutes)', { exact: true });
    expect(await sla.inputValue()).toBe(oldSla === null ? '' : String(oldSla));
    await sla.fill(String(newSla));
    // … the draft autosaves as a newer revision holding both edits
    await expect
      .poll(
        async () => {
          const fresh = await api<Outputs['flows']['get']>(
            context,
            server.url,
            'flows.get',
            { flowId },
            'query',
          );
          const node = (fresh.draft as FlowDocument).nodes.find((n) => n.id === stepId);
          return node?.type === 'step'
            ? { instructions: node.data.instructions, slaMinutes: node.data.slaMinutes }
            : null;
        },
        { timeout: 15_000 },
      )
      .toEqual({ instructions: newInstructions, slaMinutes: newSla });
    const saved = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    expect(saved.draftRevision).toBeGreaterThan(got.draftRevision);
    await bar
      .getByText(`Saved · revision ${saved.draftRevision}`, { exact: true })
      .waitFor({ timeout: 15_000 });
    // … and publishes it with a message
    await bar.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('What changed', { exact: true }).fill('Check order history; longer SLA');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    // then
    await bar.getByText('Published v2', { exact: true }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const after = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    if (!after.activeVersionId) throw new Error('no active version after publishing');
    v2 = after.activeVersionId;
    expect(v2).not.toBe(v1);
    const published = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId: v2 },
      'query',
    );
    expect(published.number).toBe(2);
    expect(published.message).toBe('Check order history; longer SLA');
    const publishedStep = (published.document as FlowDocument).nodes.find((n) => n.id === stepId);
    expect(publishedStep?.type === 'step' ? publishedStep.data : null).toMatchObject({
      title: stepTitle,
      instructions: newInstructions,
      slaMinutes: newSla,
    });
    await page.goto(`${server.url}/flows/${flowId}/history`);
    await page.getByRole('cell', { name: 'Check order history; longer SLA' }).waitFor();
  });

  it('given v2, when the manager opens the comparison, then the changed step is highlighted with its changes and live tickets', async () => {
    // when
    await page.getByRole('link', { name: 'Compare with v1' }).click();
    await page.waitForURL(/\/compare\?from=.*&to=/);
    const item = page.locator('.change-item', { hasText: stepTitle }).first();
    await item.waitFor();
    // then
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Instructions changed');
    expect(text).toMatch(/SLA/);
    expect(text).toContain(`${liveOnStep} live ${liveOnStep === 1 ? 'ticket' : 'tickets'} here`);
    // … the instructions word by word: the added sentence marked as added, nothing removed
    const words = page.locator('li', { has: item }).locator('.word-diff');
    await words.locator('ins').first().waitFor();
    expect(await words.locator('figcaption').textContent()).toBe('Instructions, word by word');
    expect((await words.locator('ins').allTextContents()).join('')).toContain(
      'Check the order history first.',
    );
    expect(await words.locator('del').count()).toBe(0);
    const node = page.locator(`.cmp-to .react-flow__node[data-id="${stepId}"] > *`).first();
    await node.waitFor();
    const outline = await node.evaluate(
      (el) => `${getComputedStyle(el).outlineStyle} ${getComputedStyle(el).outlineColor}`,
    );
    expect(outline).toContain('solid');
    expect(outline).toContain('217, 119, 6');
    await page.waitForTimeout(300);
    await screenshot(page, 'compare', COMPARE_SHOT);
    // selecting the change focuses its node on both canvases
    await item.click();
    expect(await item.getAttribute('aria-pressed')).toBe('true');
    // the overlaid view shows the same marks
    await page.getByRole('button', { name: 'Overlaid' }).click();
    await page.locator(`.cmp-overlay .react-flow__node[data-id="${stepId}"]`).waitFor();
    await page.getByRole('button', { name: 'Side by side' }).click();
  });

  it('given live tickets on v1, when the manager previews and migrates one, then it moves and the rest stay', async () => {
    // given
    const panel = page.locator('.migrate-panel');
    await panel.locator('table.migrate-tickets tbody tr').first().waitFor();
    const rows = panel.locator('table.migrate-tickets tbody tr');
    const n = await rows.count();
    expect(n).toBeGreaterThan(1);
    // keep one ticket of the changed step checked: its preview shows the SLA change
    let kept: string | null = null;
    for (let i = 0; i < n; i++) {
      const row = rows.nth(i);
      const box = row.locator('input[type=checkbox]');
      if (await box.isDisabled()) continue;
      const text = (await row.textContent()) ?? '';
      if (kept === null && text.includes(stepTitle)) {
        kept = text;
        continue;
      }
      await box.uncheck();
    }
    expect(kept).toMatch(/\d+ min → \d+ min/);
    // when
    await panel.getByRole('button', { name: 'Move 1 ticket to v2' }).click();
    // then
    await panel.locator('.migrate-result').waitFor();
    expect(await panel.locator('.migrate-result').textContent()).toContain('Moved 1 ticket');
    const onV2 = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tickets WHERE version_id = $1::uuid',
      [v2],
    );
    expect(onV2[0]?.n).toBe(1);
    const stillOnV1 = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM tickets WHERE version_id = $1::uuid AND status <> 'ended'",
      [v1],
    );
    expect(stillOnV1[0]?.n).toBe(n - 1 + (await refusedCount(page)));
    // and the migrated ticket's page renders its step card and its timeline, with the migration in it
    const [migrated] = await db.query<{ id: string }>('SELECT id FROM tickets WHERE version_id = $1::uuid', [
      v2,
    ]);
    if (!migrated) throw new Error('no ticket on v2 after the migration');
    await page.goto(`${server.url}/tickets/${migrated.id}`);
    await page.locator('.step-card:not(.is-idle)').waitFor();
    expect(await page.locator('.step-card').textContent()).toContain(stepTitle);
    await page.locator('.timeline-item[data-event-type="ticket.migrated"]').waitFor();
    expect(problems).toEqual([]);
  });

  it('given the history, when the manager starts a 50% pilot and rolls it back, then the flow page shows it and then no pilot', async () => {
    // given
    await page.goto(`${server.url}/flows/${flowId}/history`);
    // when
    await page.getByRole('button', { name: 'Start pilot' }).first().click();
    await page.getByLabel('Share of new tickets (%)').fill('50');
    await page.getByRole('dialog').getByRole('button', { name: 'Start pilot' }).click();
    // then
    await page.locator('.pilot-bar').waitFor();
    expect(await page.locator('.pilot-bar').textContent()).toContain('v1 on 50% of new tickets');
    await page.goto(`${server.url}/flows/${flowId}`);
    await page.locator('.pilot-bar').waitFor();
    // when: rolling back asks first
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back the pilot' }).click();
    // then
    await page.getByText('Pilot rolled back. Tickets already on it stay on it.').waitFor();
    await page.locator('.pilot-bar').waitFor({ state: 'detached' });
    const flow = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    expect([flow.pilotVersionId, flow.activeVersionId]).toEqual([null, v2]);
    expect(problems).toEqual([]);
  });
});
