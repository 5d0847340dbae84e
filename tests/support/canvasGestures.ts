import type { Locator, Page } from 'playwright-core';

/** Locators and gestures on the builder canvas, as a person would use it; shared by the e2e specs. */

/** A RegExp matching `text` exactly (for hasText). */
export const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

export const pane = (page: Page) => page.locator('.builder-canvas .react-flow__pane');
export const flowNodes = (page: Page) =>
  page.locator('.builder-canvas .react-flow__node:not(.react-flow__node-note)');
export const inspector = (page: Page) => page.locator('.builder-side');

/** The canvas node whose title is `title`. */
export function nodeTitled(page: Page, title: string): Locator {
  return page.locator('.builder-canvas .react-flow__node', {
    has: page.locator('.fnode-title', { hasText: exactly(title) }),
  });
}

export async function center(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element is not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a palette item onto the canvas so the new node's top-left lands at `at` (canvas pixels, zoom 1). */
export async function dropFromPalette(page: Page, item: string, at: { x: number; y: number }) {
  const before = await page.locator('.builder-canvas .react-flow__node').count();
  await page
    .locator(`[data-palette="${item}"]`)
    .dragTo(pane(page), { targetPosition: { x: at.x + 100, y: at.y + 28 } });
  await page.waitForFunction(
    (n) => document.querySelectorAll('.builder-canvas .react-flow__node').length === n,
    before + 1,
  );
}

/** Drags from an output handle of `from` (by its label) to the input handle of `to`, like a person would. */
export async function connect(page: Page, from: Locator, output: string, to: Locator) {
  const handle = from.locator('.fnode-output', { hasText: exactly(output) }).locator('.react-flow__handle');
  const start = await center(handle);
  const end = await center(to.locator('.react-flow__handle.target'));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 6 });
  await page.mouse.move(end.x, end.y, { steps: 6 });
  await page.mouse.up();
}

export const nodeOfType = (page: Page, type: string) =>
  page.locator(`.builder-canvas .react-flow__node-${type}`);

/**
 * From the Flows page: a new blank flow, drawn as start (automatic, with the given channel and
 * priorities) → an agent step on the Billing team → end, connected and saved.
 */
export async function drawFlow(
  page: Page,
  name: string,
  filters: { channels: string[]; priorities: string[] },
  stepTitle: string,
): Promise<string> {
  await page.getByRole('link', { name: 'Flows', exact: true }).click();
  await page.waitForURL(/\/flows$/);
  await page.getByRole('button', { name: 'New flow' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create and open' }).click();
  await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
  const flowId = /\/flows\/([0-9a-f-]+)\/edit$/.exec(page.url())?.[1] ?? '';
  await page.locator('.builder-empty-hint').waitFor();

  await dropFromPalette(page, 'start', { x: 32, y: 32 });
  await dropFromPalette(page, 'step', { x: 32, y: 232 });
  await dropFromPalette(page, 'end', { x: 32, y: 432 });

  const start = nodeOfType(page, 'start');
  await start.locator('.fnode-title').click();
  await inspector(page).getByRole('button', { name: 'Automatically', exact: true }).click();
  for (const channel of filters.channels) {
    await inspector(page)
      .getByRole('group', { name: 'Channels' })
      .getByLabel(channel, { exact: true })
      .check();
  }
  for (const priority of filters.priorities) {
    await inspector(page)
      .getByRole('group', { name: 'Priorities' })
      .getByLabel(priority, { exact: true })
      .check();
  }
  const step = nodeOfType(page, 'step');
  await step.locator('.fnode-title').click();
  await inspector(page).getByLabel('Title', { exact: true }).fill(stepTitle);
  await inspector(page).getByLabel('Team', { exact: true }).selectOption({ label: 'Billing' });
  await inspector(page).getByLabel('SLA (minutes)', { exact: true }).fill('60');
  await inspector(page).getByLabel('Outcome 1', { exact: true }).fill('Done');
  await step.locator('.fnode-output', { hasText: exactly('Done') }).waitFor();
  const end = nodeOfType(page, 'end');
  await connect(page, start, 'Next', step);
  await connect(page, step, 'Done', end);
  await page.locator('.problems-ok').waitFor();
  await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
  return flowId;
}
