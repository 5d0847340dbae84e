import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppRouter, seedDemo } from '@stepwise/api';
import { type FlowDocument, type FlowNode, TEMPLATES } from '@stepwise/flow';
import type { inferRouterOutputs } from '@trpc/server';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import {
  api,
  ensureWebBuilt,
  launchBrowser,
  REPO_ROOT,
  RESULTS_DIR,
  requireChromium,
  screenshot,
  watchConsole,
} from '../support/e2e.ts';
import { connect, dropFromPalette, flowNodes, inspector, nodeTitled } from '../support/canvasGestures.ts';
import { logIn } from '../support/e2eApp.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type FlowRow = Outputs['flows']['list'][number];
type TicketDetail = Outputs['tickets']['get'];

const MANAGER = { email: 'manager@acme.test', password: 'stepwise-demo', name: 'Maya Manager' };
const SCREENSHOTS = join(REPO_ROOT, 'docs/screenshots');
const FLOW_NAME = 'Urgent triage';

const edges = (page: Page) => page.locator('.builder-canvas .react-flow__edge');
const errorBadge = (page: Page) => page.getByTestId('error-count');

/** Selects a node by clicking its title (the inspector then shows it). */
async function select(node: Locator, options: { shift?: boolean } = {}) {
  await node.locator('.fnode-title').click({ modifiers: options.shift ? ['Shift'] : [] });
}

async function waitSaved(page: Page) {
  await page.locator('[data-save-status="saved"]').waitFor({ timeout: 15_000 });
}

/** The placeholder team ids of a template mapped to the organization's teams by name (Billing, Technical…). */
function expectedTemplate(
  document: FlowDocument,
  teams: ReadonlyArray<{ id: string; name: string }>,
): FlowDocument {
  const byName = new Map(teams.map((t) => [t.name.toLowerCase(), t.id]));
  const team = (id: string) => byName.get(id.replace(/^team-/, '').replace(/-/g, ' ')) ?? null;
  return {
    ...document,
    nodes: document.nodes.map((node): FlowNode => {
      if (node.type === 'step' && node.data.teamId)
        return { ...node, data: { ...node.data, teamId: team(node.data.teamId) } };
      if (node.type === 'action') {
        return {
          ...node,
          data: {
            ...node.data,
            ops: node.data.ops.map((op) =>
              op.op === 'assign' ? { ...op, teamId: team(op.teamId) ?? op.teamId } : op,
            ),
          },
        };
      }
      return node;
    }),
  };
}

const runs = requireChromium();

describe.skipIf(!runs)('a manager builds, tests and publishes flows in Chromium', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const expectedFailures: Array<{ path: string; status: number }> = [];
  let flowId = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    db = await openTestDb(hasPostgres() ? 'postgres' : 'pglite');
    if (!(await seedDemo(db))) throw new Error('the demo seed did not run on a fresh database');
    server = await startServer({ db, port: 0, timers: false });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    problems = watchConsole(page, {
      allowStatus: (url, status) => {
        const i = expectedFailures.findIndex((f) => url.includes(f.path) && f.status === status);
        if (i < 0) return false;
        expectedFailures.splice(i, 1);
        return true;
      },
    });
    await logIn(page, server.url, MANAGER, /\/flows$/);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await db?.dispose();
  });

  it('given an empty canvas, when the manager drags, connects and configures nodes, then validation clears, publishing works and a ticket follows the drawn path', async () => {
    // Given a new, blank flow.
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByLabel('Name', { exact: true }).fill(FLOW_NAME);
    await page.getByRole('button', { name: 'Create and open' }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
    flowId = /\/flows\/([0-9a-f-]+)\/edit$/.exec(page.url())?.[1] ?? '';
    await page.locator('.builder-empty-hint').waitFor();
    expect(await flowNodes(page).count()).toBe(0);
    await screenshot(page, 'builder-empty');

    // When the manager drags every node from the palette.
    await dropFromPalette(page, 'start', { x: 32, y: 32 });
    await dropFromPalette(page, 'step', { x: 304, y: 32 });
    await dropFromPalette(page, 'decision', { x: 576, y: 32 });
    await dropFromPalette(page, 'action', { x: 304, y: 336 });
    await dropFromPalette(page, 'end', { x: 576, y: 336 });
    await dropFromPalette(page, 'end', { x: 32, y: 336 });
    expect(await flowNodes(page).count()).toBe(6);
    expect(await page.locator('.builder-empty-hint').count()).toBe(0);

    // … and configures them in the inspector.
    await select(nodeTitled(page, 'New step'));
    await inspector(page).getByLabel('Title', { exact: true }).fill('Check the account');
    await inspector(page).getByLabel('Team', { exact: true }).selectOption({ label: 'Billing' });
    await inspector(page).getByLabel('SLA (minutes)', { exact: true }).fill('60');
    await inspector(page).getByLabel('Outcome 1', { exact: true }).fill('Fixed');
    await inspector(page).getByRole('button', { name: 'Add outcome' }).click();
    await inspector(page).getByLabel('Outcome 2', { exact: true }).fill('Needs specialist');
    const step = nodeTitled(page, 'Check the account');
    await step.locator('.fnode-output', { hasText: 'Needs specialist' }).waitFor();
    expect(await step.locator('.fnode-body').textContent()).toContain('Billing');

    await select(nodeTitled(page, 'New decision'));
    await inspector(page).getByLabel('Label', { exact: true }).fill('Urgent?');
    await inspector(page).getByLabel('Branch 1 label', { exact: true }).fill('Urgent');
    await inspector(page).getByLabel('Rule 1 field', { exact: true }).selectOption({ label: 'Priority' });
    await inspector(page).getByLabel('Rule 1 operator', { exact: true }).selectOption({ label: 'is' });
    await inspector(page).getByLabel('Rule 1 value', { exact: true }).selectOption('urgent');
    const decision = nodeTitled(page, 'Urgent?');
    await decision.locator('.fnode-branches', { hasText: 'priority is urgent' }).waitFor();

    await select(nodeTitled(page, 'New action'));
    await inspector(page).getByLabel('Label', { exact: true }).fill('Flag as urgent');
    await inspector(page).getByRole('button', { name: 'Add', exact: true }).click();
    await inspector(page).getByLabel('Action 1 kind', { exact: true }).selectOption({ label: 'Add a tag' });
    await inspector(page).getByLabel('Action 1 tag', { exact: true }).fill('urgent');

    const ends = page.locator('.builder-canvas .react-flow__node-end');
    await select(ends.nth(0));
    await inspector(page).getByLabel('Label', { exact: true }).fill('Escalated');
    await inspector(page)
      .getByLabel('Resolution status', { exact: true })
      .selectOption({ label: 'Transferred' });
    await select(ends.nth(1));
    await inspector(page).getByLabel('Label', { exact: true }).fill('Fixed by billing');
    await inspector(page)
      .getByLabel('Ask the customer for feedback (CSAT 1–5 with a comment)', { exact: true })
      .check();
    await select(decision);
    await screenshot(page, 'builder-inspector');

    // … connects them by dragging from output handles to nodes,
    const start = nodeTitled(page, 'New ticket');
    const action = nodeTitled(page, 'Flag as urgent');
    const escalated = nodeTitled(page, 'Escalated');
    const fixed = nodeTitled(page, 'Fixed by billing');
    await connect(page, start, 'Next', step);
    await connect(page, step, 'Fixed', decision);
    await connect(page, step, 'Needs specialist', escalated);
    await connect(page, decision, 'Urgent', action);
    await connect(page, action, 'Next', escalated);
    expect(await edges(page).count()).toBe(5);

    // … a refused connection says why,
    await connect(page, decision, 'Urgent', fixed);
    await page.getByText(/is already connected: remove that connection first/).waitFor();
    expect(await edges(page).count()).toBe(5);

    // … the missing default edge is an error, with the decision marked,
    await page
      .locator('.problems')
      .getByText(/Decision "Urgent\?" has no default branch connected/)
      .waitFor();
    // (the end it should lead to is unreachable until then, too)
    await page
      .locator('.problems')
      .getByText(/End "Fixed by billing" cannot be reached/)
      .waitFor();
    expect(await errorBadge(page).textContent()).toMatch(/2 errors/);
    expect(await decision.locator('.fnode.has-error').count()).toBe(1);
    const publish = page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true });
    expect(await publish.isDisabled()).toBe(true);
    expect(await page.locator('.publish-reason').textContent()).toBe('Fix 2 errors to publish');
    await screenshot(page, 'builder-problems');

    // … which disappears once the edge is drawn.
    await connect(page, decision, 'Otherwise', fixed);
    expect(await edges(page).count()).toBe(6);
    await page.locator('.problems-ok').waitFor();
    expect(await page.locator('.problems').textContent()).not.toContain('no default branch');
    expect(await decision.locator('.fnode.has-error').count()).toBe(0);

    // Then the draft is saved and the manager publishes it.
    await waitSaved(page);
    await publish.click();
    await page
      .getByLabel('What changed', { exact: true })
      .fill('First version: urgent tickets are escalated');
    await page.locator('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.builder-bar').getByText('Published v1').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'builder-flow');

    // And a ticket created through the API follows the drawn path.
    const flows = await api<FlowRow[]>(context, server.url, 'flows.list', undefined, 'query');
    const flow = flows.find((f) => f.id === flowId);
    if (!flow?.activeVersion) throw new Error('the flow has no active version');
    expect(flow.activeVersion.number).toBe(1);
    const version = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId: flow.activeVersion.id },
      'query',
    );
    const doc = version.document;
    const idOf = (type: string, name: string) => {
      const node = doc.nodes.find(
        (n) => n.type === type && (n.type === 'step' ? n.data.title : n.data.label) === name,
      );
      if (!node) throw new Error(`no ${type} "${name}" in the published version`);
      return node.id;
    };
    const stepNode = doc.nodes.find((n) => n.type === 'step');
    if (stepNode?.type !== 'step') throw new Error('no step in the published version');
    expect(stepNode.data.outcomes.map((o) => o.label)).toEqual(['Fixed', 'Needs specialist']);
    expect(stepNode.data.slaMinutes).toBe(60);

    const created = await api<TicketDetail>(
      context,
      server.url,
      'tickets.create',
      {
        channel: 'chat',
        subject: 'The whole shop is down',
        description: 'Checkout fails for every customer.',
        customer: { name: 'Dana Quinn', email: 'dana@example.com', tier: 'vip' },
        category: 'technical',
        priority: 'urgent',
        flowId,
      },
      'mutation',
    );
    expect(created.currentStep?.data.title).toBe('Check the account');
    const fixedOutcome = stepNode.data.outcomes[0];
    if (!fixedOutcome) throw new Error('the step has no outcome');
    const done = await api<TicketDetail>(
      context,
      server.url,
      'tickets.complete',
      {
        ticketId: created.ticket.id,
        expectedSeq: created.ticket.seq,
        nodeId: stepNode.id,
        outcomeId: fixedOutcome.id,
        form: {},
        checklist: [],
        idempotencyKey: `e2e-builder-${Date.now()}`,
      },
      'mutation',
    );
    const after = await api<TicketDetail>(
      context,
      server.url,
      'tickets.get',
      { ticketId: done.ticket.id },
      'query',
    );
    expect(after.path).toEqual([
      idOf('start', 'New ticket'),
      stepNode.id,
      idOf('decision', 'Urgent?'),
      idOf('action', 'Flag as urgent'),
      idOf('end', 'Escalated'),
    ]);
    expect(after.ticket.status).toBe('ended');
  });

  it('given a drawn flow, when a sample urgent ticket is test-run, then the path shows on the canvas and the decision says why', async () => {
    await page.getByRole('button', { name: 'Test run' }).click();
    await inspector(page).getByLabel('Priority', { exact: true }).selectOption('urgent');
    await inspector(page).getByRole('button', { name: 'Start test run' }).click();
    await inspector(page).locator('.run-stop-title', { hasText: 'Check the account' }).waitFor();
    expect(await page.locator('.builder-canvas .fnode.is-current .fnode-title').textContent()).toBe(
      'Check the account',
    );
    await inspector(page).getByRole('button', { name: 'Fixed', exact: true }).click();
    await inspector(page).locator('.run-stop-title', { hasText: 'Transferred' }).waitFor();
    const log = await inspector(page).locator('.run-log').textContent();
    expect(log).toContain('Decision Urgent? took Urgent');
    expect(log).toMatch(/priority is urgent\s*— was urgent/);
    expect(
      await page.locator('.builder-canvas .fnode.is-visited, .builder-canvas .fnode.is-current').count(),
    ).toBe(5);
    // The README's picture: a drawn flow, a test run's path and the reasons for its decision.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-sonner-toast]').length === 0,
      undefined,
      {
        timeout: 15_000,
      },
    );
    await screenshot(page, 'builder-testrun', join(SCREENSHOTS, 'builder.png'));
    await inspector(page).getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Inspector' }).click();
    expect(await page.locator('.builder-canvas .fnode.is-visited').count()).toBe(0);
  });

  it('given a node with edges, when it is deleted, then undo restores it with its edges and redo deletes it again', async () => {
    // The canvas shows the saved draft (the test run's highlighting has gone).
    const saved = await api<Outputs['flows']['get']>(context, server.url, 'flows.get', { flowId }, 'query');
    const nodes = saved.draft.nodes.length;
    const lines = saved.draft.edges.length;
    await page.waitForFunction(
      ([n, e]) =>
        document.querySelectorAll('.builder-canvas .react-flow__node').length === n &&
        document.querySelectorAll('.builder-canvas .react-flow__edge').length === e,
      [nodes, lines],
    );
    await select(nodeTitled(page, 'Check the account'));
    await page.keyboard.press('Delete');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.builder-canvas .react-flow__node').length === n,
      nodes - 1,
    );
    expect(await edges(page).count()).toBe(lines - 3);

    await page.keyboard.press('Control+z');
    await nodeTitled(page, 'Check the account').waitFor();
    expect(await flowNodes(page).count()).toBe(nodes);
    expect(await edges(page).count()).toBe(lines);

    await page.keyboard.press('Control+Shift+z');
    await nodeTitled(page, 'Check the account').waitFor({ state: 'detached' });
    expect(await edges(page).count()).toBe(lines - 3);
    await page.getByRole('button', { name: 'Undo' }).click();
    await nodeTitled(page, 'Check the account').waitFor();
    expect(await edges(page).count()).toBe(lines);
  });

  it('given two connected nodes selected, when copied and pasted, then both are duplicated with the edge between them', async () => {
    const nodes = await flowNodes(page).count();
    const lines = await edges(page).count();
    await select(nodeTitled(page, 'Urgent?'));
    await select(nodeTitled(page, 'Flag as urgent'), { shift: true });
    expect(await page.locator('.builder-canvas .react-flow__node.selected').count()).toBe(2);
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.builder-canvas .react-flow__node').length === n,
      nodes + 2,
    );
    expect(await edges(page).count()).toBe(lines + 1);
    // The copies are numbered, so no two nodes share a name.
    expect(await nodeTitled(page, 'Urgent?').count()).toBe(1);
    expect(await nodeTitled(page, 'Urgent? 2').count()).toBe(1);
    expect(await nodeTitled(page, 'Flag as urgent 2').count()).toBe(1);
    // The copies are selected, with fresh ids.
    const ids = await page
      .locator('.builder-canvas .react-flow__node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(ids.length);

    await page.keyboard.press('Control+d');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.builder-canvas .react-flow__node').length === n,
      nodes + 4,
    );
    expect(await edges(page).count()).toBe(lines + 2);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.builder-canvas .react-flow__node').length === n,
      nodes,
    );
    expect(await edges(page).count()).toBe(lines);
    await waitSaved(page);
  });

  let templateFlowId = '';

  it('given the Refund request template, when a manager creates a flow from it and publishes without changes, then the version equals the template with teams mapped', async () => {
    await page.getByRole('link', { name: 'Flows', exact: true }).click();
    await page.waitForURL(/\/flows$/);
    await page.getByRole('button', { name: 'New flow' }).click();
    const template = TEMPLATES.find((t) => t.id === 'refund-request');
    if (!template) throw new Error('the refund template is missing');
    await page.locator('.template-card', { hasText: template.name }).click();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(`${template.name} 2`);
    await page.getByRole('button', { name: 'Create and open' }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]+\/edit$/);
    templateFlowId = /\/flows\/([0-9a-f-]+)\/edit$/.exec(page.url())?.[1] ?? '';
    await flowNodes(page).first().waitFor();
    expect(await flowNodes(page).count()).toBe(template.document.nodes.length);
    await page.locator('.problems-ok').waitFor();

    await page.locator('.builder-bar').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByLabel('What changed', { exact: true }).fill('From the template');
    await page.locator('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.builder-bar').getByText('Published v1').waitFor();

    const teams = await api<Outputs['teams']['list']>(context, server.url, 'teams.list', undefined, 'query');
    const flows = await api<FlowRow[]>(context, server.url, 'flows.list', undefined, 'query');
    const versionId = flows.find((f) => f.id === templateFlowId)?.activeVersion?.id;
    if (!versionId) throw new Error('the template flow has no active version');
    const version = await api<Outputs['versions']['get']>(
      context,
      server.url,
      'versions.get',
      { versionId },
      'query',
    );
    expect(version.document).toEqual(expectedTemplate(template.document, teams));
    const steps = version.document.nodes.filter((n) => n.type === 'step');
    expect(steps.every((s) => s.type === 'step' && teams.some((t) => t.id === s.data.teamId))).toBe(true);

    // The step inspector shows each requirement and for which outcomes it holds, and the yes/no field.
    await select(nodeTitled(page, 'Verify eligibility'));
    const windowFor = inspector(page).getByRole('group', {
      name: 'Which outcomes need checklist item “Delivered within the 30-day refund window”',
    });
    expect(await windowFor.getByRole('radio', { name: 'only for:' }).isChecked()).toBe(true);
    expect(await windowFor.getByRole('checkbox', { name: 'Eligible', exact: true }).isChecked()).toBe(true);
    expect(await windowFor.getByRole('checkbox', { name: 'Not eligible' }).isChecked()).toBe(false);
    const foundFor = inspector(page).getByRole('group', {
      name: 'Which outcomes need checklist item “Order found in the order system”',
    });
    expect(await foundFor.getByRole('radio', { name: 'for all outcomes' }).isChecked()).toBe(true);
    const damagedCard = inspector(page).locator('.insp-card', { hasText: 'Item arrived damaged' });
    expect(await damagedCard.getByLabel('Type').inputValue()).toBe('boolean');
    await damagedCard.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(tmpdir(), 'stepwise-step-inspector-desktop.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await damagedCard.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(tmpdir(), 'stepwise-step-inspector-390.png') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The test run honours them too: without the return window ticked only "Not eligible" can be picked.
    await page.getByRole('button', { name: 'Test run' }).click();
    await inspector(page).getByRole('button', { name: 'Start test run' }).click();
    await inspector(page).locator('.run-stop-title', { hasText: 'Verify eligibility' }).waitFor();
    await inspector(page)
      .getByRole('checkbox', { name: 'Delivered within the 30-day refund window' })
      .uncheck();
    expect(await inspector(page).getByRole('button', { name: 'Eligible', exact: true }).isDisabled()).toBe(
      true,
    );
    expect(
      await inspector(page).getByRole('button', { name: 'Not eligible', exact: true }).isDisabled(),
    ).toBe(false);
    const yesNo = inspector(page).getByRole('group', { name: /Item arrived damaged/ });
    expect(await yesNo.getByRole('radio', { name: 'Yes' }).isChecked()).toBe(true);
    await inspector(page)
      .locator('.run-stop')
      .screenshot({ path: join(tmpdir(), 'stepwise-test-run.png') });
    await inspector(page).getByRole('button', { name: 'Not eligible', exact: true }).click();
    await inspector(page).locator('.run-ended').waitFor();
    expect(await inspector(page).locator('.run-log').textContent()).toContain('Refund declined');
    await inspector(page).getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Inspector' }).click();
  });

  it('given the template flow, when it opens and the manager presses Ctrl+F and picks a node by part of its name, then it opened readable and the node is selected', async () => {
    // The flow opened at a readable zoom (the whole flow when it fits at ≥ 0.6, else its Start at 0.75).
    await page.reload();
    await flowNodes(page).first().waitFor();
    const zoom = await page
      .locator('.builder-canvas .react-flow__viewport')
      .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
    expect(zoom).toBeGreaterThanOrEqual(0.6);
    // The palette's buttons are named by what they show (label first), as speech input expects.
    const stepButton = page.locator('[data-palette="step"]');
    const visible = ((await stepButton.innerText()) ?? '').replace(/\s+/g, ' ').trim();
    expect(visible.startsWith('Step')).toBe(true);
    expect(await stepButton.getAttribute('aria-label')).toBeNull();
    // Ctrl+F: type, arrow, Enter.
    await page.locator('.builder-canvas .react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+f');
    const find = page.getByRole('dialog', { name: 'Find a node' });
    await find.getByRole('combobox', { name: 'Node name' }).fill('refund');
    const options = find.getByRole('option');
    await options.first().waitFor();
    const names = await options.locator('.find-node-name').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.toLowerCase().includes('refund'))).toBe(true);
    const target = names[names.length - 1] as string;
    for (let i = 1; i < names.length; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await find.waitFor({ state: 'hidden' });
    const selected = page.locator('.builder-canvas .react-flow__node.selected');
    await expect.poll(() => selected.count()).toBe(1);
    expect(await selected.innerText()).toContain(target);
    // … and brought into view (the camera glides there)
    const area = await page.locator('.builder-canvas').boundingBox();
    if (!area) throw new Error('no canvas');
    await expect
      .poll(async () => {
        const box = await selected.boundingBox();
        return box !== null && box.x >= area.x && box.x + box.width <= area.x + area.width;
      })
      .toBe(true);
  });

  it('given a draft, when it is exported, changed and the export imported again, then the document is identical to the export', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByRole('menuitem', { name: 'Stepwise flow (.json)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('refund-request-2.flow.json');
    const path = join(RESULTS_DIR, 'builder-export.flow.json');
    await file.saveAs(path);
    const exported = JSON.parse(readFileSync(path, 'utf8')) as FlowDocument;
    const draft = await api<Outputs['flows']['get']>(
      context,
      server.url,
      'flows.get',
      { flowId: templateFlowId },
      'query',
    );
    expect(exported).toEqual(draft.draft);

    // A change, saved.
    const nodes = await flowNodes(page).count();
    await select(flowNodes(page).last());
    await page.keyboard.press('Delete');
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.builder-canvas .react-flow__node:not(.react-flow__node-note)').length ===
        n,
      nodes - 1,
    );
    await waitSaved(page);

    // A file that is not a flow is refused with its problems and changes nothing.
    await page.locator('input[type="file"]').setInputFiles({
      name: 'broken.flow.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ schemaVersion: 1, nodes: 'nope' })),
    });
    await page.getByText('“broken.flow.json” cannot be imported').waitFor();
    await page.getByText('Nothing was changed').waitFor();
    await page.locator('dialog').getByRole('button', { name: 'OK' }).click();
    expect(await flowNodes(page).count()).toBe(nodes - 1);

    // The export, imported: one undo step, saved identical.
    await page.locator('input[type="file"]').setInputFiles(path);
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.builder-canvas .react-flow__node:not(.react-flow__node-note)').length ===
        n,
      nodes,
    );
    await waitSaved(page);
    const reimported = await api<Outputs['flows']['get']>(
      context,
      server.url,
      'flows.get',
      { flowId: templateFlowId },
      'query',
    );
    expect(reimported.draft).toEqual(exported);
  });

  it('given another save since the builder opened, when the manager edits, then a conflict dialog names who saved and reloading shows their version', async () => {
    const current = await api<Outputs['flows']['get']>(
      context,
      server.url,
      'flows.get',
      { flowId: templateFlowId },
      'query',
    );
    const theirs = current.draft as FlowDocument;
    await api(
      context,
      server.url,
      'flows.saveDraft',
      {
        flowId: templateFlowId,
        revision: current.draftRevision,
        document: {
          ...theirs,
          notes: [...theirs.notes, { id: 'their_note', position: { x: 0, y: 600 }, text: 'Their note' }],
        },
      },
      'mutation',
    );
    expectedFailures.push({ path: 'flows.saveDraft', status: 409 });
    await select(nodeTitled(page, 'Verify eligibility'));
    await inspector(page).getByLabel('Title', { exact: true }).fill('Verify the order');
    await page.getByText(/^Maya Manager saved this flow at \d\d:\d\d since you opened it\.$/).waitFor();
    expect(await page.locator('[data-save-status="conflict"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Reload their version' }).click();
    await waitSaved(page);
    await page.getByText('Their note').waitFor();
    expect(await nodeTitled(page, 'Verify eligibility').count()).toBe(1);
  });

  it('given everything the manager did, when the session ends, then the browser reported no error, warning or failed request', async () => {
    await page.getByRole('link', { name: 'Flows', exact: true }).click();
    await page.waitForURL(/\/flows$/);
    expect(expectedFailures).toEqual([]);
    expect(problems).toEqual([]);
  });
});
