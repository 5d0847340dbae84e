import {
  API_SCOPES,
  type Access,
  type ApiScope,
  appRouter,
  createCaller,
  createContextFactory,
  SCOPE_OF_PROCEDURE,
} from '@stepwise/api';
import { type Role, withOrg } from '@stepwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSession } from '../../packages/api/src/auth/sessions.ts';
import { type Api, apiHarness, PASSWORD, sampleDocument, type TestUser } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/**
 * The declared access of every procedure (reliability tests 13 and 14). A procedure added to the router
 * without a line here fails the first test, so every new procedure gets a decision on who may call it.
 */
const ACCESS_TABLE: Record<string, Access> = {
  'auth.signUp': 'public',
  'auth.signUpRequest': 'public',
  'auth.confirmSignUp': 'public',
  'auth.login': 'public',
  'auth.logout': 'authenticated',
  'auth.me': 'public',
  'auth.changePassword': 'authenticated',
  'auth.demoLogins': 'public',
  'users.list': ['admin', 'manager'],
  'invitations.list': ['admin'],
  'invitations.create': ['admin'],
  'invitations.resend': ['admin'],
  'invitations.revoke': ['admin'],
  'invitations.get': 'public',
  'invitations.accept': 'public',
  'users.setRole': ['admin'],
  'users.disable': ['admin'],
  'users.enable': ['admin'],
  'users.resetPassword': ['admin'],
  'sessions.list': 'authenticated',
  'sessions.revoke': 'authenticated',
  'sessions.revokeAll': 'authenticated',
  'sessions.revokeMember': ['admin'],
  'teams.list': 'authenticated',
  'teams.create': ['admin', 'manager'],
  'teams.rename': ['admin', 'manager'],
  'teams.setMembers': ['admin', 'manager'],
  'flows.list': 'authenticated',
  'flows.create': ['admin', 'manager'],
  'flows.get': 'authenticated',
  'flows.saveDraft': ['admin', 'manager'],
  'flows.setRouteOrder': ['admin', 'manager'],
  'routing.order': ['admin', 'manager'],
  'routing.explain': ['admin', 'manager'],
  'routing.previewPublish': ['admin', 'manager'],
  'versions.publish': ['admin', 'manager'],
  'versions.list': 'authenticated',
  'versions.get': 'authenticated',
  'versions.restore': ['admin', 'manager'],
  'interop.importFile': ['admin', 'manager'],
  'interop.convert': ['admin', 'manager'],
  'interop.exportBpmn': ['admin', 'manager'],
  'versions.compare': 'authenticated',
  'versions.previewMigration': ['admin', 'manager'],
  'versions.applyMigration': ['admin', 'manager'],
  'versions.startPilot': ['admin', 'manager'],
  'versions.promotePilot': ['admin', 'manager'],
  'versions.rollbackPilot': ['admin', 'manager'],
  'tickets.create': ['admin', 'manager', 'agent'],
  'tickets.list': ['admin', 'manager', 'agent'],
  'tickets.queue': ['admin', 'manager', 'agent'],
  'tickets.get': ['admin', 'manager', 'agent'],
  'tickets.complete': ['admin', 'manager', 'agent'],
  'tickets.unrouted': ['admin', 'manager'],
  'tickets.startFlow': ['admin', 'manager', 'agent'],
  'tickets.assign': ['admin', 'manager', 'agent'],
  'tickets.addMessage': ['admin', 'manager', 'agent'],
  'views.list': ['admin', 'manager', 'agent'],
  'views.create': ['admin', 'manager', 'agent'],
  'views.update': ['admin', 'manager', 'agent'],
  'views.remove': ['admin', 'manager', 'agent'],
  'work.addNote': ['admin', 'manager', 'agent'],
  'work.edit': ['admin', 'manager', 'agent'],
  'work.reassign': ['admin', 'manager', 'agent'],
  'work.bulk': ['admin', 'manager', 'agent'],
  'work.customer': ['admin', 'manager', 'agent'],
  'work.people': ['admin', 'manager', 'agent'],
  'macros.list': ['admin', 'manager', 'agent'],
  'macros.create': ['admin', 'manager'],
  'macros.update': ['admin', 'manager'],
  'macros.delete': ['admin', 'manager'],
  'admin.tokens.list': ['admin'],
  'admin.tokens.create': ['admin'],
  'admin.tokens.revoke': ['admin'],
  'admin.webhooks.list': ['admin'],
  'admin.webhooks.create': ['admin'],
  'admin.webhooks.disable': ['admin'],
  'admin.webhooks.delete': ['admin'],
  'admin.webhooks.deliveries': ['admin'],
  'admin.webhooks.setEventTypes': ['admin'],
  'admin.webhooks.test': ['admin'],
  'admin.channels.list': ['admin'],
  'admin.channels.names': ['admin', 'manager'],
  'admin.channels.create': ['admin'],
  'admin.channels.delete': ['admin'],
  'admin.channels.test': ['admin'],
  'admin.channels.deliveries': ['admin'],
  'admin.audit': ['admin'],
  'feedback.get': 'public',
  'feedback.submit': 'public',
  'live.ticket': ['admin', 'manager', 'agent'],
  'live.queue': ['admin', 'manager', 'agent'],
  'notifications.list': ['admin', 'manager', 'agent'],
  'notifications.markRead': ['admin', 'manager', 'agent'],
  'notifications.markAllRead': ['admin', 'manager', 'agent'],
  'analytics.flow': ['admin', 'manager'],
  'analytics.nodes': ['admin', 'manager'],
  'analytics.waiting': ['admin', 'manager'],
  'analytics.compare': ['admin', 'manager'],
  'analytics.pilot': ['admin', 'manager'],
  'analytics.backtest': ['admin', 'manager'],
};

/**
 * What an organization API token may call: the scope each procedure needs, or null for none (a person's
 * procedure). Every procedure has a line: one added without a decision on tokens fails the first test,
 * and the router's table (auth/tokenScopes.ts) must say the same.
 */
const TOKEN_TABLE: Record<string, ApiScope | null> = {
  'tickets.create': 'tickets:create',
  'tickets.get': 'tickets:read',
  'tickets.list': 'tickets:read',
  'tickets.addMessage': 'tickets:reply',
  'tickets.complete': 'tickets:work',
  'analytics.flow': 'analytics:read',
  'analytics.nodes': 'analytics:read',
  'analytics.waiting': 'analytics:read',
  'analytics.compare': 'analytics:read',
  'analytics.pilot': 'analytics:read',
  'analytics.backtest': 'analytics:read',
  'flows.list': 'flows:read',
  'versions.list': 'flows:read',
  'versions.get': 'flows:read',
  'auth.signUp': null,
  'auth.signUpRequest': null,
  'auth.confirmSignUp': null,
  'auth.login': null,
  'auth.logout': null,
  'auth.me': null,
  'auth.changePassword': null,
  'auth.demoLogins': null,
  'users.list': null,
  'invitations.list': null,
  'invitations.create': null,
  'invitations.resend': null,
  'invitations.revoke': null,
  'invitations.get': null,
  'invitations.accept': null,
  'users.setRole': null,
  'users.disable': null,
  'users.enable': null,
  'users.resetPassword': null,
  'sessions.list': null,
  'sessions.revoke': null,
  'sessions.revokeAll': null,
  'sessions.revokeMember': null,
  'teams.list': null,
  'teams.create': null,
  'teams.rename': null,
  'teams.setMembers': null,
  'flows.create': null,
  'flows.get': null,
  'flows.saveDraft': null,
  'flows.setRouteOrder': null,
  'routing.order': null,
  'routing.explain': null,
  'routing.previewPublish': null,
  'versions.publish': null,
  'versions.restore': null,
  'interop.importFile': null,
  'interop.convert': null,
  'interop.exportBpmn': null,
  'versions.compare': null,
  'versions.previewMigration': null,
  'versions.applyMigration': null,
  'versions.startPilot': null,
  'versions.promotePilot': null,
  'versions.rollbackPilot': null,
  'tickets.queue': null,
  'tickets.unrouted': null,
  'views.list': null,
  'views.create': null,
  'views.update': null,
  'views.remove': null,
  'tickets.startFlow': null,
  'tickets.assign': null,
  'work.addNote': null,
  'work.edit': null,
  'work.reassign': null,
  'work.bulk': null,
  'work.customer': null,
  'work.people': null,
  'macros.list': null,
  'macros.create': null,
  'macros.update': null,
  'macros.delete': null,
  'admin.tokens.list': null,
  'admin.tokens.create': null,
  'admin.tokens.revoke': null,
  'admin.webhooks.list': null,
  'admin.webhooks.create': null,
  'admin.webhooks.setEventTypes': null,
  'admin.webhooks.test': null,
  'admin.channels.list': null,
  'admin.channels.names': null,
  'admin.channels.create': null,
  'admin.channels.delete': null,
  'admin.channels.test': null,
  'admin.channels.deliveries': null,
  'admin.webhooks.disable': null,
  'admin.webhooks.delete': null,
  'admin.webhooks.deliveries': null,
  'admin.audit': null,
  'feedback.get': null,
  'feedback.submit': null,
  'live.ticket': null,
  'live.queue': null,
  'notifications.list': null,
  'notifications.markRead': null,
  'notifications.markAllRead': null,
};

type ProcedureInfo = { path: string; access: Access | undefined; idKeys: string[] };
type AnyCall = (input?: unknown) => Promise<unknown>;

/** Every procedure of the router with its declared access and the id fields of its input. */
function proceduresOf(): ProcedureInfo[] {
  const record = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { meta?: { access?: Access }; inputs: unknown[] } }
  >;
  return Object.entries(record).map(([path, procedure]) => ({
    path,
    access: procedure._def.meta?.access,
    idKeys: procedure._def.inputs
      .flatMap((schema) => Object.keys(objectShape(schema)))
      .filter((k) => /Ids?$/.test(k)),
  }));
}

function objectShape(schema: unknown): Record<string, unknown> {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap();
  return current instanceof z.ZodObject ? current.shape : {};
}

function call(api: Api, path: string): AnyCall {
  let node: unknown = api;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function') throw new Error(`no procedure at ${path}`);
  const fn = node as AnyCall;
  // A subscription resolves to a stream: its checks run when it is read, so read its first event (or
  // give up after a moment: a stream that waits for changes has passed them).
  return async (input) => {
    const result = await fn(input);
    if (typeof result !== 'object' || result === null || !(Symbol.asyncIterator in result)) return result;
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const first = await Promise.race([
      iterator.next(),
      new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 200)),
    ]);
    void iterator.return?.();
    return first === 'waiting' ? [] : first;
  };
}

function allows(access: Access, role: Role | null): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  return access === 'authenticated' || access.includes(role);
}

/** The organization's rows in every table, as a digest per table: any change shows. */
async function snapshot(db: TestDb, orgId: string): Promise<Record<string, string>> {
  const scoped = [
    'memberships',
    'sessions',
    'teams',
    'team_members',
    'flows',
    'flow_versions',
    'audit_log',
    'tickets',
    'ticket_events',
    'ticket_messages',
    'timers',
    'idempotency_keys',
    'api_tokens',
    'webhook_endpoints',
    'webhook_deliveries',
    'notification_channels',
    'channel_deliveries',
    'macros',
    'feedback_requests',
    'runtime_jobs',
    'notifications',
    'invitations',
    'outgoing_mail',
  ];
  const digest = async (from: string, where: string) => {
    const [row] = await db.query<{ d: string }>(
      `SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM ${from} t WHERE ${where}`,
      [orgId],
    );
    return row?.d ?? '';
  };
  const out: Record<string, string> = {};
  for (const table of scoped) out[table] = await digest(table, 'org_id = $1');
  out.organizations = await digest('organizations', 'id = $1');
  out.users = await digest('users', 'id IN (SELECT user_id FROM memberships WHERE org_id = $1)');
  return out;
}

describe('the access table', () => {
  it('given the router, when its procedures are listed, then each declares access and matches the table', () => {
    // given / when
    const procedures = proceduresOf();
    // then
    expect(procedures.filter((p) => p.access === undefined).map((p) => p.path)).toEqual([]);
    expect(Object.fromEntries(procedures.map((p) => [p.path, p.access]))).toEqual(ACCESS_TABLE);
  });
});

describe('the token table', () => {
  it('given the router, when its procedures are listed, then each has a token rule and the router’s scope table says the same', () => {
    // given
    const paths = proceduresOf().map((p) => p.path);
    // when
    const withoutRule = paths.filter((path) => !(path in TOKEN_TABLE));
    const stale = Object.keys(TOKEN_TABLE).filter((path) => !paths.includes(path));
    const scoped = Object.fromEntries(
      Object.entries(TOKEN_TABLE).filter((entry): entry is [string, ApiScope] => entry[1] !== null),
    );
    // then
    expect(withoutRule).toEqual([]);
    expect(stale).toEqual([]);
    expect({ ...SCOPE_OF_PROCEDURE }).toEqual(scoped);
    // Every scope opens something, and only procedures with roles (a token is no way around a public page).
    expect(API_SCOPES.filter((scope) => !Object.values(scoped).includes(scope))).toEqual([]);
    expect(Object.keys(scoped).filter((path) => ACCESS_TABLE[path] === 'public')).toEqual([]);
  });
});

describe.each(backends())('access (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  const org: Record<'A' | 'B', Record<Role, TestUser>> = {} as Record<'A' | 'B', Record<Role, TestUser>>;
  const idsOfA = {
    flowId: '',
    versionId: '',
    teamId: '',
    ticketId: '',
    userId: '',
    tokenId: '',
    endpointId: '',
    channelId: '',
    invitationId: '',
    sessionId: '',
    viewId: '',
    macroId: '',
    notificationId: '',
  };
  const secretsOfA: string[] = [];
  /** Org A's tokens with one scope each, and each organization's token with every scope. */
  const tokensOfA = {} as Record<ApiScope, string>;
  const everyScope = {} as Record<'A' | 'B', string>;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    for (const name of ['A', 'B'] as const) {
      const admin = await h.signUp(`Org ${name}`);
      org[name] = {
        admin,
        manager: await h.addMember(admin, 'manager'),
        agent: await h.addMember(admin, 'agent'),
      };
    }
    const a = await h.as(org.A.admin);
    const team = await a.teams.create({ name: 'Secret team of A' });
    const flow = await a.flows.create({
      name: 'Secret refund flow of A',
      document: sampleDocument('Secret step of A', team.id),
    });
    const version = await a.versions.publish({ flowId: flow.id, message: 'secret v1 of A' });
    await a.teams.setMembers({ teamId: team.id, userIds: [org.A.agent.me.user.id] });
    const ticket = await a.tickets.create({
      channel: 'email',
      subject: 'Secret ticket of A',
      description: 'Private',
      customer: { name: 'Customer of A', email: 'customer-of-a@example.test', tier: 'vip' },
      category: 'billing',
      priority: 'normal',
    });
    const token = await a.admin.tokens.create({ name: 'Secret token of A' });
    const endpoint = await a.admin.webhooks.create({
      url: 'https://a.example.test/hooks',
      description: 'Secret hook of A',
    });
    const channel = await a.admin.channels.create({
      name: 'Secret channel of A',
      kind: 'teams',
      url: 'https://a.example.test/teams-workflow',
    });
    const macro = await a.macros.create({ name: 'Secret macro of A', body: 'Hello {{customer.name}}' });
    const invitation = await a.invitations.create({
      email: 'secret-invitee-of-a@example.test',
      role: 'manager',
      teamIds: [team.id],
    });
    const view = await (await h.as(org.A.agent)).views.create({
      name: 'Secret view of A',
      teamId: team.id,
      query: { view: 'teams', search: 'Secret', sort: 'sla' },
    });
    Object.assign(idsOfA, {
      viewId: view.id,
      invitationId: invitation.invitation.id,
      macroId: macro.id,
      tokenId: token.id,
      endpointId: endpoint.id,
      channelId: channel.id,
      flowId: flow.id,
      versionId: version.id,
      teamId: team.id,
      ticketId: ticket.ticket.id,
      userId: org.A.agent.me.user.id,
      sessionId:
        (
          await db.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1::uuid LIMIT 1', [
            org.A.agent.me.user.id,
          ])
        )[0]?.id ?? '',
      // A's agent has heard of the ticket (written as the runtime writes it).
      notificationId:
        (
          await withOrg(org.A.admin.me.org.id, () =>
            db.query<{ id: string }>(
              `INSERT INTO notifications (org_id, user_id, kind, ticket_id, source)
               VALUES ($1::uuid, $2::uuid, 'assigned', $3::uuid, 'seq:1') RETURNING id`,
              [org.A.admin.me.org.id, org.A.agent.me.user.id, ticket.ticket.id],
            ),
          )
        )[0]?.id ?? '',
    });
    for (const scope of API_SCOPES) {
      tokensOfA[scope] = (await a.admin.tokens.create({ name: `Only ${scope}`, scopes: [scope] })).token;
    }
    everyScope.A = (await a.admin.tokens.create({ name: 'Every scope', scopes: [...API_SCOPES] })).token;
    const b = await h.as(org.B.admin);
    everyScope.B = (await b.admin.tokens.create({ name: 'Every scope', scopes: [...API_SCOPES] })).token;
    secretsOfA.push(
      'Secret',
      'secret-invitee-of-a',
      org.A.admin.email,
      org.A.agent.email,
      ...Object.values(idsOfA),
    );
  });
  afterAll(async () => {
    await db.dispose();
  });

  /** A caller with an API token (`Authorization: Bearer`), as the server builds it. */
  async function tokenCaller(token: string): Promise<Api> {
    const createContext = createContextFactory({ db });
    return createCaller(await createContext({ headers: new Headers({ authorization: `Bearer ${token}` }) }));
  }

  /** A fresh session per call: logout (called by the matrix) must not end the session other calls use. */
  async function callerFor(role: Role | 'token' | null, name: 'A' | 'B' = 'A'): Promise<Api> {
    const createContext = createContextFactory({ db });
    if (role === null) return createCaller(await createContext({ headers: new Headers() }));
    if (role === 'token') return tokenCaller(everyScope[name]);
    const { me } = org[name][role];
    const { token } = await createSession(db.db, { orgId: me.org.id, userId: me.user.id, now: new Date() });
    return createCaller(await createContext({ headers: new Headers({ cookie: `sw_session=${token}` }) }));
  }

  it('given each role, when it calls every procedure, then the declared access is enforced (0 deviations)', async () => {
    const deviations: string[] = [];
    for (const { path, access } of proceduresOf()) {
      for (const role of [null, 'agent', 'manager', 'admin'] as const) {
        // given
        const api = await callerFor(role);
        // when: without input, an allowed call fails validation (or runs); a refused one never gets that far
        const outcome = await call(api, path)().then(
          () => 'ok',
          (error: unknown) => (error as { code?: string }).code ?? 'thrown',
        );
        // then
        const allowed = allows(access ?? [], role);
        const expected = allowed
          ? 'anything but UNAUTHORIZED/FORBIDDEN'
          : role === null
            ? 'UNAUTHORIZED'
            : 'FORBIDDEN';
        const ok = allowed ? outcome !== 'UNAUTHORIZED' && outcome !== 'FORBIDDEN' : outcome === expected;
        if (!ok) deviations.push(`${path} as ${role ?? 'anonymous'}: got ${outcome}, expected ${expected}`);
      }
    }
    expect(deviations).toEqual([]);
  });

  it('given a token of each scope (and one of every scope), when it calls every procedure, then exactly the procedures of its scopes let it in (0 deviations)', async () => {
    const deviations: string[] = [];
    const holders = [
      ...API_SCOPES.map((scope) => [scope, tokensOfA[scope]] as const),
      ['every', everyScope.A],
    ];
    for (const [holder, token] of holders) {
      // given
      const api = await tokenCaller(token);
      for (const { path, access } of proceduresOf()) {
        // A public procedure is open to anyone, with or without a token.
        if (access === 'public') continue;
        // when
        const outcome = await call(api, path)().then(
          () => 'ok',
          (error: unknown) => (error as { code?: string }).code ?? 'thrown',
        );
        // then
        const needed = TOKEN_TABLE[path] ?? null;
        const allowed = needed !== null && (holder === 'every' || needed === holder);
        const ok = allowed ? outcome !== 'UNAUTHORIZED' && outcome !== 'FORBIDDEN' : outcome === 'FORBIDDEN';
        if (!ok)
          deviations.push(
            `${path} with ${holder}: got ${outcome}, expected ${allowed ? 'to be let in' : 'FORBIDDEN'}`,
          );
      }
    }
    expect(deviations).toEqual([]);
  });

  /** An empty page of a paged list. */
  const EMPTY_PAGE = '{"tickets":[],"nextCursor":null}';

  /** Inputs naming org A's rows, for every procedure whose input takes an id. */
  const CROSS_TENANT: Record<string, { input: () => unknown; expect: 'NOT_FOUND' | 'EMPTY' | 'FORBIDDEN' }> =
    {
      'auth.login': {
        // Logging in to another organization is refused like any non-membership (it is no lookup of A's data).
        input: () => ({ email: org.B.manager.email, password: PASSWORD, orgId: org.A.admin.me.org.id }),
        expect: 'FORBIDDEN',
      },
      'users.setRole': { input: () => ({ userId: idsOfA.userId, role: 'admin' }), expect: 'NOT_FOUND' },
      'invitations.create': {
        input: () => ({ email: 'joins-with-a-team@example.test', role: 'agent', teamIds: [idsOfA.teamId] }),
        expect: 'NOT_FOUND',
      },
      'invitations.resend': { input: () => ({ invitationId: idsOfA.invitationId }), expect: 'NOT_FOUND' },
      'invitations.revoke': { input: () => ({ invitationId: idsOfA.invitationId }), expect: 'NOT_FOUND' },
      'users.disable': { input: () => ({ userId: idsOfA.userId }), expect: 'NOT_FOUND' },
      'users.enable': { input: () => ({ userId: idsOfA.userId }), expect: 'NOT_FOUND' },
      'users.resetPassword': {
        input: () => ({ userId: idsOfA.userId, password: 'taken over by B' }),
        expect: 'NOT_FOUND',
      },
      'sessions.revoke': { input: () => ({ sessionId: idsOfA.sessionId }), expect: 'NOT_FOUND' },
      'sessions.revokeMember': { input: () => ({ userId: idsOfA.userId }), expect: 'NOT_FOUND' },
      'teams.rename': { input: () => ({ teamId: idsOfA.teamId, name: 'Taken over' }), expect: 'NOT_FOUND' },
      'teams.setMembers': {
        input: () => ({ teamId: idsOfA.teamId, userIds: [idsOfA.userId] }),
        expect: 'NOT_FOUND',
      },
      'flows.get': { input: () => ({ flowId: idsOfA.flowId }), expect: 'NOT_FOUND' },
      'flows.saveDraft': {
        input: () => ({ flowId: idsOfA.flowId, revision: 1, document: sampleDocument('Overwritten by B') }),
        expect: 'NOT_FOUND',
      },
      'flows.setRouteOrder': { input: () => ({ flowIds: [idsOfA.flowId] }), expect: 'NOT_FOUND' },
      'routing.previewPublish': {
        input: () => ({
          flowId: idsOfA.flowId,
          trigger: { mode: 'auto', channels: ['phone'], categories: [], priorities: [], tiers: [] },
        }),
        expect: 'NOT_FOUND',
      },
      'versions.publish': {
        input: () => ({ flowId: idsOfA.flowId, message: 'published by B' }),
        expect: 'NOT_FOUND',
      },
      'versions.list': { input: () => ({ flowId: idsOfA.flowId }), expect: 'NOT_FOUND' },
      'versions.get': { input: () => ({ versionId: idsOfA.versionId }), expect: 'NOT_FOUND' },
      'versions.restore': {
        input: () => ({ flowId: idsOfA.flowId, versionId: idsOfA.versionId, revision: 1 }),
        expect: 'NOT_FOUND',
      },
      'versions.compare': {
        input: () => ({ flowId: idsOfA.flowId, from: idsOfA.versionId, to: 'draft' }),
        expect: 'NOT_FOUND',
      },
      'versions.previewMigration': {
        input: () => ({
          flowId: idsOfA.flowId,
          fromVersionId: idsOfA.versionId,
          toVersionId: idsOfA.versionId,
        }),
        expect: 'NOT_FOUND',
      },
      'versions.applyMigration': {
        input: () => ({
          flowId: idsOfA.flowId,
          fromVersionId: idsOfA.versionId,
          toVersionId: idsOfA.versionId,
          ticketIds: [idsOfA.ticketId],
          expected: { [idsOfA.ticketId]: 1 },
        }),
        expect: 'NOT_FOUND',
      },
      'versions.startPilot': {
        input: () => ({ flowId: idsOfA.flowId, versionId: idsOfA.versionId, percent: 50 }),
        expect: 'NOT_FOUND',
      },
      'interop.exportBpmn': {
        input: () => ({ flowId: idsOfA.flowId, versionId: idsOfA.versionId }),
        expect: 'NOT_FOUND',
      },
      'versions.promotePilot': { input: () => ({ flowId: idsOfA.flowId }), expect: 'NOT_FOUND' },
      'versions.rollbackPilot': { input: () => ({ flowId: idsOfA.flowId }), expect: 'NOT_FOUND' },
      'tickets.create': {
        input: () => ({
          channel: 'chat',
          subject: 'Into A',
          description: '',
          customer: { name: 'B customer', email: 'b@example.test', tier: 'new' },
          category: '',
          priority: 'low',
          flowId: idsOfA.flowId,
        }),
        expect: 'NOT_FOUND',
      },
      'tickets.queue': { input: () => ({ scope: 'all', flowId: idsOfA.flowId }), expect: 'EMPTY' },
      'tickets.list': {
        input: () => ({ flowId: idsOfA.flowId, teamId: idsOfA.teamId, assigneeId: idsOfA.userId }),
        expect: 'EMPTY',
      },
      'tickets.get': { input: () => ({ ticketId: idsOfA.ticketId }), expect: 'NOT_FOUND' },
      'views.create': {
        input: () => ({ name: 'Into A', teamId: idsOfA.teamId, query: { view: 'mine', sort: 'sla' } }),
        expect: 'NOT_FOUND',
      },
      'views.update': { input: () => ({ viewId: idsOfA.viewId, name: 'Taken over' }), expect: 'NOT_FOUND' },
      'views.remove': { input: () => ({ viewId: idsOfA.viewId }), expect: 'NOT_FOUND' },
      'tickets.startFlow': {
        input: () => ({ ticketId: idsOfA.ticketId, flowId: idsOfA.flowId }),
        expect: 'NOT_FOUND',
      },
      'tickets.assign': {
        input: () => ({ ticketId: idsOfA.ticketId, assigneeId: null }),
        expect: 'NOT_FOUND',
      },
      'tickets.addMessage': {
        input: () => ({ ticketId: idsOfA.ticketId, body: 'B was here', from: 'customer' }),
        expect: 'NOT_FOUND',
      },
      'work.addNote': {
        input: () => ({ ticketId: idsOfA.ticketId, body: 'B was here' }),
        expect: 'NOT_FOUND',
      },
      'work.edit': { input: () => ({ ticketId: idsOfA.ticketId, priority: 'urgent' }), expect: 'NOT_FOUND' },
      'work.reassign': {
        input: () => ({ ticketId: idsOfA.ticketId, teamId: idsOfA.teamId, reason: 'B wants it' }),
        expect: 'NOT_FOUND',
      },
      'work.customer': { input: () => ({ ticketId: idsOfA.ticketId }), expect: 'NOT_FOUND' },
      'macros.update': {
        input: () => ({ macroId: idsOfA.macroId, name: 'Taken by B', body: 'B' }),
        expect: 'NOT_FOUND',
      },
      'macros.delete': { input: () => ({ macroId: idsOfA.macroId }), expect: 'NOT_FOUND' },
      'analytics.flow': {
        input: () => ({
          flowId: idsOfA.flowId,
          versionId: idsOfA.versionId,
          from: '2030-01-01T00:00:00Z',
          to: '2030-02-01T00:00:00Z',
        }),
        expect: 'NOT_FOUND',
      },
      'analytics.nodes': {
        input: () => ({
          flowId: idsOfA.flowId,
          versionId: idsOfA.versionId,
          from: '2030-01-01T00:00:00Z',
          to: '2030-02-01T00:00:00Z',
        }),
        expect: 'NOT_FOUND',
      },
      'analytics.compare': {
        input: () => ({
          flowId: idsOfA.flowId,
          a: idsOfA.versionId,
          b: idsOfA.versionId,
          from: '2030-01-01T00:00:00Z',
          to: '2030-02-01T00:00:00Z',
        }),
        expect: 'NOT_FOUND',
      },
      'analytics.pilot': { input: () => ({ flowId: idsOfA.flowId }), expect: 'NOT_FOUND' },
      'analytics.backtest': {
        input: () => ({ flowId: idsOfA.flowId, source: idsOfA.versionId, take: 10 }),
        expect: 'NOT_FOUND',
      },
      'analytics.waiting': {
        input: () => ({ flowId: idsOfA.flowId, versionId: idsOfA.versionId, nodeId: 'triage' }),
        expect: 'EMPTY',
      },
      'admin.tokens.revoke': { input: () => ({ tokenId: idsOfA.tokenId }), expect: 'NOT_FOUND' },
      'admin.webhooks.disable': { input: () => ({ endpointId: idsOfA.endpointId }), expect: 'NOT_FOUND' },
      'admin.webhooks.delete': { input: () => ({ endpointId: idsOfA.endpointId }), expect: 'NOT_FOUND' },
      'admin.webhooks.deliveries': {
        input: () => ({ endpointId: idsOfA.endpointId, limit: 10 }),
        expect: 'NOT_FOUND',
      },
      'admin.webhooks.setEventTypes': {
        input: () => ({ endpointId: idsOfA.endpointId, eventTypes: ['ticket.created'] }),
        expect: 'NOT_FOUND',
      },
      'admin.webhooks.test': { input: () => ({ endpointId: idsOfA.endpointId }), expect: 'NOT_FOUND' },
      'admin.channels.delete': { input: () => ({ channelId: idsOfA.channelId }), expect: 'NOT_FOUND' },
      'admin.channels.test': { input: () => ({ channelId: idsOfA.channelId }), expect: 'NOT_FOUND' },
      'admin.channels.deliveries': {
        input: () => ({ channelId: idsOfA.channelId, limit: 10 }),
        expect: 'NOT_FOUND',
      },
      'live.ticket': { input: () => ({ ticketId: idsOfA.ticketId }), expect: 'NOT_FOUND' },
      'notifications.markRead': {
        input: () => ({ notificationIds: [idsOfA.notificationId] }),
        expect: 'NOT_FOUND',
      },
      // The queue stream of B carries only B's changes: nothing arrives while A is untouched.
      'live.queue': { input: () => ({ lastEventId: null }), expect: 'EMPTY' },
      'tickets.complete': {
        input: () => ({
          ticketId: idsOfA.ticketId,
          expectedSeq: 1,
          nodeId: 'check',
          outcomeId: 'done',
          form: {},
          checklist: [],
          idempotencyKey: 'cross-tenant-attempt',
        }),
        expect: 'NOT_FOUND',
      },
    };

  it('given org A’s ids, when each role of org B calls every procedure taking an id, then NOT_FOUND and nothing of A changes', async () => {
    // given
    const withIds = proceduresOf().filter((p) => p.idKeys.length > 0);
    expect(withIds.map((p) => p.path).filter((path) => !(path in CROSS_TENANT))).toEqual([]);
    const before = await snapshot(db, org.A.admin.me.org.id);
    const deviations: string[] = [];
    for (const { path, access } of withIds) {
      const sample = CROSS_TENANT[path];
      if (!sample) continue;
      const roles = access === 'public' ? [null] : (['agent', 'manager', 'admin', 'token'] as const);
      for (const role of roles) {
        // when
        const api = await callerFor(role, 'B');
        const result = await call(
          api,
          path,
        )(sample.input()).then(
          (value) => ({ code: 'ok', text: JSON.stringify(value) }),
          (error: unknown) => ({
            code: (error as { code?: string }).code ?? 'thrown',
            text: String((error as Error).message),
          }),
        );
        // then
        const refused =
          role === 'token' ? TOKEN_TABLE[path] === null : role !== null && !allows(access ?? [], role);
        const expected = refused ? 'FORBIDDEN' : sample.expect;
        const codeOk =
          expected === 'EMPTY'
            ? result.code === 'ok' && (result.text === '[]' || result.text === EMPTY_PAGE)
            : result.code === expected;
        const leaked = secretsOfA.filter((s) => result.text.includes(s));
        if (!codeOk || leaked.length > 0) {
          deviations.push(
            `${path} as B ${role ?? 'anonymous'}: ${result.code} ${result.text.slice(0, 200)} (expected ${expected})`,
          );
        }
      }
    }
    // then
    expect(deviations).toEqual([]);
    expect(await snapshot(db, org.A.admin.me.org.id)).toEqual(before);
  });

  it('given two organizations, when B lists anything, then nothing of A appears', async () => {
    // given
    const api = await callerFor('admin', 'B');
    // when
    const seen = JSON.stringify([
      await api.flows.list(),
      await api.teams.list(),
      await api.users.list(),
      await api.invitations.list(),
      await api.tickets.queue({ scope: 'all' }),
      await api.views.list(),
      await api.auth.me(),
      await api.routing.order(),
      await api.routing.explain({ channel: 'email', category: 'billing', priority: 'normal', tier: 'vip' }),
    ]);
    // then
    expect(secretsOfA.filter((s) => seen.includes(s))).toEqual([]);
  });
});
