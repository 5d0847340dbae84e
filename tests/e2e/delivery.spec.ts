import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium, screenshot, WEB_DIR } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';
import { FIRST_PAGE_BUDGET_BYTES, FIRST_PAGES, pageWeight } from '../support/firstPage.ts';

type Fetched = { url: string; encoding: string | null; transferred: number; decoded: number };

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe('what the browser downloads to start', () => {
  let app: E2eApp;

  beforeAll(async () => {
    requireChromium();
    app = await openE2eApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('given the build, then the login page and the queue each need at most 170 KB of JavaScript (gzip), and the other pages load on demand', () => {
    for (const page of FIRST_PAGES) {
      const weight = pageWeight(WEB_DIR, page);
      console.info(
        `[first page] ${page}: ${kb(weight.gzipBytes)} gzip (${kb(weight.bytes)} raw) in ${weight.files.length} files`,
      );
      expect(weight.gzipBytes).toBeLessThanOrEqual(FIRST_PAGE_BUDGET_BYTES);
    }
    // The heavy pages are not part of either.
    const queue = pageWeight(WEB_DIR, 'src/features/queue/QueuePage.tsx');
    expect(queue.files.some((f) => /BuilderPage|AnalyticsPage|AdminPage/.test(f.file))).toBe(false);
  });

  it('given an agent who opens Stepwise and logs in, then every script arrives brotli-compressed and the queue shows with no console problem', async () => {
    // given
    const fetched: Fetched[] = [];
    const pending: Promise<void>[] = [];
    const onResponse = (response: Response) => {
      if (response.request().resourceType() !== 'script') return;
      pending.push(
        (async () => {
          const sizes = await response.request().sizes();
          const body = await response.body();
          fetched.push({
            url: new URL(response.url()).pathname,
            encoding: response.headers()['content-encoding'] ?? null,
            transferred: sizes.responseBodySize,
            decoded: body.length,
          });
        })(),
      );
    };
    app.page.on('response', onResponse);
    // when
    await logIn(
      app.page,
      app.server.url,
      { email: 'agent1@acme.test', password: 'stepwise-demo' },
      /\/queue/,
    );
    await app.page.getByRole('heading', { name: 'Queue' }).waitFor();
    await Promise.all(pending);
    app.page.off('response', onResponse);
    await screenshot(app.page, 'delivery-queue');
    // then
    expect(fetched.length).toBeGreaterThan(2);
    for (const script of fetched) {
      if (script.decoded >= 1024) expect(script, script.url).toMatchObject({ encoding: 'br' });
    }
    const transferred = fetched.reduce((sum, f) => sum + f.transferred, 0);
    const decoded = fetched.reduce((sum, f) => sum + f.decoded, 0);
    console.info(
      `[first page] login → queue: ${fetched.length} scripts, ${kb(transferred)} transferred (brotli), ${kb(decoded)} decoded`,
    );
    expect(transferred).toBeLessThanOrEqual(FIRST_PAGE_BUDGET_BYTES);
    expect(app.problems).toEqual([]);
  });
});
