import { join } from 'node:path';
import { type AppRouter, seedDemo } from '@stepwise/api';
import type { FlowDocument } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import {
  ensureWebBuilt,
  launchBrowser,
  REPO_ROOT,
  requireChromium,
  screenshot,
  watchConsole,
} from '../support/e2e.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const COMPARE_SHOT = join(REPO_ROOT, 'docs/screenshots/compare.png');

async function api<T>(
  context: BrowserContext,
  base: string,
  path: string,
  input: unknown,
  kind: 'query' | 'mutation',
) {
  const url = `${base}/trpc/${path}`;
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

/** Rows of the preview that cannot be mapped (they stay on their version). */
async function refusedCount(page: Page): Promise<number> {
  return page.locator('.migrate-panel table.migrate-tickets tbody input[type=checkbox][disabled]').count();
}

const runs = requireChromium();

describe.skipIf(!runs)('a manager versions a flow in Chromium', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
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
    await ensureWebBuilt();
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    const seeded = await seedDemo(db);
    if (!seeded) throw new Error('the demo seed did not run on a fresh database');
    server = await startServer({ db, port: 0 });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    problems = watchConsole(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await db?.dispose();
  });

  it('given a manager, when they log in and edit the published flow, then v2 is published with a message', async () => {
    // given
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(MANAGER.email);
    await page.getByLabel('Password').fill(MANAGER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/flows$/);
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
    // when: the draft's step gets new instructions and a longer SLA (through the API the builder uses)
    const got = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    const draft = got.draft as FlowDocument;
    let oldSla: number | null = null;
    const edited: FlowDocument = {
      ...draft,
      nodes: draft.nodes.map((n) => {
        if (n.id !== stepId || n.type !== 'step') return n;
        stepTitle = n.data.title;
        oldSla = n.data.slaMinutes;
        return {
          ...n,
          data: {
            ...n.data,
            instructions: `${n.data.instructions}\n\nCheck the order history first.`,
            slaMinutes: (n.data.slaMinutes ?? 30) + 30,
          },
        };
      }),
    };
    expect(stepTitle).not.toBe('');
    const saved = await api<{ revision: number }>(
      context,
      server.url,
      'flows.saveDraft',
      { flowId, revision: got.draftRevision, document: edited },
      'mutation',
    );
    const published = await api<{ id: string; number: number }>(
      context,
      server.url,
      'versions.publish',
      { flowId, message: 'Check order history; longer SLA', revision: saved.revision },
      'mutation',
    );
    v2 = published.id;
    // then
    expect(published.number).toBe(2);
    expect(oldSla === null || typeof oldSla === 'number').toBe(true);
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
    // when
    await page.getByRole('button', { name: 'Roll back' }).click();
    // then
    await page.locator('.pilot-bar').waitFor({ state: 'detached' });
    const flow = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    expect([flow.pilotVersionId, flow.activeVersionId]).toEqual([null, v2]);
    expect(problems).toEqual([]);
  });
});
