import { join } from 'node:path';
import { type AppRouter, seedDemo } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import { launchBrowser, REPO_ROOT, requireChromium, watchConsole } from '../support/e2e.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type QueueRow = inferRouterOutputs<AppRouter>['tickets']['queue'][number];
type FlowRow = inferRouterOutputs<AppRouter>['flows']['list'][number];

/**
 * React reports missing keys, bad props and hook misuse, and React Flow reports unstable node types or a
 * parent without a height, only in development builds. This suite runs the app through Vite's dev server
 * (proxying /trpc to a real server) so those warnings fail a test instead of going unseen.
 */
const runs = requireChromium();

describe.skipIf(!runs)('the web app in development mode', () => {
  let db: TestDb;
  let api: Awaited<ReturnType<typeof startServer>>;
  let vite: ViteDevServer;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    if (!(await seedDemo(db))) throw new Error('the demo seed did not run on a fresh database');
    api = await startServer({ db, port: 0, timers: false });
    const { createServer } = await import('vite');
    vite = await createServer({
      configFile: join(REPO_ROOT, 'vite.config.ts'),
      root: join(REPO_ROOT, 'apps/web'),
      logLevel: 'warn',
      server: {
        host: '127.0.0.1',
        port: 0,
        strictPort: false,
        hmr: false,
        proxy: { '/trpc': { target: api.url, changeOrigin: false } },
      },
    });
    await vite.listen();
    const address = vite.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('the Vite dev server has no TCP address');
    base = `http://127.0.0.1:${address.port}`;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    problems = watchConsole(page);
  });

  afterAll(async () => {
    await browser?.close();
    await vite?.close();
    await api?.close();
    await db?.dispose();
  });

  async function get<T>(path: string, input?: unknown): Promise<T> {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const response = await page.request.get(`${base}/trpc/${path}${query}`);
    const body = (await response.json()) as { result: { data: T } };
    return body.result.data;
  }

  it('given an agent, when they visit the login, queue, ticket, flows and flow pages, then no warning or error is reported', async () => {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('agent1@acme.test');
    await page.getByLabel('Password').fill('stepwise-demo');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/queue$/);
    await page.locator('table.queue tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'All' }).click();
    await page.locator('table.queue tbody tr').first().waitFor();

    const queue = await get<QueueRow[]>('tickets.queue', { scope: 'teams' });
    const ticket = queue.find((r) => r.stepTitle !== null);
    if (!ticket) throw new Error('no ticket at a step');
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.locator('.step-card .step-title').waitFor();
    await page.locator('.canvas .fnode.is-current').waitFor();
    await page.locator('.canvas .react-flow__minimap-node').first().waitFor();

    await page.goto(`${base}/flows`);
    await page.locator('table tbody tr').first().waitFor();
    const flows = await get<FlowRow[]>('flows.list');
    for (const flow of flows) {
      await page.goto(`${base}/flows/${flow.id}`);
      await page.locator('.canvas .fnode').first().waitFor();
      await page.locator('.canvas .react-flow__edge').first().waitFor();
    }
    await page.goto(`${base}/no-such-page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    // Give late effects (measurement, the minimap) a moment to report anything.
    await page.waitForTimeout(500);
    expect(problems).toEqual([]);
  });
});
