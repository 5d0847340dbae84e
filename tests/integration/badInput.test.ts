import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Access, appRouter } from '@stepwise/api';
import { CURRENT_SCHEMA_VERSION, type FlowDocument, parseFlowDocument } from '@stepwise/flow';
import { getTRPCErrorFromUnknown, getTRPCErrorShape } from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { casesOf, roleFor, UNKNOWN_INPUTS } from '../support/inputCases.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  fakeClock,
  postJson,
  type RuntimeOrg,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/**
 * No 500 on bad input: every procedure's input is walked along its zod schema (and the flow document's
 * schema where a document is taken) and every text, object and record in it is poisoned in turn — a NUL
 * character, an unpaired surrogate, an unknown key, a `__proto__` and a `constructor` key. Each must be
 * refused with 400 BAD_REQUEST naming the field or key, by a caller whose role may call the procedure,
 * and nothing may be written.
 */

type ProcedureDef = { _def: { type: string; meta?: { access?: Access }; inputs: z.ZodType[] } };

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>)
  // A subscription's input is parsed when its stream is read; the live routes take ids only (below).
  .filter(([, p]) => p._def.type !== 'subscription' && p._def.inputs.length > 0);

const id = () => randomUUID();
const AT = '2030-03-01T00:00:00Z';

/** A flow document holding every kind of node and every text its schema has. */
function fullDocument(): FlowDocument {
  const comparisons = [
    { kind: 'comparison' as const, field: 'customer.tier', operator: 'equals' as const, value: 'vip' },
    {
      kind: 'comparison' as const,
      field: 'category',
      operator: 'in' as const,
      value: ['billing', 'refunds'],
    },
  ];
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [{ key: 'order_kind', label: 'Order kind', type: 'choice', options: ['Online', 'Shop'] }],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Start',
          trigger: { mode: 'auto', channels: ['email'], categories: ['billing'], priorities: [], tiers: [] },
        },
      },
      {
        id: 'check',
        type: 'step',
        position: { x: 0, y: 100 },
        data: {
          title: 'Check the request',
          instructions: 'Read the ticket.',
          checklist: [{ id: 'read', label: 'Read it', required: true, requiredFor: ['done'] }],
          form: [
            {
              key: 'reason',
              label: 'Reason',
              type: 'choice',
              required: true,
              requiredFor: ['done'],
              options: ['Late'],
            },
          ],
          teamId: 'team-support',
          teamSource: 'named',
          slaMinutes: 60,
          outcomes: [{ id: 'done', label: 'Done' }],
        },
      },
      {
        id: 'route',
        type: 'decision',
        position: { x: 0, y: 200 },
        data: {
          label: 'Route',
          branches: [
            {
              id: 'vip',
              label: 'VIP',
              condition: {
                kind: 'group',
                combinator: 'all',
                rules: [...comparisons, { kind: 'group', combinator: 'any', rules: comparisons }],
              },
            },
          ],
        },
      },
      {
        id: 'act',
        type: 'action',
        position: { x: 0, y: 300 },
        data: {
          label: 'Act',
          ops: [
            { op: 'set_field', field: 'category', value: 'refunds' },
            { op: 'add_tag', tag: 'vip' },
            { op: 'assign', teamId: 'team-support', strategy: 'team' },
            { op: 'send_message', template: 'Hello {{customer.name}}' },
            { op: 'webhook', url: 'https://hooks.example.test/refund' },
          ],
        },
      },
      {
        id: 'notify',
        type: 'notify',
        position: { x: 0, y: 350 },
        data: { label: 'Tell the team', channel: 'Escalations', message: 'Ticket {{ticket.number}} is late' },
      },
      {
        id: 'wait',
        type: 'wait',
        position: { x: 0, y: 400 },
        data: { label: 'Wait', mode: 'reply', minutes: 60 },
      },
      {
        id: 'sub',
        type: 'subflow',
        position: { x: 0, y: 500 },
        data: { label: 'Sub', flowId: 'flow-refund' },
      },
      {
        id: 'end',
        type: 'end',
        position: { x: 0, y: 600 },
        data: { label: 'Resolved', status: 'resolved', feedback: false },
      },
    ],
    edges: [{ id: 'e-start', source: 'start', sourceHandle: 'next', target: 'check' }],
    notes: [
      {
        id: 'note',
        position: { x: 200, y: 0 },
        text: 'Refunds over 100 need a manager.',
        width: 200,
        height: 80,
      },
    ],
  };
}

const report = () => ({
  flowId: id(),
  versionId: id(),
  from: AT,
  to: '2030-03-31T00:00:00Z',
  channel: 'email',
  priority: 'normal',
  category: 'billing',
  tier: 'vip',
});

/**
 * A schema-valid input of every procedure that takes one, holding every text field it has (the walk
 * checks both). The rows they name need not exist: a poisoned input is refused before it is read.
 */
const SAMPLES: Record<string, () => unknown> = {
  'auth.signUp': () => ({
    orgName: 'Acme',
    name: 'Ada',
    email: 'ada@example.test',
    password: 'a long password',
  }),
  'auth.changePassword': () => ({ currentPassword: 'the old password', newPassword: 'a new long password' }),
  'auth.login': () => ({ email: 'ada@example.test', password: 'a long password', orgId: id() }),
  'auth.signUpRequest': () => ({ token: 'a-link-token' }),
  'auth.confirmSignUp': () => ({ token: 'a-link-token', password: 'a long password' }),
  'invitations.create': () => ({ email: 'bo@example.test', role: 'agent', teamIds: [id()] }),
  'invitations.resend': () => ({ invitationId: id() }),
  'invitations.revoke': () => ({ invitationId: id() }),
  'invitations.get': () => ({ token: 'a-link-token' }),
  'invitations.accept': () => ({
    token: 'a-link-token',
    account: 'new',
    name: 'Bo',
    password: 'a long password',
  }),
  'users.setRole': () => ({ userId: id(), role: 'manager' }),
  'users.disable': () => ({ userId: id() }),
  'users.enable': () => ({ userId: id() }),
  'users.resetPassword': () => ({ userId: id(), password: 'a long password' }),
  'teams.create': () => ({ name: 'Billing' }),
  'teams.rename': () => ({ teamId: id(), name: 'Billing' }),
  'teams.setMembers': () => ({ teamId: id(), userIds: [id()] }),
  'flows.create': () => ({ name: 'Refunds', description: 'Refund requests', document: fullDocument() }),
  'flows.get': () => ({ flowId: id() }),
  'flows.saveDraft': () => ({
    flowId: id(),
    revision: 1,
    document: fullDocument(),
    name: 'Refunds',
    description: 'Refund requests',
  }),
  'flows.setRouteOrder': () => ({ flowIds: [id()] }),
  'routing.explain': () => ({ channel: 'email', category: 'billing', priority: 'normal', tier: 'vip' }),
  'routing.previewPublish': () => ({
    flowId: id(),
    trigger: {
      mode: 'auto',
      channels: ['email'],
      categories: ['billing'],
      priorities: ['high'],
      tiers: ['vip'],
    },
  }),
  'versions.publish': () => ({ flowId: id(), message: 'First version', revision: 1 }),
  'versions.list': () => ({ flowId: id() }),
  'versions.get': () => ({ versionId: id() }),
  'versions.restore': () => ({ flowId: id(), versionId: id(), revision: 1 }),
  'interop.importFile': () => ({
    text: '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>',
    format: 'bpmn',
    name: 'Imported',
    fileName: 'imported.bpmn',
  }),
  'interop.convert': () => ({ text: '<mxfile></mxfile>', format: 'drawio' }),
  'interop.exportBpmn': () => ({ flowId: id(), versionId: id() }),
  'versions.compare': () => ({ flowId: id(), from: id(), to: id() }),
  'versions.previewMigration': () => ({
    flowId: id(),
    fromVersionId: id(),
    toVersionId: id(),
    mapping: { check: 'triage' },
  }),
  'versions.applyMigration': () => {
    const ticketId = id();
    return {
      flowId: id(),
      fromVersionId: id(),
      toVersionId: id(),
      mapping: { check: 'triage' },
      ticketIds: [ticketId],
      expected: { [ticketId]: 3 },
    };
  },
  'versions.startPilot': () => ({ flowId: id(), versionId: id(), percent: 10 }),
  'versions.promotePilot': () => ({ flowId: id() }),
  'versions.rollbackPilot': () => ({ flowId: id() }),
  'tickets.create': () => ({
    channel: 'email',
    subject: 'Refund for order 1042',
    description: 'The parcel never arrived.',
    customer: { name: 'Carla', email: 'carla@example.test', tier: 'vip' },
    category: 'billing',
    priority: 'normal',
    tags: ['refund'],
    fields: { order_id: 'A-1042' },
    flowId: id(),
    externalId: 'ZD-1042',
    source: 'zendesk',
    idempotencyKey: 'create-sample-1',
  }),
  'tickets.queue': () => ({ scope: 'all', status: ['at_step'], flowId: id(), nodeId: 'check', limit: 10 }),
  'tickets.get': () => ({ ticketId: id() }),
  'tickets.list': () => ({
    status: ['at_step'],
    priority: ['high'],
    channel: ['email'],
    flowId: id(),
    nodeId: 'check',
    teamId: id(),
    assigneeId: id(),
    breachedOnly: false,
    search: 'refund',
    createdFrom: '2030-01-01T00:00:00Z',
    createdBefore: '2030-02-01T00:00:00Z',
    view: 'teams',
    sort: 'sla',
    limit: 10,
    cursor: 'a-cursor',
  }),
  'views.create': () => ({
    name: 'Urgent billing',
    teamId: id(),
    query: {
      view: 'teams',
      status: ['at_step'],
      priority: ['urgent'],
      flowId: id(),
      nodeId: 'check',
      breachedOnly: true,
      search: 'refund',
      sort: 'sla',
    },
  }),
  'views.update': () => ({
    viewId: id(),
    name: 'Urgent billing',
    teamId: id(),
    query: {
      view: 'mine',
      flowId: id(),
      nodeId: 'check',
      search: 'refund',
      sort: 'priority',
    },
  }),
  'views.remove': () => ({ viewId: id() }),
  'tickets.unrouted': () => ({ limit: 10 }),
  'tickets.startFlow': () => ({ ticketId: id(), flowId: id() }),
  'tickets.assign': () => ({ ticketId: id(), assigneeId: id(), expectedSeq: 1 }),
  'tickets.addMessage': () => ({
    ticketId: id(),
    body: 'Any news?',
    from: 'customer',
    idempotencyKey: 'message-sample-1',
  }),
  'tickets.complete': () => ({
    ticketId: id(),
    expectedSeq: 1,
    nodeId: 'check',
    outcomeId: 'done',
    form: { reason: 'Late' },
    checklist: ['read'],
    idempotencyKey: 'complete-check-1',
    reply: 'Refunded today.',
  }),
  'work.addNote': () => ({ ticketId: id(), body: 'Called the courier.' }),
  'work.edit': () => ({
    ticketId: id(),
    expectedSeq: 1,
    priority: 'high',
    category: 'billing',
    tags: ['courier'],
    fields: { order_ref: 'A-77' },
  }),
  'work.reassign': () => ({
    ticketId: id(),
    expectedSeq: 1,
    teamId: id(),
    assigneeId: id(),
    reason: 'They know this customer.',
  }),
  'work.bulk': () => ({
    tickets: [{ ticketId: id(), expectedSeq: 1 }],
    action: { kind: 'tag', tag: 'courier' },
  }),
  'work.customer': () => ({ ticketId: id() }),
  'macros.create': () => ({ name: 'Refund sent', body: 'Hi {{customer.firstName}}' }),
  'macros.update': () => ({ macroId: id(), name: 'Refund sent', body: 'Hi {{customer.firstName}}' }),
  'macros.delete': () => ({ macroId: id() }),
  'admin.tokens.create': () => ({
    name: 'Mail gateway',
    scopes: ['tickets:create', 'tickets:read'],
    expiresAt: '2099-01-01T00:00:00Z',
  }),
  'admin.tokens.revoke': () => ({ tokenId: id() }),
  'admin.webhooks.create': () => ({ url: 'https://hooks.example.test/in', description: 'CRM' }),
  'admin.webhooks.disable': () => ({ endpointId: id() }),
  'admin.webhooks.delete': () => ({ endpointId: id() }),
  'admin.webhooks.deliveries': () => ({ endpointId: id(), limit: 10 }),
  'admin.webhooks.setEventTypes': () => ({ endpointId: id(), eventTypes: ['message.created'] }),
  'admin.webhooks.test': () => ({ endpointId: id() }),
  'admin.channels.create': () => ({
    name: 'Escalations',
    kind: 'slack',
    url: 'https://hooks.example.test/s',
  }),
  'admin.channels.delete': () => ({ channelId: id() }),
  'admin.channels.test': () => ({ channelId: id() }),
  'admin.channels.deliveries': () => ({ channelId: id(), limit: 10 }),
  'admin.audit': () => ({ limit: 10, cursor: 'a-cursor' }),
  'sessions.revoke': () => ({ sessionId: id() }),
  'sessions.revokeAll': () => ({ keepCurrent: true }),
  'sessions.revokeMember': () => ({ userId: id() }),
  'notifications.list': () => ({ limit: 10 }),
  'notifications.markRead': () => ({ notificationIds: [id()] }),
  'feedback.get': () => ({ token: 'a'.repeat(43) }),
  'feedback.submit': () => ({ token: 'a'.repeat(43), score: 5, comment: 'Thanks!' }),
  'analytics.flow': report,
  'analytics.nodes': report,
  'analytics.compare': () => {
    const { versionId: _, ...rest } = report();
    return { ...rest, a: id(), b: id() };
  },
  'analytics.pilot': () => ({ flowId: id() }),
  'analytics.backtest': () => ({ flowId: id(), source: id(), take: 10, after: { closedAt: AT, id: id() } }),
  'analytics.waiting': () => ({ flowId: id(), versionId: id(), nodeId: 'check' }),
};

/** More samples of a procedure whose input is a union: each further branch gets one (with its texts). */
const MORE_SAMPLES: Record<string, Array<() => unknown>> = {
  'invitations.accept': [() => ({ token: 'a-link-token', account: 'existing', password: 'a long password' })],
  // A message names its ticket by id (above) or by the external id it was created with.
  'tickets.addMessage': [
    () => ({
      externalId: 'HS-77',
      source: 'hubspot',
      body: 'Any news?',
      from: 'customer',
      idempotencyKey: 'message-sample-2',
    }),
  ],
  // A bulk action is one of four kinds: the ones with a text of their own get a sample each.
  'work.bulk': [
    () => ({
      tickets: [{ ticketId: id(), expectedSeq: 1 }],
      action: { kind: 'assign', assigneeId: id() },
    }),
  ],
};

/** Every sample of a procedure: its first and those of the union's other branches. */
const samplesOf = (path: string): Array<() => unknown> => {
  const first = SAMPLES[path];
  return first ? [first, ...(MORE_SAMPLES[path] ?? [])] : [];
};

/** Every table's rows, as a count and a digest: an insert, an update or a delete shows. */
async function everyRow(db: TestDb): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ d: string }>(
      `SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM "${name}" t`,
    );
    out[name] = row?.d ?? '';
  }
  return out;
}

/** What a client gets for an error: the HTTP status and the message the router's formatter writes. */
function asClientSees(error: unknown, path: string, type: string, input: unknown) {
  const trpcError = getTRPCErrorFromUnknown(error);
  const shape = getTRPCErrorShape({
    config: appRouter._def._config,
    error: trpcError,
    type: type as 'query' | 'mutation',
    path,
    input,
    ctx: undefined,
  });
  return { status: getHTTPStatusCode({ error: shape }), code: trpcError.code, message: shape.message };
}

describe('the bad-input table', () => {
  it('given the router, when its procedures are walked, then each has a valid sample holding all its texts, and every object is strict', () => {
    // given / when
    const problems: string[] = [];
    let count = 0;
    for (const [path, procedure] of procedures) {
      const sample = SAMPLES[path];
      if (!sample) {
        problems.push(`${path}: no sample input in SAMPLES`);
        continue;
      }
      const schema = procedure._def.inputs[0] as z.ZodType;
      // A text missing from one sample is a problem only if no sample of the procedure holds it.
      let missing: string[] | null = null;
      for (const make of samplesOf(path)) {
        const value = make();
        const parsed = schema.safeParse(value);
        if (!parsed.success) problems.push(`${path}: the sample is not valid: ${parsed.error.message}`);
        for (const key of Object.keys(UNKNOWN_INPUTS).filter((k) => k.startsWith(`${path}:`))) {
          const document = (value as Record<string, unknown>)[key.slice(path.length + 1)];
          const result = parseFlowDocument(document);
          if (!result.ok)
            problems.push(`${path}: the sample document is not valid: ${result.issues[0]?.message}`);
        }
        const own: string[] = [];
        count += casesOf(schema, value, path, own).cases.length;
        missing = missing === null ? own : missing.filter((m) => own.includes(m));
      }
      problems.push(...(missing ?? []));
    }
    // then
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(500);
  });
});

describe.each(backends())('bad input (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Bad Input Ltd', clock.now());
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given every text, object and record of every input, when poisoned, then 400 naming it, 0 rows written, 0 × 500', async () => {
    // given
    const before = await everyRow(db);
    const deviations: string[] = [];
    const tally = { cases: 0, refused: 0, serverErrors: 0 };
    const people = { anonymous: null, agent: org.people.agent1, ...org.people };
    for (const [path, procedure] of procedures) {
      const schema = procedure._def.inputs[0] as z.ZodType;
      const cases = samplesOf(path).flatMap((make) => casesOf(schema, make(), path, []).cases);
      const role = roleFor(procedure._def.meta?.access);
      const api = apiAs(db, people[role], clock);
      let fn: unknown = api;
      for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
      for (const bad of cases) {
        tally.cases++;
        // when
        const outcome = await (fn as (input: unknown) => Promise<unknown>)(bad.input).then(
          () => ({ status: 200, code: 'OK', message: '' }),
          (error: unknown) => asClientSees(error, path, procedure._def.type, bad.input),
        );
        // then
        if (outcome.status >= 500) tally.serverErrors++;
        const named = bad.names.every((n) => outcome.message.includes(n));
        if (outcome.status === 400 && outcome.code === 'BAD_REQUEST' && named) tally.refused++;
        else {
          deviations.push(
            `${path} as ${role}, ${bad.name}: ${outcome.status} ${outcome.code} "${outcome.message.slice(0, 240)}" (expected 400 naming ${bad.names.join(', ')})`,
          );
        }
      }
    }
    // then
    expect(deviations).toEqual([]);
    expect(tally.serverErrors).toBe(0);
    expect(tally.refused).toBe(tally.cases);
    expect(await everyRow(db)).toEqual(before);
  });

  it('given a live route, when its ids carry a NUL or an unknown key, then 400 before any stream opens', async () => {
    // given
    const api = apiAs(db, org.people.agent1, clock);
    const attempts: Array<[string, () => Promise<unknown>, string]> = [
      [
        'live.ticket NUL',
        () => api.live.ticket({ ticketId: `${id()}\u0000`, lastEventId: null }),
        'ticketId',
      ],
      [
        'live.queue unknown key',
        () => api.live.queue({ lastEventId: null, extra: 1 } as unknown as { lastEventId: null }),
        '"extra"',
      ],
    ];
    for (const [name, attempt, named] of attempts) {
      // when
      const outcome = await attempt().then(
        async (stream) => {
          // A subscription's input is read when the stream is: read its first event.
          const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
          try {
            await iterator.next();
            return { status: 200, code: 'OK', message: '' };
          } catch (error) {
            return asClientSees(error, name, 'subscription', undefined);
          } finally {
            void iterator.return?.();
          }
        },
        (error: unknown) => asClientSees(error, name, 'subscription', undefined),
      );
      // then
      expect(outcome, name).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(outcome.message, name).toContain(named);
    }
  });

  describe('over HTTP', () => {
    const agent = new Agent({ keepAlive: true });
    let app: RunningServer;
    let cookie: string;

    beforeAll(async () => {
      app = await startServer({
        db,
        port: 0,
        webDir: join(tmpdir(), 'stepwise-no-web-app'),
        now: clock.now,
        timers: false,
      });
      cookie = await cookieFor(db, org.people.manager, clock.now());
    });
    afterAll(async () => {
      agent.destroy();
      await app?.close();
    });

    const ticket = (extra: Record<string, unknown> = {}) => ({
      ...(SAMPLES['tickets.create']?.() as object),
      flowId: undefined,
      ...extra,
    });

    it('given a raw POST with a NUL in the JSON or an unknown key, when sent unbatched or batched, then a 400 JSON error naming it and nothing written', async () => {
      // given: the JSON text as a client would send it (the NUL as its \u0000 escape, the key as written)
      const nulBody = JSON.stringify(ticket({ subject: 'Refund\u0000 please' }));
      expect(nulBody).toContain('\\u0000');
      const unknownKeyBody = JSON.stringify(ticket({ urgency: 'now' }));
      const protoBody = JSON.stringify(ticket()).replace('{', '{"__proto__":{"admin":true},');
      const before = await everyRow(db);
      const sends: Array<[string, string, string, string]> = [
        ['unbatched NUL', '/trpc/tickets.create', nulBody, 'subject'],
        ['batched NUL', '/trpc/tickets.create?batch=1', `{"0":${nulBody}}`, 'subject'],
        ['unbatched unknown key', '/trpc/tickets.create', unknownKeyBody, '"urgency"'],
        ['batched unknown key', '/trpc/tickets.create?batch=1', `{"0":${unknownKeyBody}}`, '"urgency"'],
        ['unbatched __proto__ key', '/trpc/tickets.create', protoBody, '"__proto__"'],
      ];
      for (const [name, path, body, named] of sends) {
        // when
        const reply = await postJson(agent, app.url, path, body, { cookie });
        // then
        expect(reply.status, name).toBe(400);
        expect(String(reply.headers['content-type']), name).toContain('application/json');
        const parsed = JSON.parse(reply.body) as unknown;
        const error = (Array.isArray(parsed) ? parsed[0] : parsed) as {
          error: { message: string; data: { code: string; httpStatus: number } };
        };
        expect(error.error.data, name).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
        expect(error.error.message, name).toContain(named);
      }
      expect(await everyRow(db)).toEqual(before);
    });

    it('given a query with a NUL or an unknown key in its ?input=, when read over GET, then a 400 JSON error naming it', async () => {
      // given
      const asks: Array<[string, unknown, string]> = [
        ['NUL', { channel: 'email', category: 'bill\u0000ing', priority: 'normal', tier: 'vip' }, 'category'],
        [
          'unknown key',
          { channel: 'email', category: '', priority: 'normal', tier: 'vip', region: 'EU' },
          '"region"',
        ],
      ];
      for (const [name, input, named] of asks) {
        // when
        const query = encodeURIComponent(JSON.stringify(input));
        const reply = await fetch(`${app.url}/trpc/routing.explain?input=${query}`, { headers: { cookie } });
        // then
        expect(reply.status, name).toBe(400);
        const body = (await reply.json()) as { error: { message: string; data: { code: string } } };
        expect(body.error.data.code, name).toBe('BAD_REQUEST');
        expect(body.error.message, name).toContain(named);
      }
    });
  });
});
