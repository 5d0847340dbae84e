import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type ConsoleMessage, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = join(REPO_ROOT, 'dist/web');
export const RESULTS_DIR = join(REPO_ROOT, 'test-results');
export const CHROMIUM_PATH = '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Whether the browser suite can run. Without Chromium it is skipped with the reason printed, except on CI
 * (`CI=true`), where a missing browser must fail the run rather than pass it silently.
 */
export function requireChromium(): boolean {
  if (chromiumAvailable()) return true;
  const reason = `${CHROMIUM_PATH} is missing (install it with: apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but the end-to-end suite cannot run: ${reason}.`);
  console.warn(`[stepwise e2e] SKIPPED: ${reason}.`);
  return false;
}

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/**
 * Builds the web app with Vite (the root config) when `dist/web/index.html` is missing or older than any
 * source of apps/web, so the suite runs on a fresh clone and never against a stale build.
 */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(WEB_DIR, 'index.html');
  // The web app, the flow package it bundles, and the build's own configuration.
  const sources = [
    join(REPO_ROOT, 'apps/web'),
    join(REPO_ROOT, 'packages/flow/src'),
    join(REPO_ROOT, 'vite.config.ts'),
    join(REPO_ROOT, 'scripts/precompress.ts'),
  ];
  const newestSource = Math.max(...sources.map(newestMtime));
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return;
  const { build } = await import('vite');
  // The build people get: Vite takes NODE_ENV from the environment when it is set, and the test runner
  // sets it to `test`, which would bundle React's development build (larger, slower, not what ships).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(REPO_ROOT, 'vite.config.ts'),
      root: join(REPO_ROOT, 'apps/web'),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  if (!existsSync(index)) throw new Error(`vite build finished but ${index} is missing`);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
}

/**
 * Records what the page reports as a problem: console errors and warnings, uncaught exceptions, and
 * failed responses (4xx/5xx, except those a test expects, e.g. a designed CONFLICT). Assert it is empty.
 */
export function watchConsole(
  page: Page,
  options: { allowStatus?: (url: string, status: number) => boolean } = {},
) {
  const problems: string[] = [];
  const onConsole = (message: ConsoleMessage) => {
    const type = message.type();
    if (type !== 'error' && type !== 'warning') return;
    const text = message.text();
    // The failed request itself is reported (or allowed) below; Chromium's echo of it adds nothing.
    if (/^Failed to load resource: the server responded with a status of/.test(text)) return;
    problems.push(`console.${type}: ${text}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    const status = response.status();
    if (status < 400) return;
    if (options.allowStatus?.(response.url(), status)) return;
    problems.push(`HTTP ${status}: ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    // Navigating away aborts the page's in-flight reads (queries, the live stream of server-sent
    // events, a code chunk the page was preloading): nothing is lost, the next page reads again (a
    // chunk that truly fails to load surfaces as a page error). An aborted write (POST) still counts.
    if (
      request.failure()?.errorText === 'net::ERR_ABORTED' &&
      request.method() === 'GET' &&
      /\/(trpc|assets)\//.test(request.url())
    )
      return;
    problems.push(
      `request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`,
    );
  });
  return problems;
}

/** Saves a full-page screenshot to test-results/<name>.png (and to `copyTo` as well, when given). */
export async function screenshot(page: Page, name: string, copyTo?: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (copyTo) {
    mkdirSync(dirname(copyTo), { recursive: true });
    await page.screenshot({ path: copyTo, fullPage: true });
  }
  return path;
}

/** Calls a query or mutation of the API with a browser context's cookies (its user's session). */
export async function api<T>(
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

/**
 * What has the keyboard's focus, in words a failing test prints (`button "Save view"`, `main#main`,
 * `body` when focus was dropped).
 */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const name = el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${name ? ` "${name}"` : ''}`;
  });
}

/** axe-core's browser script, read once. */
let axeSource: string | null = null;

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is now and returns its serious and critical
 * violations as readable lines (`rule: what — where`); an empty list is a pass. `exclude` takes CSS
 * selectors of regions to leave out.
 */
export async function seriousAxeViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the debugging protocol: the app's Content-Security-Policy forbids inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  // Judged once it has settled, and frozen while it is judged: a toast fading in or out measures a
  // contrast it never shows at rest (transitions and animations jump to their end while axe runs).
  await page
    .waitForFunction(
      () =>
        document
          .getAnimations()
          .every(
            (a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Number.POSITIVE_INFINITY,
          ),
      undefined,
      { timeout: 3000 },
    )
    .catch(() => {});
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('*, *::before, *::after { transition: none !important; animation: none !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    (window as unknown as { __axeFreeze?: CSSStyleSheet }).__axeFreeze = sheet;
  });
  const violations = await page.evaluate(async (excluded) => {
    type AxeResult = {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[]; any?: Array<{ message?: string }> }>;
      }>;
    };
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<AxeResult> } })
      .axe;
    const result = await axe.run(
      { exclude: excluded.map((selector) => [selector]) },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    );
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => `${n.target.join(' ')}${n.any?.[0]?.message ? ` (${n.any[0].message})` : ''}`)
            .join(', ')}`,
      );
  }, exclude);
  await page.evaluate(() => {
    const sheet = (window as unknown as { __axeFreeze?: CSSStyleSheet }).__axeFreeze;
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
  });
  return violations;
}
