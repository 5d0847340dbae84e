import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  focusedElement,
  REPO_ROOT,
  requireChromium,
  screenshot,
  seriousAxeViolations,
} from '../support/e2e.ts';
import { center, exactly, flowNodes, inspector, nodeTitled, pane } from '../support/canvasGestures.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };

const canvasEdges = (page: Page) => page.locator('.builder-canvas .react-flow__edge');
const picker = (page: Page) => page.getByRole('dialog').filter({ has: page.locator('.node-picker') });

/**
 * Every click, drag, key press and typed field of the manager goes through here and is counted, so the
 * test measures what drawing a flow costs a person.
 */
class Interactions {
  count = 0;
  readonly log: string[] = [];
  constructor(private readonly page: Page) {}

  private note(what: string) {
    this.count += 1;
    this.log.push(`${this.count}. ${what}`);
  }
  async click(target: Locator, what: string) {
    this.note(`click ${what}`);
    await target.click();
  }
  async fill(target: Locator, text: string) {
    this.note(`type “${text}”`);
    await target.fill(text);
  }
  /** Types into whatever has the focus (a field the previous action focused). */
  async type(text: string) {
    this.note(`type “${text}”`);
    await this.page.keyboard.type(text);
  }
  async press(key: string) {
    this.note(`press ${key}`);
    await this.page.keyboard.press(key);
  }
  /** Drags from an output handle of `node` (by its label) to `to` (window pixels), like a person. */
  async dragOutput(node: Locator, output: string, to: { x: number; y: number }) {
    this.note(`drag “${output}” to the canvas`);
    const handle = node.locator('.fnode-output', { hasText: exactly(output) }).locator('.react-flow__handle');
    const start = await settled(handle);
    await this.page.mouse.move(start.x, start.y);
    await this.page.mouse.down();
    await this.page.mouse.move((start.x + to.x) / 2, (start.y + to.y) / 2, { steps: 6 });
    await this.page.mouse.move(to.x, to.y, { steps: 6 });
    await this.page.mouse.up();
  }
}

/** The centre of `locator` once the camera has stopped moving it (a glide to a new node takes 250 ms). */
async function settled(locator: Locator): Promise<{ x: number; y: number }> {
  let last = await center(locator);
  for (let i = 0; i < 20; i++) {
    await locator.page().waitForTimeout(100);
    const now = await center(locator);
    if (now.x === last.x && now.y === last.y) return now;
    last = now;
  }
  return last;
}

async function newBlankFlow(page: Page, base: string, name: string): Promise<string> {
  await page.goto(`${base}/flows`);
  await page.getByRole('button', { name: 'New flow' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create and open' }).click();
  await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
  await page.locator('.builder-empty-hint').waitFor();
  return /\/flows\/([0-9a-f-]+)\/edit$/.exec(page.url())?.[1] ?? '';
}

/**
 * An empty spot of canvas near `node`'s output, as a person would pick one: the nearest point (right of
 * the output preferred) with room for a node around it on the bare pane, clear of the minimap and the
 * zoom controls.
 */
async function emptyPointNear(page: Page, node: Locator, output: string) {
  const handle = node.locator('.fnode-output', { hasText: exactly(output) }).locator('.react-flow__handle');
  const from = await settled(handle);
  const point = await page.evaluate((start) => {
    const canvas = document.querySelector('.builder-canvas')?.getBoundingClientRect();
    if (!canvas) return null;
    const bare = (x: number, y: number) =>
      document.elementFromPoint(x, y)?.classList.contains('react-flow__pane') ?? false;
    let best: { x: number; y: number; d: number } | null = null;
    for (let x = canvas.left + 40; x < canvas.right - 240; x += 24)
      for (let y = canvas.top + 60; y < canvas.bottom - 120; y += 24) {
        const room = [
          [0, 0],
          [220, 0],
          [0, 110],
          [220, 110],
          [110, 55],
          [-16, -50],
        ].every(([dx = 0, dy = 0]) => bare(x + dx, y + dy));
        if (!room) continue;
        // Left of the output costs more: the flow reads left to right.
        const d = Math.hypot(x - start.x, y - start.y) + (x < start.x ? 400 : 0);
        if (!best || d < best.d) best = { x, y, d };
      }
    return best && { x: best.x, y: best.y };
  }, from);
  if (!point) {
    await screenshot(page, 'quick-add-no-room');
    throw new Error(`no empty canvas near “${output}”`);
  }
  return point;
}

/** Pairs of canvas nodes whose boxes overlap (as drawn). */
async function overlappingNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll('.builder-canvas .react-flow__node')].map((el) => ({
      id: el.getAttribute('data-id') ?? '',
      r: el.getBoundingClientRect(),
    }));
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]?.r;
        const b = boxes[j]?.r;
        if (a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
          out.push(`${boxes[i]?.id} × ${boxes[j]?.id}`);
      }
    return out;
  });
}

async function flowDocument(page: Page, base: string, flowId: string) {
  await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
  const response = await page.request.get(
    `${base}/trpc/flows.get?input=${encodeURIComponent(JSON.stringify({ flowId }))}`,
  );
  const body = (await response.json()) as {
    result: {
      data: {
        draft: {
          nodes: Array<{ id: string; type: string; data: Record<string, unknown> }>;
          edges: Array<{ source: string; sourceHandle: string; target: string }>;
        };
      };
    };
  };
  return body.result.data.draft;
}

const runs = requireChromium();

describe.skipIf(!runs)('quick-add: a manager draws flows at the speed of thought', () => {
  let app: E2eApp;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    app = await openE2eApp();
    page = app.page;
    base = app.server.url;
    await logIn(page, base, MANAGER, /\/flows$/);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given an empty canvas, when the 8-node two-branch refund flow is drawn with quick-add, then it takes at most 30 interactions and validates', async () => {
    const flowId = await newBlankFlow(page, base, 'Refund, drawn quickly');
    const act = new Interactions(page);

    // Start, then Tab twice: an assign action and a step, each placed after and connected.
    await act.click(page.locator('[data-palette="start"]'), 'palette Start');
    await flowNodes(page).first().waitFor();
    await act.press('Tab');
    await picker(page).waitFor();
    await act.click(picker(page).locator('[data-picker="action:assign"]'), 'Assign to a team');
    await act.press('Tab');
    await act.click(picker(page).locator('[data-picker="step"]'), 'Step');

    // The step: title, SLA, two outcomes (Enter adds the next), a checklist item and a form field.
    const side = inspector(page);
    await act.fill(side.getByLabel('Title', { exact: true }), 'Verify eligibility');
    await act.fill(side.getByLabel('SLA (minutes)', { exact: true }), '240');
    await act.fill(side.getByLabel('Outcome 1', { exact: true }), 'Eligible');
    await act.press('Enter');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('value') ?? ''))
      .not.toBe('');
    await act.type('Not eligible');
    await act.click(side.getByRole('button', { name: 'Add item' }), 'Add item');
    await act.type('Within the return window');
    await act.click(side.getByRole('button', { name: 'Add field' }), 'Add field');
    await act.fill(side.locator('.insp-card').getByLabel('Label', { exact: true }), 'Order number');
    // The field's key followed its label.
    expect(await side.locator('.insp-card').getByLabel('Key', { exact: true }).inputValue()).toBe(
      'order_number',
    );
    // The step's team came from the assign action before it.
    expect(await side.getByLabel('Team', { exact: true }).locator('option:checked').textContent()).not.toBe(
      'Choose a team…',
    );
    const verify = nodeTitled(page, 'Verify eligibility');
    await verify.locator('.fnode-output', { hasText: exactly('Not eligible') }).waitFor();

    // Eligible: drag its output onto empty canvas, pick Step there.
    await act.dragOutput(verify, 'Eligible', await emptyPointNear(page, verify, 'Eligible'));
    await picker(page).waitFor();
    await act.click(picker(page).locator('[data-picker="step"]'), 'Step');
    await act.fill(side.getByLabel('Title', { exact: true }), 'Issue the refund');

    // Not eligible: the same gesture, below.
    await act.dragOutput(verify, 'Not eligible', await emptyPointNear(page, verify, 'Not eligible'));
    await picker(page).waitFor();
    await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/builder-quick-add.png') });
    await act.click(picker(page).locator('[data-picker="step"]'), 'Step');
    await act.fill(side.getByLabel('Title', { exact: true }), 'Explain the alternatives');
    // … and its Done goes to an End, closed unresolved, from the inspector's Next section.
    await act.click(
      side.getByRole('button', { name: 'Connect… after Done', exact: true }),
      'Next → Connect…',
    );
    await act.click(picker(page).locator('[data-picker="end:closed_unresolved"]'), 'End: closed unresolved');

    // The refund's Done: a message to the customer, then an End, resolved (the whole flow in view first).
    await act.click(page.getByRole('button', { name: 'Fit view' }).first(), 'Fit view');
    await settled(nodeTitled(page, 'Issue the refund'));
    await act.click(nodeTitled(page, 'Issue the refund').locator('.fnode-title'), 'the refund step');
    await act.click(
      side.getByRole('button', { name: 'Connect… after Done', exact: true }),
      'Next → Connect…',
    );
    await act.click(picker(page).locator('[data-picker="action:send_message"]'), 'Send a message');
    await act.press('Tab');
    await act.click(picker(page).locator('[data-picker="end:resolved"]'), 'End: resolved');

    console.log(`Drawing the 8-node refund flow took ${act.count} interactions:\n${act.log.join('\n')}`);
    expect(act.count).toBeLessThanOrEqual(30);

    // Then: 8 nodes, 7 edges, none overlapping, no errors, and the document says the same.
    expect(await flowNodes(page).count()).toBe(8);
    expect(await canvasEdges(page).count()).toBe(7);
    expect(await overlappingNodes(page)).toEqual([]);
    await expect.poll(() => page.getByTestId('error-count').textContent()).toMatch(/^\s*0 errors/);
    const saved = await flowDocument(page, base, flowId);
    expect(saved.nodes.map((n) => n.type).sort()).toEqual(
      ['action', 'action', 'end', 'end', 'start', 'step', 'step', 'step'].sort(),
    );
    expect(saved.edges).toHaveLength(7);
    const steps = saved.nodes.filter((n) => n.type === 'step');
    const assign = saved.nodes.find(
      (n) => n.type === 'action' && JSON.stringify(n.data).includes('"assign"'),
    );
    const assignedTeam = (assign?.data.ops as Array<{ teamId: string }> | undefined)?.[0]?.teamId;
    expect(assignedTeam).toBeTruthy();
    for (const step of steps) expect(step.data.teamId).toBe(assignedTeam);
    const ends = saved.nodes.filter((n) => n.type === 'end').map((n) => [n.data.label, n.data.status]);
    expect(ends.sort()).toEqual([
      ['Closed unresolved', 'closed_unresolved'],
      ['Resolved', 'resolved'],
    ]);

    await screenshot(page, 'builder-quick-add');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(app.problems).toEqual([]);
  });

  it('given a drawn flow, when an edge’s end is dragged to another node, then the edge is re-targeted', async () => {
    await page.getByRole('button', { name: 'Fit view' }).first().click();
    await page.waitForTimeout(400);
    const refund = nodeTitled(page, 'Issue the refund');
    const explain = nodeTitled(page, 'Explain the alternatives');
    // The refund step's incoming edge ends at its input: drag that end (just left of the input) onto
    // the other step.
    const target = await center(refund.locator('.react-flow__handle.target'));
    const to = await center(explain.locator('.react-flow__handle.target'));
    const before = await canvasEdges(page).count();
    await page.mouse.move(target.x - 8, target.y);
    await page.mouse.down();
    await page.mouse.move((target.x + to.x) / 2, (target.y + to.y) / 2, { steps: 6 });
    await page.mouse.move(to.x, to.y, { steps: 6 });
    await page.mouse.up();
    // Eligible now leads to the alternatives step too; the refund step has no way in.
    await expect.poll(() => canvasEdges(page).count()).toBe(before);
    await expect.poll(() => page.getByTestId('error-count').textContent()).toMatch(/^\s*[1-9]\d* errors?/);
    expect(await page.locator('.problems').textContent()).toContain('Issue the refund');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('error-count').textContent()).toMatch(/^\s*0 errors/);
    expect(app.problems).toEqual([]);
  });

  it('given an empty canvas, when a flow is drawn with the keyboard only, then it is connected and valid', async () => {
    const flowId = await newBlankFlow(page, base, 'Drawn with the keyboard');
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el
          ? `${el.getAttribute('data-palette') ?? ''}|${el.getAttribute('aria-label') ?? ''}|${el.id}`
          : '';
      });
    // Tab to the palette's Start and press Enter.
    for (let i = 0; i < 40 && !(await focused()).startsWith('start|'); i++) await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^start\|/);
    await page.keyboard.press('Enter');
    await flowNodes(page).first().waitFor();
    // Tab on the new node: the picker; type, Enter.
    await page.keyboard.press('Tab');
    await picker(page).waitFor();
    await page.keyboard.type('assign');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('step');
    await page.keyboard.press('Enter');
    await expect.poll(() => flowNodes(page).count()).toBe(3);
    // Enter edits the step: its title first; then Tab to the first outcome, two outcomes.
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value))
      .toBe('New step');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('Check the order');
    const outcome1 = inspector(page).getByLabel('Outcome 1', { exact: true });
    for (let i = 0; i < 30; i++) {
      if (await outcome1.evaluate((el) => el === document.activeElement)) break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Control+a');
    await page.keyboard.type('Found');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Not found');
    // Esc: back on the node; Tab appends after its first free output.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await picker(page).waitFor();
    await page.keyboard.type('end res');
    await page.keyboard.press('Enter');
    // Ctrl+F back to the step; Tab appends after its other outcome.
    await page.keyboard.press('Control+f');
    await page.keyboard.type('Check the');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await picker(page).waitFor();
    await page.keyboard.type('end unres');
    await page.keyboard.press('Enter');

    await expect.poll(() => flowNodes(page).count()).toBe(5);
    expect(await canvasEdges(page).count()).toBe(4);
    // A dialog closed with Escape gives the keyboard back to what opened it.
    const opener = await focusedElement(page);
    expect(opener).not.toBe('body');
    await page.keyboard.press('Control+f');
    await page.getByRole('dialog', { name: 'Find a node' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => focusedElement(page)).toBe(opener);
    expect(await overlappingNodes(page)).toEqual([]);
    await expect.poll(() => page.getByTestId('error-count').textContent()).toMatch(/^\s*0 errors/);
    const saved = await flowDocument(page, base, flowId);
    const step = saved.nodes.find((n) => n.type === 'step');
    const targets = saved.edges
      .filter((e) => e.source === step?.id)
      .map((e) => [e.sourceHandle, saved.nodes.find((n) => n.id === e.target)?.data.status]);
    expect(targets).toEqual([
      ['outcome:done', 'resolved'],
      ['outcome:outcome_2', 'closed_unresolved'],
    ]);
    await screenshot(page, 'builder-keyboard');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(app.problems).toEqual([]);
  });

  it('given nodes copied in one flow, when pasted into another flow in a second tab, then they arrive there through the system clipboard', async () => {
    // The keyboard-drawn flow is open here; copy its step and the end after it.
    await page.keyboard.press('Escape');
    const step = nodeTitled(page, 'Check the order');
    await step.locator('.fnode-title').click();
    await nodeTitled(page, 'Resolved')
      .locator('.fnode-title')
      .click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+c');
    await page.getByText('Copied 2 items').waitFor();

    const second = await app.context.newPage();
    try {
      await second.goto(`${base}/flows`);
      await second.getByRole('button', { name: 'New flow' }).click();
      await second.getByLabel('Name', { exact: true }).fill('Pasted into');
      await second.getByRole('button', { name: 'Create and open' }).click();
      await second.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
      await second.locator('.builder-empty-hint').waitFor();
      await second.locator('.builder-canvas .react-flow__pane').click();
      await second.keyboard.press('Control+v');
      await expect.poll(() => flowNodes(second).count()).toBe(2);
      expect(await second.locator('.builder-canvas .react-flow__edge').count()).toBe(1);
      expect(await nodeTitled(second, 'Check the order').count()).toBe(1);
      // Plain text on the clipboard pastes no nodes.
      await second.evaluate(() => {
        const data = new DataTransfer();
        data.setData('text/plain', 'just some words');
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
      });
      expect(await flowNodes(second).count()).toBe(2);
    } finally {
      await second.close();
    }
    expect(app.problems).toEqual([]);
  });

  it('given the problems list, when its splitter is moved with the arrow keys, then the list grows and the canvas shrinks to match, nothing beneath', async () => {
    // A problem to list: remove the connection into the end.
    await nodeTitled(page, 'Resolved').locator('.fnode-title').click();
    await page.keyboard.press('Delete');
    const splitter = page.getByRole('separator', { name: 'Height of the problems list' });
    await splitter.waitFor();
    const before = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => Number(await splitter.getAttribute('aria-valuenow'))).toBe(before + 48);
    const canvas = await page.locator('.builder-canvas').boundingBox();
    const problems = await page.locator('.problems').boundingBox();
    expect(canvas && problems && Math.abs(canvas.y + canvas.height - problems.y)).toBeLessThanOrEqual(1);
    // Picking a problem selects its node and brings it into view.
    await page.locator('.problem').first().click();
    await expect
      .poll(() => page.locator('.builder-canvas .react-flow__node.selected').count())
      .toBeGreaterThan(0);
    await page.keyboard.press('Control+z');
    expect(app.problems).toEqual([]);
  });

  it('given a phone, when the builder shows a drawn flow, then the picker fits and nothing is unlabelled', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    await screenshot(page, 'builder-quick-add-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(await pane(page).count()).toBe(1);
  });
});
