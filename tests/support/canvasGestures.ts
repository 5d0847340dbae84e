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
