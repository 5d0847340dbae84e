import { join } from 'node:path';
import { publishVersion } from '@stepwise/api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeStep } from '../../packages/api/src/runtime/completeStep.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { startPilot } from '../../packages/api/src/services/versionOps.ts';
import { api, REPO_ROOT, requireChromium } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';
import { loopDocument, publishFlow, type RuntimeOrg, ticketInput } from '../support/runtimeFixture.ts';

const SHOTS = join(REPO_ROOT, 'docs/screenshots');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The demo organization gets a "Loop support" flow worked for eleven days: 45 tickets on v1 (20–44 min
 * each), then v2 (reworded instructions) with 45 more (12–31 min), then a 40% pilot of v1 against v2 on 130
 * tickets where the pilot arm is the faster one. The manager compares the versions, reads the pilot
 * and promotes it from the readout.
 */
describe.skipIf(!requireChromium())('version comparison and pilot readout in Chromium', () => {
  let app: E2eApp;
  let page: Page;
  let flowId = '';
  let v1 = '';

  beforeAll(async () => {
    app = await openE2eApp();
    page = app.page;
    const { db } = app;
    const [org] = await db.query<{ id: string }>('SELECT id FROM organizations');
    const orgId = org?.id ?? '';
    const teams = await db.query<{ id: string; name: string }>('SELECT id, name FROM teams');
    const users = await db.query<{ id: string; email: string }>('SELECT id, email FROM users');
    const userId = (email: string) => users.find((u) => u.email === email)?.id ?? '';
    const teamId = (name: string) => teams.find((t) => t.name === name)?.id ?? '';
    const demo: RuntimeOrg = {
      orgId,
      teams: { billing: teamId('Billing'), technical: teamId('Technical') },
      people: {} as RuntimeOrg['people'],
      flows: {},
    };
    demo.people.manager = {
      userId: userId('manager@acme.test'),
      orgId,
      role: 'manager',
      name: 'Maya',
      email: '',
    };
    ({ flowId, versionId: v1 } = await publishFlow(
      db,
      demo,
      'Loop support',
      // No SLA: the tickets are worked in the past, and a due SLA timer would race the setup's steps.
      loopDocument({ slaMinutes: null }),
      3,
    ));
    const agent = {
      userId: userId('agent1@acme.test'),
      orgId,
      role: 'agent' as const,
      name: 'Alex',
      email: '',
    };
    let at = Date.now() - 11 * DAY;
    const work = async (n: number, minutes: (i: number, onV1: boolean) => number) => {
      for (let i = 0; i < n; i++) {
        const created = await createTicket(db, ticketInput({ flowId, channel: i % 4 ? 'email' : 'chat' }), {
          orgId,
          actorId: null,
          now: new Date(at),
        });
        const onV1 = created.version?.id === v1;
        await completeStep(
          db,
          agent,
          {
            ticketId: created.ticket.id,
            expectedSeq: created.ticket.seq,
            nodeId: 'work',
            outcomeId: 'done',
            form: {},
            checklist: [],
            idempotencyKey: `e2e-${created.ticket.id}`,
          },
          new Date(at + minutes(i, onV1) * MINUTE),
        );
        at += 60 * MINUTE;
      }
    };
    await work(45, (i) => 20 + ((i * 7) % 25));
    const v2doc = JSON.stringify(loopDocument({ slaMinutes: null }))
      .replace('Do one pass of work.', 'Do one pass of work, then note it.')
      .replaceAll('team-billing', demo.teams.billing);
    await db.query(
      'UPDATE flows SET draft = $1::jsonb, draft_revision = draft_revision + 1 WHERE id = $2::uuid',
      [v2doc, flowId],
    );
    await publishVersion(db, {
      orgId,
      flowId,
      authorId: demo.people.manager.userId,
      message: 'Reworded instructions',
    });
    await work(45, (i) => 12 + ((i * 7) % 20));
    await startPilot(db, {
      orgId,
      flowId,
      versionId: v1,
      percent: 40,
      actorId: demo.people.manager.userId,
      now: new Date(at),
    });
    await db.query(
      `UPDATE audit_log SET created_at = $1::timestamptz WHERE action = 'version.pilot_started'`,
      [new Date(at - MINUTE).toISOString()],
    );
    await work(130, (i, onV1) => (onV1 ? 14 + (i % 9) : 24 + (i % 11)));
    await logIn(page, app.server.url, { email: 'manager@acme.test', password: 'stepwise-demo' }, /\/flows$/);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
  });

  it('given two versions with finished tickets, when the manager compares v1 with v2, then the verdict reads in words with its interval and sample sizes', async () => {
    await page.goto(`${app.server.url}/flows/${flowId}/analytics`);
    const panel = page.locator('section[aria-labelledby="compare-versions"]');
    const verdict = panel.getByRole('list', { name: 'Verdict' });
    await verdict.waitFor();
    // the page says what the API computes, in words: a change with its interval and sample sizes
    const [from, to] = await page.evaluate(() => {
      const day = 86_400_000;
      const end = Math.floor(Date.now() / day) * day + day;
      return [new Date(end - 30 * day).toISOString(), new Date(end).toISOString()];
    });
    const sorted = await api<Array<{ id: string; number: number }>>(
      app.context,
      app.server.url,
      'versions.list',
      { flowId },
      'query',
    );
    const byNumber = (n: number) => sorted.find((v) => v.number === n)?.id ?? '';
    const expected = await api<{ verdicts: string[] }>(
      app.context,
      app.server.url,
      'analytics.compare',
      { flowId, a: byNumber(1), b: byNumber(2), from, to },
      'query',
    );
    expect(expected.verdicts[0]).toMatch(/p50 [−+]?\d+% \(95% CI [−+]?\d+% to [−+]?\d+%\), n = \d+ vs \d+\./);
    expect((await verdict.locator('li').allTextContents()).slice(0, 2)).toEqual(
      expected.verdicts.slice(0, 2),
    );
    await panel.getByText('The mix of tickets on each side').click();
    await panel.getByRole('cell', { name: 'Chat' }).first().waitFor();
    // Clear of the sticky top bar, the whole panel in view.
    await panel.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -80));
    await panel.screenshot({ path: join(SHOTS, 'analytics-compare.png') });
  });

  it('given the running pilot, when the readout says promote and the manager does, then the pilot is the active version and the readout is gone', async () => {
    const readout = page.locator('section[aria-labelledby="pilot-readout"]');
    await readout.getByText(/^Promote: v1 resolves faster/).waitFor();
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Promote v1' }).click();
    await page.getByText('v1 is now the active version for all new tickets.').waitFor();
    await readout.waitFor({ state: 'detached' });
    const versions = await api<Array<{ id: string; isActive: boolean; isPilot: boolean }>>(
      app.context,
      app.server.url,
      'versions.list',
      { flowId },
      'query',
    );
    expect(versions.find((v) => v.isActive)?.id).toBe(v1);
    expect(versions.some((v) => v.isPilot)).toBe(false);
  });

  it('given everything the manager did, then the browser reported no error or warning', () => {
    expect(app.problems).toEqual([]);
  });
});
