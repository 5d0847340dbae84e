import { type SeedOptions, seedDemo } from '@stepwise/api';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { type StartServerOptions, startServer } from '../../apps/server/src/server.ts';
import { ensureWebBuilt, launchBrowser, watchConsole } from './e2e.ts';
import { hasPostgres, openTestDb, type TestDb } from './testDb.ts';

/** What an end-to-end spec drives: a fresh database, the shipped server on it, and one browser page. */
export type E2eApp = {
  db: TestDb;
  server: Awaited<ReturnType<typeof startServer>>;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, warnings, uncaught exceptions and failed requests the page reported. */
  problems: string[];
  close: () => Promise<void>;
};

/**
 * What `openE2eApp` seeds: the demo organization (`true`, the default), nothing (`false`), or the demo
 * with its history — `'history'` seeds it as `npm start` shows it (about 2,500 finished tickets over 60
 * days, "Refund request" v2 piloted on 30%; a minute or so), `{ history: { tickets: 600 } }` a smaller one
 * from the same code and seed. The history ends at the server's clock (`server.now`) when one is given.
 */
export type E2eSeed = boolean | 'history' | { history: NonNullable<SeedOptions['history']> };

/**
 * Builds the web app if needed, opens a fresh test database (PostgreSQL when configured, else PGlite),
 * seeds the demo organization unless `seed` is false (with its history for `seed: 'history'`), starts the
 * server on a free port and opens a page that records console problems. Close it in `afterAll`; whatever
 * was opened is closed, in reverse.
 */
export async function openE2eApp(
  options: {
    seed?: E2eSeed;
    server?: Omit<StartServerOptions, 'db' | 'port'>;
    context?: BrowserContextOptions;
    console?: Parameters<typeof watchConsole>[1];
  } = {},
): Promise<E2eApp> {
  await ensureWebBuilt();
  const db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
  const opened: Array<() => Promise<unknown>> = [() => db.dispose()];
  const close = async () => {
    for (const step of opened.reverse()) await step();
  };
  try {
    const now = options.server?.now;
    const seed = options.seed ?? true;
    const history = seed === 'history' ? true : typeof seed === 'object' ? seed.history : undefined;
    if (seed !== false) {
      const seeded = await seedDemo(db, { ...(now ? { now: now() } : {}), history });
      if (!seeded) throw new Error('the demo seed did not run on a fresh database');
      if (history && !seeded.history) throw new Error('the demo history did not run on a fresh database');
    }
    const server = await startServer({ allowLocalUrls: true, ...options.server, db, port: 0 });
    opened.push(() => server.close());
    const browser = await launchBrowser();
    opened.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options.context });
    opened.push(() => context.close());
    const page = await context.newPage();
    const problems = watchConsole(page, options.console);
    return { db, server, browser, context, page, problems, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Logs in through the login page and waits for the page the role lands on. */
export async function logIn(
  page: Page,
  baseUrl: string,
  who: { email: string; password: string },
  landing: RegExp,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(landing);
}
