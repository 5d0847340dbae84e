import type { AppRouter } from '@stepwise/api';
import { TEMPLATES, templateTeamsOf } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startServer } from '../../apps/server/src/server.ts';
import { api, requireChromium, screenshot } from '../support/e2e.ts';
import { connect, dropFromPalette, flowNodes, inspector, nodeTitled } from '../support/canvasGestures.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

type Outputs = inferRouterOutputs<AppRouter>;

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo' };

const problem = (page: Page, text: string | RegExp) => page.locator('.problems .problem', { hasText: text });

/** Waits until the canvas stops moving (an animated fit or focus). */
async function settle(page: Page) {
  const viewport = page.locator('.builder-canvas .react-flow__viewport');
  let last = '';
  for (let i = 0; i < 40; i++) {
    const now = (await viewport.getAttribute('style')) ?? '';
    if (now === last) return;
    last = now;
    await page.waitForTimeout(100);
  }
}

/** Waits until the canvas stops moving (the focus animation), then returns how far `locator` is from its centre. */
async function offCentre(page: Page, locator: Locator | Locator[]): Promise<number> {
  await settle(page);
  const canvas = await page.locator('.builder-canvas .react-flow').boundingBox();
  if (!canvas) throw new Error('the canvas is not visible');
  const boxes = await Promise.all((Array.isArray(locator) ? locator : [locator]).map((l) => l.boundingBox()));
  if (boxes.some((b) => b === null)) throw new Error('a focused node is not visible');
  const left = Math.min(...boxes.map((b) => b!.x));
  const top = Math.min(...boxes.map((b) => b!.y));
  const right = Math.max(...boxes.map((b) => b!.x + b!.width));
  const bottom = Math.max(...boxes.map((b) => b!.y + b!.height));
  return Math.hypot(
    (left + right) / 2 - (canvas.x + canvas.width / 2),
    (top + bottom) / 2 - (canvas.y + canvas.height / 2),
  );
}

const runs = requireChromium();

describe.skipIf(!runs)(
  'templates fit the workspace, and nodes have names that tell them apart (Chromium)',
  () => {
    let app: E2eApp | undefined;
    let server: Awaited<ReturnType<typeof startServer>>;
    let context: BrowserContext;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      app = await openE2eApp({
        server: { timers: false },
        context: { viewport: { width: 1280, height: 800 } },
      });
      ({ server, context, page, problems } = app);
      await logIn(page, server.url, MANAGER, /\/flows$/);
    });

    afterAll(async () => {
      await app?.close();
    });

    it.each(TEMPLATES.map((t) => [t.name, t] as const))(
      'given the demo organization, when the manager creates a flow from %s with the proposed teams, then it opens without errors',
      async (_name, template) => {
        // Given the new-flow dialog with the template chosen
        await page.getByRole('link', { name: 'Flows', exact: true }).click();
        await page.waitForURL(/\/flows$/);
        await page.getByRole('button', { name: 'New flow' }).click();
        await page.locator('.template-card', { hasText: template.name }).click();
        const mapping = page.locator('.team-mapping');
        const teams = templateTeamsOf(template.document);
        await mapping
          .locator('select')
          .nth(teams.length - 1)
          .waitFor();
        expect(await mapping.locator('select').count()).toBe(teams.length);

        // Then each template team has a labelled select with a preselected team (or a team to create)
        const orgTeams = await api<Outputs['teams']['list']>(
          context,
          server.url,
          'teams.list',
          undefined,
          'query',
        );
        for (const team of teams) {
          const select = mapping.getByLabel(team.name);
          const chosen = await select.evaluate(
            (el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '',
          );
          const existing = orgTeams.find((t) => t.name.toLowerCase() === team.name.toLowerCase());
          expect(chosen).toBe(existing ? existing.name : `Create team “${team.name}”`);
        }
        if (template.id === 'escalation') {
          await screenshot(page, 'template-teams-1280');
          await page.setViewportSize({ width: 390, height: 844 });
          await mapping.scrollIntoViewIfNeeded();
          await screenshot(page, 'template-teams-390');
          await page.setViewportSize({ width: 1280, height: 800 });
        }

        // When the flow is created
        await page.getByRole('button', { name: 'Create and open' }).click();
        await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
        await page.waitForFunction(
          (n) =>
            document.querySelectorAll('.builder-canvas .react-flow__node:not(.react-flow__node-note)')
              .length === n,
          template.document.nodes.length,
        );
        // (the teams are loaded once the steps show their team's name)
        const after = await api<Outputs['teams']['list']>(
          context,
          server.url,
          'teams.list',
          undefined,
          'query',
        );
        await page
          .locator('.builder-canvas .fnode-body', { hasText: new RegExp(after.map((t) => t.name).join('|')) })
          .first()
          .waitFor({ state: 'attached' });

        // Then the problems panel shows no error
        await page.locator('.problems-ok').waitFor();
        expect(await page.getByTestId('error-count').count()).toBe(0);
      },
    );

    it('given all seven templates created, then the organization gained Senior support and Customer success once each', async () => {
      const teams = await api<Outputs['teams']['list']>(
        context,
        server.url,
        'teams.list',
        undefined,
        'query',
      );
      expect(teams.map((t) => t.name).sort()).toEqual([
        'Billing',
        'Customer success',
        'Senior support',
        'Technical',
      ]);
    });

    it('given a blank flow, when two actions and two ends are added, then each has its own name, which follows what it does', async () => {
      await page.getByRole('link', { name: 'Flows', exact: true }).click();
      await page.waitForURL(/\/flows$/);
      await page.getByRole('button', { name: 'New flow' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Names');
      await page.getByRole('button', { name: 'Create and open' }).click();
      await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
      await page.locator('.builder-empty-hint').waitFor();

      // When two actions and two ends are added
      await dropFromPalette(page, 'start', { x: 32, y: 32 });
      await dropFromPalette(page, 'action', { x: 304, y: 32 });
      await dropFromPalette(page, 'action', { x: 304, y: 336 });
      await dropFromPalette(page, 'end', { x: 608, y: 32 });
      await dropFromPalette(page, 'end', { x: 608, y: 336 });

      // (all in view)
      await page.locator('.builder-tools').getByRole('button', { name: 'Fit view' }).click();
      await settle(page);

      // Then their names differ
      for (const name of ['New action', 'New action 2', 'Resolved', 'Resolved 2'])
        expect(await nodeTitled(page, name).count(), name).toBe(1);

      // And an action is named after its operation, an End after its status
      await nodeTitled(page, 'New action').locator('.fnode-title').click();
      await inspector(page).getByRole('button', { name: 'Add', exact: true }).click();
      await inspector(page).getByLabel('Action 1 kind', { exact: true }).selectOption({ label: 'Add a tag' });
      await inspector(page).getByLabel('Action 1 tag', { exact: true }).fill('vip');
      await nodeTitled(page, 'Add tag vip').waitFor();
      expect(await inspector(page).getByLabel('Label', { exact: true }).inputValue()).toBe('Add tag vip');
      await nodeTitled(page, 'Resolved 2').locator('.fnode-title').click();
      await inspector(page)
        .getByLabel('Resolution status', { exact: true })
        .selectOption({ label: 'Transferred' });
      await nodeTitled(page, 'Transferred').waitFor();
      await problem(page, 'End "Transferred" cannot be reached from the Start').waitFor();
    });

    it('given problems, when one is clicked, then its node is selected and the canvas centres on it; a loop selects its nodes and connections', async () => {
      // Given the canvas moved away from the End (dragged by an empty spot below the Start)
      const transferred = nodeTitled(page, 'Transferred');
      const start = await nodeTitled(page, 'New ticket').boundingBox();
      if (!start) throw new Error('the Start is not visible');
      const grab = { x: start.x + 60, y: start.y + start.height + 80 };
      await page.mouse.move(grab.x, grab.y);
      await page.mouse.down();
      await page.mouse.move(grab.x + 260, grab.y + 120, { steps: 8 });
      await page.mouse.up();
      expect(await offCentre(page, transferred)).toBeGreaterThan(150);

      // When its problem is clicked
      await problem(page, 'End "Transferred" cannot be reached from the Start').click();

      // Then it is selected, shown in the inspector and in the middle of the canvas
      await page.locator('.builder-canvas .react-flow__node.selected', { hasText: 'Transferred' }).waitFor();
      expect(await page.locator('.builder-canvas .react-flow__node.selected').count()).toBe(1);
      expect(await inspector(page).getByLabel('Label', { exact: true }).inputValue()).toBe('Transferred');
      expect(await offCentre(page, transferred)).toBeLessThan(12);

      // Given a loop of the two actions
      await page.locator('.builder-tools').getByRole('button', { name: 'Fit view' }).click();
      await offCentre(page, transferred);
      const tag = nodeTitled(page, 'Add tag vip');
      const other = nodeTitled(page, 'New action 2');
      await connect(page, tag, 'Next', other);
      await connect(page, other, 'Next', tag);
      const loop = problem(page, /form a loop with no step or wait in it/);
      await loop.waitFor();
      expect(await loop.textContent()).toContain('Action "Add tag vip"');
      expect(await loop.textContent()).toContain('Action "New action 2"');

      // When its problem is clicked, then both actions and both connections are selected and centred
      await loop.click();
      await page.waitForFunction(
        () => document.querySelectorAll('.builder-canvas .react-flow__edge.selected').length === 2,
      );
      expect(await page.locator('.builder-canvas .react-flow__node.selected').count()).toBe(2);
      expect(await offCentre(page, [tag, other])).toBeLessThan(12);
      await screenshot(page, 'builder-names-problems');
      expect(await flowNodes(page).count()).toBe(5);
    });

    it('given everything above, then the browser reported no error, warning or failed request', async () => {
      await page.getByRole('link', { name: 'Flows', exact: true }).click();
      await page.waitForURL(/\/flows$/);
      expect(problems).toEqual([]);
    });
  },
);
