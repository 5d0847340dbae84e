import type { FlowDocument } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import v2Refund from '../../packages/flow/fixtures/migrations/v2.refund.json';
import { mapTeams } from '../../packages/api/src/seed/seedDemo.ts';
import { detailsOf, trpcError } from '../support/apiSession.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  apiAs,
  createRuntimeOrg,
  eventCount,
  fakeClock,
  newKey,
  publishFlow,
  type RuntimeOrg,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/*
 * Requirements per outcome and yes/no answers through the server: tickets.complete checks only the
 * chosen outcome's requirements (the engine's rule, nothing re-derived), a yes/no answer is stored as a
 * boolean, and a version stored before requirements per outcome existed keeps requiring everything.
 */
describe.each(backends())('requirements per outcome (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let old: RuntimeOrg;
  const clock = fakeClock();
  const ALL_CHECKS = ['order_found', 'within_window', 'no_prior_refund'];

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Refunds Ltd', clock.now());
    await publishFlow(db, org, 'Refund request', template('refund-request'), 10);
    // The version-2 refund flow, where every required item was required for every outcome.
    old = await createRuntimeOrg(db, 'Old Refunds Ltd', clock.now());
    const published = await publishFlow(db, old, 'Refund request', v2Refund as unknown as FlowDocument, 10);
    // Stored as it was saved before version 3 (the runtime migrates it when it reads the version).
    const stored = mapTeams(v2Refund as unknown as FlowDocument, {
      'team-billing': old.teams.billing,
      'team-technical': old.teams.technical,
    });
    // Versions are immutable; this test alone rewrites one, as if it had been published back then.
    await db.query('ALTER TABLE flow_versions DISABLE TRIGGER flow_versions_immutable');
    await db.query('UPDATE flow_versions SET document = $1::jsonb WHERE id = $2::uuid', [
      JSON.stringify(stored),
      published.versionId,
    ]);
    await db.query('ALTER TABLE flow_versions ENABLE TRIGGER flow_versions_immutable');
  });
  afterAll(async () => {
    await db.dispose();
  });

  const refundTicket = (o: RuntimeOrg) =>
    apiAs(db, o.people.agent1, clock).tickets.create(ticketInput({ category: 'refund' }));
  const verify = (
    t: { ticket: { id: string; seq: number } },
    outcomeId: string,
    checklist: string[],
    form: Record<string, string | number | boolean>,
  ) => ({
    ticketId: t.ticket.id,
    expectedSeq: t.ticket.seq,
    nodeId: 'verify',
    outcomeId,
    checklist,
    form,
    idempotencyKey: newKey(),
  });

  it('given "Not eligible", when completed without the checks and fields only "Eligible" needs, then the ticket moves on', async () => {
    // given
    const t = await refundTicket(org);
    expect(t.currentStep?.id).toBe('verify');
    // when
    const done = await apiAs(db, org.people.agent1, clock).tickets.complete(
      verify(t, 'not_eligible', ['order_found'], { order_number: 'A-1' }),
    );
    // then
    expect(done.ticket).toMatchObject({ status: 'ended', seq: 2 });
    expect(done.ticket.fields).toEqual({ order_number: 'A-1' });
  });

  it('given "Eligible", when its own requirements are missing, then typed BAD_REQUESTs name only them and nothing is written', async () => {
    // given
    const t = await refundTicket(org);
    const events = await eventCount(db, t.ticket.id);
    const api = apiAs(db, org.people.agent1, clock);
    // when
    const checklist = await trpcError(
      api.tickets.complete(verify(t, 'eligible', ['order_found'], { order_number: 'A-2', amount: 20 })),
    );
    const form = await trpcError(
      api.tickets.complete(verify(t, 'eligible', ALL_CHECKS, { order_number: 'A-2', amount: 20 })),
    );
    const notYesNo = await trpcError(
      api.tickets.complete(
        verify(t, 'eligible', ALL_CHECKS, { order_number: 'A-2', amount: 20, arrived_damaged: 'maybe' }),
      ),
    );
    // then
    expect(checklist.code).toBe('BAD_REQUEST');
    expect(detailsOf(checklist)).toEqual({
      code: 'CHECKLIST_INCOMPLETE',
      issues: {
        within_window: 'Delivered within the 30-day refund window',
        no_prior_refund: 'No earlier refund on this order',
      },
    });
    expect(detailsOf(form)).toEqual({
      code: 'FORM_INVALID',
      issues: { arrived_damaged: 'Item arrived damaged needs an answer: yes or no.' },
    });
    expect(detailsOf(notYesNo)).toEqual({
      code: 'FORM_INVALID',
      issues: { arrived_damaged: 'Item arrived damaged must be yes or no.' },
    });
    expect(await eventCount(db, t.ticket.id)).toBe(events);
  });

  it('given "Eligible" with every requirement met and the yes/no answered "no", then the answer is stored as false', async () => {
    // given
    const t = await refundTicket(org);
    // when
    const done = await apiAs(db, org.people.agent1, clock).tickets.complete(
      verify(t, 'eligible', ALL_CHECKS, { order_number: 'A-3', amount: 20, arrived_damaged: false }),
    );
    // then: stored as a JSON boolean, not a string
    expect(done.ticket.fields).toMatchObject({ arrived_damaged: false, amount: 20 });
    const rows = await db.query<{ kind: string }>(
      `SELECT jsonb_typeof(fields->'arrived_damaged') AS kind FROM tickets WHERE id = $1::uuid`,
      [t.ticket.id],
    );
    expect(rows[0]?.kind).toBe('boolean');
  });

  it('given a version stored at schema version 2, when "Not eligible" is picked, then every required item is still required', async () => {
    // given
    const t = await refundTicket(old);
    expect(t.currentStep?.data.checklist.every((c) => c.requiredFor === undefined)).toBe(true);
    const api = apiAs(db, old.people.agent1, clock);
    // when
    const refused = await trpcError(
      api.tickets.complete(verify(t, 'not_eligible', ['order_found'], { order_number: 'A-4', amount: 5 })),
    );
    const done = await api.tickets.complete(
      verify(t, 'not_eligible', ALL_CHECKS, { order_number: 'A-4', amount: 5 }),
    );
    // then
    expect(detailsOf(refused)).toMatchObject({ code: 'CHECKLIST_INCOMPLETE' });
    expect(Object.keys((detailsOf(refused) as { issues: object }).issues).sort()).toEqual([
      'no_prior_refund',
      'within_window',
    ]);
    expect(done.ticket.status).toBe('ended');
  });

  it('given everything above, when the invariants are checked, then they hold', async () => {
    expect(await checkInvariants(db)).toEqual([]);
  });
});
