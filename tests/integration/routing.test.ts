import type { FlowDocument, StartTrigger } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, apiHarness, sampleDocument, trpcError } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

function trigger(
  filters: Partial<Omit<StartTrigger, 'mode'>> = {},
  mode: StartTrigger['mode'] = 'auto',
): StartTrigger {
  return { mode, channels: [], categories: [], priorities: [], tiers: [], ...filters };
}

/** The sample flow (start → one step on `teamId` → end) with the given start trigger. */
function documentWith(teamId: string, start: StartTrigger, title = 'Check the request'): FlowDocument {
  const document = sampleDocument(title, teamId);
  return {
    ...document,
    nodes: document.nodes.map((n) =>
      n.type === 'start' ? { ...n, data: { ...n.data, trigger: start } } : n,
    ),
  };
}

describe.each(backends())('routing (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let orgCount = 0;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
  });
  afterAll(async () => {
    await db.dispose();
  });

  /** A fresh organization: its manager's API and a team. */
  async function freshOrg(): Promise<{ api: Api; teamId: string; orgId: string }> {
    orgCount += 1;
    const admin = await h.signUp(`Routing Org ${orgCount}`);
    const manager = await h.addMember(admin, 'manager');
    const api = await h.as(manager);
    const team = await api.teams.create({ name: 'Support' });
    return { api, teamId: team.id, orgId: admin.me.org.id };
  }

  /** Creates a blank flow (as the UI does), saves `start` into its draft and publishes it. */
  async function drawAndPublish(
    api: Api,
    teamId: string,
    name: string,
    start: StartTrigger,
  ): Promise<string> {
    const created = await api.flows.create({ name });
    await api.flows.saveDraft({
      flowId: created.id,
      revision: created.draftRevision,
      document: documentWith(teamId, start),
    });
    await api.versions.publish({ flowId: created.id, message: 'First version' });
    return created.id;
  }

  async function orderNames(api: Api): Promise<string[]> {
    return (await api.routing.order()).map((f) => f.name);
  }

  const ticket = (channel: 'phone' | 'email' | 'chat', category = 'billing') => ({
    channel,
    subject: `A ${channel} ticket`,
    description: 'Help',
    customer: { name: 'Ines', email: 'ines@example.test', tier: 'existing' as const },
    category,
    priority: 'normal' as const,
  });

  it('given a published catch-all, when a manager draws a phone flow from a blank canvas and publishes it, then it goes before the catch-all and takes phone tickets', async () => {
    // given
    const { api, teamId } = await freshOrg();
    const catchAll = await drawAndPublish(api, teamId, 'Ticket resolution', trigger());
    await api.flows.setRouteOrder({ flowIds: [catchAll] });
    const blank = await api.flows.create({ name: 'Phone calls' });
    expect(await orderNames(api)).toEqual(['Ticket resolution', 'Phone calls']);
    // when
    await api.flows.saveDraft({
      flowId: blank.id,
      revision: blank.draftRevision,
      document: documentWith(teamId, trigger({ channels: ['phone'] })),
    });
    await api.versions.publish({ flowId: blank.id, message: 'Phone' });
    // then
    expect(await orderNames(api)).toEqual(['Phone calls', 'Ticket resolution']);
    const phone = await api.tickets.create(ticket('phone'));
    expect(phone.flow?.name).toBe('Phone calls');
    expect(phone.ticket.nodeId).toBe('check');
    const email = await api.tickets.create(ticket('email'));
    expect(email.flow?.name).toBe('Ticket resolution');
    const audit = await db.query<{ data: { reason?: string; flowId?: string } }>(
      "SELECT data FROM audit_log WHERE action = 'flow.route_order_changed' AND data->>'flowId' = $1",
      [blank.id],
    );
    expect(audit.map((a) => a.data.reason)).toEqual(['first_publish']);
  });

  it('given a manager moved a filtered flow after the catch-all, when they publish it again, then their order stays (and shows it shadowed)', async () => {
    // given
    const { api, teamId } = await freshOrg();
    const catchAll = await drawAndPublish(api, teamId, 'Ticket resolution', trigger());
    const phone = await drawAndPublish(api, teamId, 'Phone calls', trigger({ channels: ['phone'] }));
    await api.flows.setRouteOrder({ flowIds: [catchAll, phone] });
    const { draftRevision } = await api.flows.get({ flowId: phone });
    await api.flows.saveDraft({
      flowId: phone,
      revision: draftRevision,
      document: documentWith(teamId, trigger({ channels: ['phone'] }), 'Call the customer back'),
    });
    // when
    const v2 = await api.versions.publish({ flowId: phone, message: 'Second version' });
    // then
    expect(v2.number).toBe(2);
    const order = await api.routing.order();
    expect(order.map((f) => [f.position, f.name, f.activeVersion?.number, f.filters])).toEqual([
      [1, 'Ticket resolution', 1, 'every ticket'],
      [2, 'Phone calls', 2, 'phone tickets'],
    ]);
    expect(order[1]?.shadowing).toEqual({
      coveredBy: [{ id: catchAll, name: 'Ticket resolution' }],
      moveBefore: { id: catchAll, name: 'Ticket resolution' },
      sentence: 'Ticket resolution, earlier in the order, takes every phone ticket',
    });
    expect(order[0]?.shadowing).toBeNull();
    expect((await api.tickets.create(ticket('phone'))).flow?.name).toBe('Ticket resolution');
  });

  it('given several catch-alls and filtered flows, when flows are first published, then each filtered one goes right before the first catch-all and catch-alls or manual ones stay put', async () => {
    // given
    const { api, teamId } = await freshOrg();
    await drawAndPublish(api, teamId, 'A refunds', trigger({ categories: ['refund'] }));
    await drawAndPublish(api, teamId, 'B everything', trigger());
    await drawAndPublish(api, teamId, 'C everything else', trigger());
    // when
    await drawAndPublish(api, teamId, 'D by hand', trigger({ channels: ['phone'] }, 'manual'));
    await drawAndPublish(api, teamId, 'E vip', trigger({ tiers: ['vip'] }));
    await drawAndPublish(api, teamId, 'F catch-all', trigger());
    // then
    expect(await orderNames(api)).toEqual([
      'A refunds',
      'E vip',
      'B everything',
      'C everything else',
      'D by hand',
      'F catch-all',
    ]);
    const rows = await db.query<{ route_order: number }>(
      'SELECT route_order FROM flows WHERE org_id = (SELECT org_id FROM flows WHERE name = $1) ORDER BY route_order',
      ['E vip'],
    );
    expect(new Set(rows.map((r) => r.route_order)).size).toBe(rows.length);
  });

  it('given a catch-all, when a flow is created with a document that has start filters, then it is placed before the catch-all at once', async () => {
    // given
    const { api, teamId } = await freshOrg();
    const catchAll = await drawAndPublish(api, teamId, 'Ticket resolution', trigger());
    await api.flows.setRouteOrder({ flowIds: [catchAll] });
    // when
    await api.flows.create({
      name: 'Imported chat',
      document: documentWith(teamId, trigger({ channels: ['chat'] })),
    });
    await api.flows.create({
      name: 'Imported manual',
      document: documentWith(teamId, trigger({}, 'manual')),
    });
    // then
    expect((await api.routing.order()).map((f) => [f.name, f.filters])).toEqual([
      ['Imported chat', 'not published'],
      ['Ticket resolution', 'every ticket'],
      ['Imported manual', 'not published'],
    ]);
  });

  it('given flows in order, when the tester asks which flow takes a ticket, then it names the flow intake picks and why each earlier one did not', async () => {
    // given
    const { api, teamId } = await freshOrg();
    await api.flows.create({ name: 'E unpublished' });
    await drawAndPublish(api, teamId, 'C by hand', trigger({}, 'manual'));
    await drawAndPublish(api, teamId, 'D ticket resolution', trigger());
    await drawAndPublish(
      api,
      teamId,
      'A refunds',
      trigger({ categories: ['Refund'], priorities: ['high', 'urgent'] }),
    );
    await drawAndPublish(api, teamId, 'B phone', trigger({ channels: ['phone'] }));
    const names = await orderNames(api);
    expect(names).toEqual(['A refunds', 'B phone', 'C by hand', 'D ticket resolution', 'E unpublished']);
    // when
    const explained = await api.routing.explain({
      channel: 'phone',
      category: ' refund ',
      priority: 'low',
      tier: 'vip',
    });
    // then
    expect(explained.taken).toMatchObject({ name: 'B phone', position: 2 });
    expect(explained.passed.map((p) => [p.name, p.miss.text])).toEqual([
      ['A refunds', 'takes only priority high or urgent, not low'],
    ]);
    const unrouted = await api.routing.explain({
      channel: 'web',
      category: 'x',
      priority: 'low',
      tier: 'vip',
    });
    expect(unrouted.taken).toMatchObject({ name: 'D ticket resolution', position: 4 });
    expect(unrouted.passed.map((p) => p.miss.text)).toEqual([
      'takes only category Refund, not “x”; takes only priority high or urgent, not low',
      'takes only phone tickets, not web',
      'started by hand',
    ]);
    // … and intake agrees with the tester on every channel and category
    for (const channel of ['phone', 'email', 'chat'] as const) {
      for (const category of ['refund', 'billing']) {
        const predicted = await api.routing.explain({
          channel,
          category,
          priority: 'high',
          tier: 'existing',
        });
        const created = await api.tickets.create({ ...ticket(channel, category), priority: 'high' });
        expect(created.flow?.id ?? null).toBe(predicted.taken?.id ?? null);
      }
    }
  });

  it('given no flow takes a ticket, when the tester asks, then none is named and every flow says why', async () => {
    // given
    const { api, teamId } = await freshOrg();
    await api.flows.create({ name: 'Unpublished' });
    await drawAndPublish(api, teamId, 'By hand', trigger({}, 'manual'));
    await drawAndPublish(api, teamId, 'Email', trigger({ channels: ['email'] }));
    // when
    const explained = await api.routing.explain({
      channel: 'chat',
      category: '',
      priority: 'low',
      tier: 'new',
    });
    // then
    expect(explained.taken).toBeNull();
    expect(explained.passed.map((p) => p.miss.text).sort()).toEqual(
      ['not published', 'started by hand', 'takes only email tickets, not chat'].sort(),
    );
    const created = await api.tickets.create(ticket('chat', ''));
    expect(created.flow).toBeNull();
    expect(created.ticket.status).toBe('unrouted');
  });

  it('given an earlier flow covering a draft’s filters, when the publish check runs, then it reports the shadowing and moving before it clears it', async () => {
    // given
    const { api, teamId } = await freshOrg();
    const catchAll = await drawAndPublish(api, teamId, 'Ticket resolution', trigger());
    const phone = await drawAndPublish(api, teamId, 'Phone', trigger({ channels: ['phone'] }));
    const draft = await api.flows.create({ name: 'Urgent phone' });
    const urgentPhone = trigger({ channels: ['phone'], priorities: ['urgent'] });
    // when
    const preview = await api.routing.previewPublish({ flowId: draft.id, trigger: urgentPhone });
    // then
    expect(preview).toMatchObject({
      position: 2,
      filters: 'phone tickets, priority urgent',
      movesBeforeCatchAll: true,
      order: [phone, draft.id, catchAll],
      shadowing: {
        moveBefore: { id: phone, name: 'Phone' },
        sentence: 'Phone, earlier in the order, takes every phone ticket, priority urgent',
      },
    });
    // when the manager moves it before Phone (the dialog's one click) and publishes
    await api.flows.setRouteOrder({ flowIds: [draft.id, phone, catchAll] });
    expect(
      (await api.routing.previewPublish({ flowId: draft.id, trigger: urgentPhone })).shadowing,
    ).toBeNull();
    await api.flows.saveDraft({ flowId: draft.id, revision: 1, document: documentWith(teamId, urgentPhone) });
    await api.versions.publish({ flowId: draft.id, message: 'Urgent phone' });
    // then the order stays and urgent phone tickets reach it
    expect(await orderNames(api)).toEqual(['Urgent phone', 'Phone', 'Ticket resolution']);
    const urgent = await api.tickets.create({ ...ticket('phone'), priority: 'urgent' });
    expect(urgent.flow?.name).toBe('Urgent phone');
  });

  it('given a published flow, when its next draft is checked, then it keeps its place (no first-publish move)', async () => {
    // given
    const { api, teamId } = await freshOrg();
    const catchAll = await drawAndPublish(api, teamId, 'Ticket resolution', trigger());
    const email = await drawAndPublish(api, teamId, 'Email', trigger({ channels: ['email'] }));
    await api.flows.setRouteOrder({ flowIds: [catchAll, email] });
    // when
    const preview = await api.routing.previewPublish({
      flowId: email,
      trigger: trigger({ channels: ['email'] }),
    });
    // then
    expect(preview).toMatchObject({ position: 2, movesBeforeCatchAll: false, order: [catchAll, email] });
    expect(preview.shadowing?.sentence).toBe(
      'Ticket resolution, earlier in the order, takes every email ticket',
    );
  });

  it('given two new filtered flows, when both are first published at the same moment, then both succeed and both go before the catch-all', async () => {
    // given
    const { api, teamId } = await freshOrg();
    const catchAll = await drawAndPublish(api, teamId, 'A catch-all', trigger());
    await api.flows.setRouteOrder({ flowIds: [catchAll] });
    const drafts = [];
    for (const [name, channel] of [
      ['Phone', 'phone'],
      ['Chat', 'chat'],
    ] as const) {
      const created = await api.flows.create({ name });
      await api.flows.saveDraft({
        flowId: created.id,
        revision: created.draftRevision,
        document: documentWith(teamId, trigger({ channels: [channel] })),
      });
      drafts.push(created.id);
    }
    // when
    const published = await Promise.all(
      drafts.map((flowId) => api.versions.publish({ flowId, message: 'First version' })),
    );
    // then
    expect(published.map((v) => v.number)).toEqual([1, 1]);
    const names = await orderNames(api);
    expect(names.at(-1)).toBe('A catch-all');
    expect([...names.slice(0, 2)].sort()).toEqual(['Chat', 'Phone']);
  });

  it('given bad input, when the routing queries are called, then they refuse it with a typed error', async () => {
    // given
    const { api } = await freshOrg();
    // when / then
    const bad = await trpcError(
      api.routing.explain({ channel: 'fax' as 'phone', category: '', priority: 'low', tier: 'new' }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    const missing = await trpcError(
      api.routing.previewPublish({ flowId: '00000000-0000-4000-8000-000000000000', trigger: trigger() }),
    );
    expect(missing.code).toBe('NOT_FOUND');
  });
});
