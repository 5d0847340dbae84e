import { readFileSync } from 'node:fs';
import type { ApiScope } from '@stepwise/api';
import { hashApiToken, newApiToken } from '../../packages/api/src/auth/apiTokens.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import {
  apiAs,
  createRuntimeOrg,
  eventCount,
  fakeClock,
  newKey,
  publishFlow,
  type RuntimeOrg,
  TRIAGE_CHECKLIST,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type Answer = { status: number; data: unknown; error: { message: string; code: string } | null };

/** One tRPC call over HTTP as an integration makes it: a query is a GET, a mutation a JSON POST. */
async function call(
  baseUrl: string,
  token: string,
  type: 'query' | 'mutation',
  path: string,
  input?: unknown,
): Promise<Answer> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const response =
    type === 'query'
      ? await fetch(
          `${baseUrl}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
          { headers },
        )
      : await fetch(`${baseUrl}/trpc/${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
        });
  const body = (await response.json()) as {
    result?: { data: unknown };
    error?: { message: string; data: { code: string } };
  };
  return {
    status: response.status,
    data: body.result?.data ?? null,
    error: body.error ? { message: body.error.message, code: body.error.data.code } : null,
  };
}

type Page = { tickets: Array<{ id: string; number: number }>; nextCursor: string | null };

describe.each(backends())('scoped API tokens (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let other: RuntimeOrg;
  let server: RunningServer;
  const clock = fakeClock(new Date('2030-03-04T09:00:00.000Z'));
  const tokens = {} as Record<
    'bot' | 'reader' | 'expiring' | 'revoked' | 'otherBot',
    { id: string; token: string }
  >;

  const admin = () => apiAs(db, org.people.admin, clock);
  const manager = () => apiAs(db, org.people.manager, clock);

  async function createToken(
    of: RuntimeOrg,
    name: string,
    scopes: ApiScope[],
    expiresAt?: string,
  ): Promise<{ id: string; token: string }> {
    const created = await apiAs(db, of.people.admin, clock).admin.tokens.create({
      name,
      scopes,
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { id: created.id, token: created.token };
  }

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Scoped tokens plc', clock.now());
    other = await createRuntimeOrg(db, 'Other org plc', clock.now());
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 10);
    await publishFlow(db, other, 'Ticket resolution', template('ticket-resolution'), 10);
    server = await startServer({ db, port: 0, now: clock.now, timers: false });
    tokens.bot = await createToken(org, 'Triage assistant', ['tickets:read', 'tickets:work']);
    tokens.reader = await createToken(org, 'Reporting', ['tickets:read']);
    tokens.expiring = await createToken(
      org,
      'Trial',
      ['tickets:read'],
      new Date(clock.now().getTime() + 60 * 60_000).toISOString(),
    );
    tokens.revoked = await createToken(org, 'Old gateway', ['tickets:read', 'tickets:create']);
    await admin().admin.tokens.revoke({ tokenId: tokens.revoked.id });
    tokens.otherBot = await createToken(other, 'Other bot', [
      'tickets:read',
      'tickets:work',
      'tickets:reply',
    ]);
  });
  afterAll(async () => {
    await server.close();
    await db.dispose();
  });

  it('given a tickets:work bot, when it reads a ticket and completes its step, then the ticket moves and the stored event names the bot', async () => {
    // given
    const created = await manager().tickets.create(ticketInput({ category: 'billing' }));
    const read = await call(server.url, tokens.bot.token, 'query', 'tickets.get', {
      ticketId: created.ticket.id,
    });
    expect(read.status).toBe(200);
    const page = read.data as { ticket: { seq: number }; currentStep: { id: string } | null };
    expect(page.currentStep?.id).toBe('triage');
    const completion = {
      ticketId: created.ticket.id,
      expectedSeq: page.ticket.seq,
      nodeId: 'triage',
      outcomeId: 'triaged',
      checklist: TRIAGE_CHECKLIST,
      form: { issue_type: 'Billing' },
      idempotencyKey: newKey(),
    };
    // when: first a completion the step refuses (the same checks as an agent's), then the right one
    const incomplete = await call(server.url, tokens.bot.token, 'mutation', 'tickets.complete', {
      ...completion,
      checklist: [],
      idempotencyKey: newKey(),
    });
    const done = await call(server.url, tokens.bot.token, 'mutation', 'tickets.complete', completion);
    // then
    expect(incomplete.status).toBe(400);
    expect(done.status).toBe(200);
    const answer = done.data as {
      ticket: { seq: number; nodeId: string };
      events: Array<{ actorName: string | null; type: string }>;
    };
    expect(answer.ticket).toMatchObject({ seq: 2, nodeId: 'resolve_billing' });
    expect(answer.events).toEqual([
      expect.objectContaining({ type: 'step.completed', actorName: 'Bot: Triage assistant' }),
    ]);
    const stored = await db.query<{ actor_id: string | null; actor_token_id: string | null }>(
      'SELECT actor_id, actor_token_id FROM ticket_events WHERE org_id = $1::uuid AND ticket_id = $2::uuid AND seq = 2',
      [org.orgId, created.ticket.id],
    );
    expect(stored).toEqual([{ actor_id: null, actor_token_id: tokens.bot.id }]);
    const timeline = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(timeline.events.find((e) => e.seq === 2)?.actorName).toBe('Bot: Triage assistant');

    // and: the same key again answers the first response and writes nothing; reused on another request, 422
    const again = await call(server.url, tokens.bot.token, 'mutation', 'tickets.complete', completion);
    expect(again.status).toBe(200);
    expect((again.data as { ticket: { seq: number } }).ticket.seq).toBe(2);
    expect(await eventCount(db, created.ticket.id)).toBe(2);
    const reused = await call(server.url, tokens.bot.token, 'mutation', 'tickets.complete', {
      ...completion,
      form: { issue_type: 'Technical' },
    });
    expect(reused.status).toBe(422);
    // and: a stale completion is a conflict with the fresh ticket
    const stale = await call(server.url, tokens.bot.token, 'mutation', 'tickets.complete', {
      ...completion,
      idempotencyKey: newKey(),
    });
    expect(stale.status).toBe(409);
    expect(await eventCount(db, created.ticket.id)).toBe(2);
  });

  it('given a token without a scope, when it calls a procedure that needs it, then FORBIDDEN names the missing scope and nothing is written', async () => {
    // given
    const created = await manager().tickets.create(ticketInput());
    const before = await eventCount(db, created.ticket.id);
    // when
    const complete = await call(server.url, tokens.reader.token, 'mutation', 'tickets.complete', {
      ticketId: created.ticket.id,
      expectedSeq: created.ticket.seq,
      nodeId: 'triage',
      outcomeId: 'triaged',
      checklist: TRIAGE_CHECKLIST,
      form: { issue_type: 'Billing' },
      idempotencyKey: newKey(),
    });
    const create = await call(server.url, tokens.reader.token, 'mutation', 'tickets.create', ticketInput());
    const reply = await call(server.url, tokens.bot.token, 'mutation', 'tickets.addMessage', {
      ticketId: created.ticket.id,
      body: 'Hello',
      from: 'agent',
    });
    const adminOnly = await call(server.url, tokens.bot.token, 'query', 'admin.tokens.list');
    // then
    expect([complete.status, create.status, reply.status, adminOnly.status]).toEqual([403, 403, 403, 403]);
    expect(complete.error?.message).toContain('lacks the scope "tickets:work"');
    expect(create.error?.message).toContain('"tickets:create"');
    expect(reply.error?.message).toContain('"tickets:reply"');
    expect(adminOnly.error?.message).toContain('cannot call admin.tokens.list');
    expect(await eventCount(db, created.ticket.id)).toBe(before);
    const read = await call(server.url, tokens.reader.token, 'query', 'tickets.get', {
      ticketId: created.ticket.id,
    });
    expect(read.status).toBe(200);
  });

  it('given an expiring and a revoked token, when they are used, then the expired one and the revoked one are refused with UNAUTHORIZED saying why', async () => {
    // given: before its expiry the token works
    const early = await call(server.url, tokens.expiring.token, 'query', 'tickets.list', { limit: 1 });
    expect(early.status).toBe(200);
    // when
    clock.advance(2 * 60 * 60_000);
    const expired = await call(server.url, tokens.expiring.token, 'query', 'tickets.list', { limit: 1 });
    const revoked = await call(server.url, tokens.revoked.token, 'query', 'tickets.list', { limit: 1 });
    // then
    expect(expired.status).toBe(401);
    expect(expired.error?.message).toMatch(/expired at 2030-03-04T10:00:00\.000Z/);
    expect(revoked.status).toBe(401);
    expect(revoked.error?.message).toMatch(/was revoked/);
    // and: the list shows each token's scopes, creator, last use, expiry and status
    const list = await admin().admin.tokens.list();
    const byName = Object.fromEntries(list.map((t) => [t.name, t]));
    expect(byName.Trial).toMatchObject({
      status: 'expired',
      scopes: ['tickets:read'],
      expiresAt: '2030-03-04T10:00:00.000Z',
      lastUsedAt: '2030-03-04T09:00:00.000Z',
      createdByName: org.people.admin.name,
    });
    expect(byName['Old gateway']).toMatchObject({ status: 'revoked', lastUsedAt: null });
    expect(byName['Triage assistant']).toMatchObject({
      status: 'active',
      scopes: ['tickets:read', 'tickets:work'],
    });
    // and: an expiry in the past is refused when a token is made
    await expect(
      admin().admin.tokens.create({
        name: 'Already gone',
        scopes: ['tickets:read'],
        expiresAt: '2030-03-04T08:00:00Z',
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await admin().admin.tokens.list()).some((t) => t.name === 'Already gone')).toBe(false);
  });

  it('given tickets on several pages, when a token pages through the list, then every ticket comes exactly once, even with one created meanwhile', async () => {
    // given
    for (let i = 0; i < 23; i++) await manager().tickets.create(ticketInput({ subject: `Parcel ${i + 1}` }));
    const all = (
      await db.query<{ id: string }>('SELECT id FROM tickets WHERE org_id = $1::uuid', [org.orgId])
    ).map((r) => r.id);
    // when
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await call(server.url, tokens.reader.token, 'query', 'tickets.list', {
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      expect(answer.status).toBe(200);
      const page = answer.data as Page;
      seen.push(...page.tickets.map((t) => t.id));
      cursor = page.nextCursor;
      pages++;
      // a ticket arriving meanwhile is newer than every page left: none of them shows it
      if (pages === 1) await manager().tickets.create(ticketInput({ subject: 'Arrived while paging' }));
    } while (cursor !== null);
    // then
    expect(seen.length).toBe(all.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...all].sort());
    expect(pages).toBe(Math.ceil(all.length / 5));
    // and: the filters and the search narrow the list; a made-up cursor is refused
    const found = await call(server.url, tokens.reader.token, 'query', 'tickets.list', {
      search: 'Parcel 17',
    });
    expect((found.data as Page).tickets.map((t) => t.id)).toHaveLength(1);
    const resolving = await call(server.url, tokens.reader.token, 'query', 'tickets.list', {
      nodeId: 'resolve_billing',
    });
    expect((resolving.data as Page).tickets.length).toBeGreaterThan(0);
    const bad = await call(server.url, tokens.reader.token, 'query', 'tickets.list', { cursor: 'made-up' });
    expect(bad.status).toBe(400);
  });

  it('given another organization’s bot, when it lists, reads, completes or replies, then it never sees this organization’s tickets', async () => {
    // given
    const mine = await manager().tickets.create(ticketInput({ subject: 'Private to the first org' }));
    await apiAs(db, other.people.manager, clock).tickets.create(ticketInput({ subject: 'Of the other org' }));
    const messagesOf = async () =>
      (
        await db.query('SELECT id FROM ticket_messages WHERE org_id = $1::uuid AND ticket_id = $2::uuid', [
          org.orgId,
          mine.ticket.id,
        ])
      ).length;
    const messagesBefore = await messagesOf();
    // when
    const list = await call(server.url, tokens.otherBot.token, 'query', 'tickets.list', { limit: 200 });
    const search = await call(server.url, tokens.otherBot.token, 'query', 'tickets.list', {
      search: 'Private to the first org',
    });
    const get = await call(server.url, tokens.otherBot.token, 'query', 'tickets.get', {
      ticketId: mine.ticket.id,
    });
    const complete = await call(server.url, tokens.otherBot.token, 'mutation', 'tickets.complete', {
      ticketId: mine.ticket.id,
      expectedSeq: mine.ticket.seq,
      nodeId: 'triage',
      outcomeId: 'triaged',
      checklist: TRIAGE_CHECKLIST,
      form: { issue_type: 'Billing' },
      idempotencyKey: newKey(),
    });
    const reply = await call(server.url, tokens.otherBot.token, 'mutation', 'tickets.addMessage', {
      ticketId: mine.ticket.id,
      body: 'Hi from elsewhere',
      from: 'agent',
    });
    // then
    const theirs = (
      await db.query<{ id: string }>('SELECT id FROM tickets WHERE org_id = $1::uuid', [other.orgId])
    ).map((r) => r.id);
    expect(list.status).toBe(200);
    expect((list.data as Page).tickets.map((t) => t.id).sort()).toEqual([...theirs].sort());
    expect((search.data as Page).tickets).toEqual([]);
    expect([get.status, complete.status, reply.status]).toEqual([404, 404, 404]);
    expect(await eventCount(db, mine.ticket.id)).toBe(1);
    expect(await messagesOf()).toBe(messagesBefore);
  });

  it('given a token made before scopes existed, when the scopes migration runs, then it keeps what it could do: create tickets and add customer messages', async () => {
    // given: the table as it was before the migration (no scopes column), and a token in it
    await db.query('ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check');
    await db.query('ALTER TABLE api_tokens DROP COLUMN scopes');
    const legacy = newApiToken();
    await db.query(
      `INSERT INTO api_tokens (org_id, name, token_hash, prefix, created_by, created_at)
       VALUES ($1::uuid, 'Legacy gateway', $2, $3, $4::uuid, $5::timestamptz)`,
      [
        org.orgId,
        hashApiToken(legacy.token),
        legacy.prefix,
        org.people.admin.userId,
        clock.now().toISOString(),
      ],
    );
    // when: the migration's statements that add the column
    const migration = readFileSync(new URL('../../drizzle/0018_token_scopes.sql', import.meta.url), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint').slice(0, 3))
      await db.query(statement);
    // then
    const stored = await db.query<{ scopes: string[] }>(
      'SELECT scopes FROM api_tokens WHERE org_id = $1::uuid AND token_hash = $2',
      [org.orgId, hashApiToken(legacy.token)],
    );
    expect(stored).toEqual([{ scopes: ['tickets:create', 'tickets:reply'] }]);
    const created = await call(server.url, legacy.token, 'mutation', 'tickets.create', ticketInput());
    expect(created.status).toBe(200);
    const ticketId = (created.data as { ticket: { id: string } }).ticket.id;
    const reply = await call(server.url, legacy.token, 'mutation', 'tickets.addMessage', {
      ticketId,
      body: 'Any news?',
      from: 'customer',
    });
    expect(reply.status).toBe(200);
    const read = await call(server.url, legacy.token, 'query', 'tickets.get', { ticketId });
    expect(read.status).toBe(403);
    expect(read.error?.message).toContain('"tickets:read"');
    // and: the column takes no default from now on, and refuses an unknown scope
    await expect(
      db.query(
        `INSERT INTO api_tokens (org_id, name, token_hash, prefix, scopes) VALUES ($1::uuid, 'x', 'h', 'p', ARRAY['tickets:everything'])`,
        [org.orgId],
      ),
    ).rejects.toThrow(/api_tokens_scopes_check/);
  });
});
