import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { launchBrowser, requireChromium, screenshot, watchConsole } from '../support/e2e.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

const runs = requireChromium();

describe.skipIf(!runs)('the API docs page', () => {
  let db: TestDb;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    server = await startServer({ db, port: 0, timers: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.dispose();
  });

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`given /api/docs on a ${name}, when it renders, then every documented operation is listed and the console stays clean`, async () => {
      // given
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      // when
      await page.goto(`${server.url}/api/docs`);
      await page.locator('.opblock').first().waitFor();
      // then
      const operations = await page.locator('.opblock .opblock-summary-path').allInnerTexts();
      expect(operations.map((t) => t.replace(/\u200b/g, '').trim()).sort()).toEqual(
        Object.keys(doc.paths).sort(),
      );
      await expect.poll(() => page.locator('.info .title').textContent()).toContain('Stepwise API');
      // and each operation opens to its schemas, every reference resolved (Swagger UI lists failures)
      const controls = page.locator('.opblock-summary-control');
      for (let i = 0; i < (await controls.count()); i++) await controls.nth(i).click();
      await expect.poll(() => page.locator('.opblock-body').count()).toBe(operations.length);
      await page.locator('.responses-wrapper').first().waitFor();
      await page.waitForTimeout(300);
      expect(await page.locator('.errors-wrapper').allInnerTexts()).toEqual([]);
      await screenshot(page, `api-docs-${name}`);
      // nothing came from another host
      expect(requested.filter((url) => !url.startsWith(server.url))).toEqual([]);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(viewport.width + 1);
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
