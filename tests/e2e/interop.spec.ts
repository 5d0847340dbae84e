import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppRouter } from '@stepwise/api';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { inspector, nodeTitled } from '../support/canvasGestures.ts';
import { api, RESULTS_DIR, requireChromium, screenshot, seriousAxeViolations } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

async function waitSaved(page: Page) {
  await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
}

/** Imports a file from the flows list and returns the report dialog. */
async function importFromFlowsList(page: Page, url: string, name: string, mimeType: string) {
  await page.goto(`${url}/flows`);
  await page.getByRole('button', { name: 'Import', exact: true }).waitFor();
  await page.getByTestId('import-flow-file').setInputFiles({ name, mimeType, buffer: fixture(name) });
  const dialog = page.locator('dialog', { hasText: `Imported “${name}”` });
  await dialog.waitFor();
  return dialog;
}

/** Waits until the problems list has no error left (warnings, such as a step without an SLA, may stay). */
async function noErrors(page: Page, shot: string) {
  await page.waitForTimeout(300);
  await screenshot(page, shot);
  await expect
    .poll(
      async () =>
        (await page.locator('.problems-ok').count()) > 0 ||
        (await page.getByTestId('error-count').allTextContents()).join('').trim().startsWith('0 errors'),
      { timeout: 15_000 },
    )
    .toBe(true);
}

async function publish(page: Page) {
  await waitSaved(page);
  const button = page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true });
  await expect.poll(() => button.isDisabled()).toBe(false);
  await button.click();
  await page.locator('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
  await page.locator('.builder-bar').getByText('Published v1').waitFor();
}

const runs = requireChromium();

describe.skipIf(!runs)('a manager imports BPMN and draw.io diagrams and publishes them (Chromium)', () => {
  let app: E2eApp | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    app = await openE2eApp({
      server: { timers: false },
      context: { viewport: { width: 1440, height: 900 } },
      // The broken file's refusal (the first test) is the one expected error.
      console: { allowStatus: (url, status) => status === 400 && url.includes('/trpc/interop.importFile') },
    });
    ({ server, context, page, problems } = app);
    await logIn(page, server.url, MANAGER, /\/flows$/);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('given a broken file, when it is imported from the flows list, then it is refused and no flow is created', async () => {
    const before = await api<Outputs['flows']['list']>(context, server.url, 'flows.list', undefined, 'query');
    await page.getByTestId('import-flow-file').setInputFiles({
      name: 'broken.bpmn',
      mimeType: 'application/xml',
      buffer: Buffer.from(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process',
      ),
    });
    const dialog = page.locator('dialog', { hasText: '“broken.bpmn” cannot be imported' });
    await dialog.waitFor();
    await dialog.getByText('No flow was created.').waitFor();
    await dialog.getByRole('button', { name: 'OK' }).click();
    const after = await api<Outputs['flows']['list']>(context, server.url, 'flows.list', undefined, 'query');
    expect(after.length).toBe(before.length);
  });

  it('given a Camunda BPMN file, when the manager imports it, fixes what the report says and publishes, then v1 exists', async () => {
    // Given the import from the flows list
    const report = await importFromFlowsList(page, server.url, 'callback.bpmn', 'application/xml');
    // Then the report says what to look at: the lane with no team, the subflow to pick
    await report.getByText('The lane "Tier 2 support" matches none of your teams').waitFor();
    await report.getByText('became a Subflow: pick the published flow it runs').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'interop-report-1440');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'interop-report-390');
    await page.setViewportSize({ width: 1440, height: 900 });

    // When the manager opens the builder and fixes both
    await report.getByRole('button', { name: 'Open in the builder' }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
    const flowId = /\/flows\/([0-9a-f-]+)\/edit$/.exec(page.url())?.[1] ?? '';
    await nodeTitled(page, 'Call the customer back').locator('.fnode-title').click();
    await inspector(page).getByLabel('Team', { exact: true }).selectOption({ label: 'Technical' });
    await nodeTitled(page, 'Handle the refund').locator('.fnode-title').click();
    await inspector(page)
      .getByLabel('Flow to run', { exact: true })
      .selectOption({ label: 'Refund request' });
    await noErrors(page, 'interop-bpmn-builder-1440');

    // Then it publishes, and the version is the diagram with the fixes
    await publish(page);
    const versions = await api<Outputs['versions']['list']>(
      context,
      server.url,
      'versions.list',
      { flowId },
      'query',
    );
    const version = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId: versions[0]?.id ?? '' },
      'query',
    );
    const types = version.document.nodes.map((n) => n.type).sort();
    expect(types).toEqual(['decision', 'end', 'start', 'step', 'subflow']);
    const call = version.document.nodes.find((n) => n.id === 'Task_call');
    expect(call?.type === 'step' && call.data.instructions).toBe(
      'Call within the hour and note what was agreed.',
    );
  });

  it('given a draw.io diagram, when the manager imports it, sets the wait the report names and publishes, then v1 exists', async () => {
    const report = await importFromFlowsList(page, server.url, 'complaint.drawio', 'application/xml');
    await report.getByText('"Give it a day" became a Wait').waitFor();
    await report.getByRole('button', { name: 'Open in the builder' }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
    await page.getByText('waits for a duration but has no minutes').first().waitFor();

    await nodeTitled(page, 'Give it a day').locator('.fnode-title').click();
    await inspector(page).getByLabel('Wait for (minutes)', { exact: true }).fill('1440');
    await noErrors(page, 'interop-drawio-builder-1440');
    await publish(page);

    // The export menu offers BPMN of the same draft, and a picture with a legend
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByRole('menuitem', { name: 'BPMN 2.0 (.bpmn)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('complaint-follow-up.bpmn');
    const svgDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByRole('menuitem', { name: 'Picture (.svg)' }).click();
    const svg = await svgDownload;
    expect(svg.suggestedFilename()).toBe('complaint-follow-up.svg');
    const svgPath = join(RESULTS_DIR, 'interop-picture.svg');
    await svg.saveAs(svgPath);
    const picture = readFileSync(svgPath, 'utf8');
    expect(picture).toContain('<g class="legend">');
    expect(picture.match(/<g class="node /g)?.length).toBe(4);
    const pngDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByRole('menuitem', { name: 'Picture (.png)' }).click();
    const png = await pngDownload;
    expect(png.suggestedFilename()).toBe('complaint-follow-up.png');
    await png.saveAs(join(RESULTS_DIR, 'interop-picture.png'));
    // The menu, open, for the record
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByRole('menuitem', { name: 'BPMN 2.0 (.bpmn)' }).waitFor();
    await screenshot(page, 'interop-export-menu-1440');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'interop-builder-390');
    await page.setViewportSize({ width: 1440, height: 900 });

    // The builder's Import takes a BPMN file into the open draft; a report line shows its node
    await page.locator('.builder-bar input[type="file"]').setInputFiles({
      name: 'callback.bpmn',
      mimeType: 'application/xml',
      buffer: fixture('callback.bpmn'),
    });
    const builderReport = page.locator('dialog', { hasText: 'Imported “callback.bpmn”' });
    await builderReport.waitFor();
    await builderReport
      .getByRole('button', { name: /^Show the node: The call activity "Handle the refund"/ })
      .click();
    await builderReport.waitFor({ state: 'hidden' });
    await page
      .locator('.builder-canvas .react-flow__node.selected', { hasText: 'Handle the refund' })
      .waitFor();
    await inspector(page).getByLabel('Flow to run', { exact: true }).waitFor();

    // The import changed the draft: let it save before leaving the page (leaving would cut the save off).
    await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });

    // A published version exports from the flow's page too: BPMN of v1, opened from the keyboard
    const flowId = /\/flows\/([0-9a-f-]+)\/edit$/.exec(page.url())?.[1] ?? '';
    await page.goto(`${server.url}/flows/${flowId}`);
    const exportButton = page.getByRole('button', { name: /^Export/ });
    await exportButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Stepwise flow (.json)' }).waitFor();
    await page.keyboard.press('ArrowDown');
    const versionDownload = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    const versionFile = await versionDownload;
    expect(versionFile.suggestedFilename()).toBe('complaint-follow-up-v1.bpmn');
    const versionPath = join(RESULTS_DIR, 'interop-version.bpmn');
    await versionFile.saveAs(versionPath);
    const xml = readFileSync(versionPath, 'utf8');
    expect(xml).toContain('<bpmn:process id="Process_stepwise" name="Complaint follow-up v1"');
    expect(xml).toContain('<bpmn:intermediateCatchEvent id="cool" name="Give it a day">');
    expect(xml).toContain('PT1440M');
    expect(problems).toEqual([]);
  });
});
