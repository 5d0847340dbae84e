import { randomUUID } from 'node:crypto';
import { type Agent, request } from 'node:http';
import { type Caller, createCaller, publishVersion } from '@stepwise/api';
import type { Database, Role } from '@stepwise/db';
import { CURRENT_SCHEMA_VERSION, type FlowDocument, TEMPLATES } from '@stepwise/flow';
import { createSession } from '../../packages/api/src/auth/sessions.ts';
import { mapTeams } from '../../packages/api/src/seed/seedDemo.ts';

/** A clock tests move by hand. */
export type FakeClock = { now: () => Date; set(at: Date): void; advance(ms: number): void };

export function fakeClock(start = new Date('2030-03-04T09:00:00.000Z')): FakeClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (at) => {
      t = at.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export type Person = Caller & { userId: string };

export type RuntimeOrg = {
  orgId: string;
  teams: { billing: string; technical: string };
  people: { admin: Person; manager: Person; agent1: Person; agent2: Person; outsider: Person };
  flows: Record<string, { flowId: string; versionId: string }>;
};

/** The router, called in-process as a given person (same procedures, access checks and zod inputs). */
export function apiAs(db: Database, caller: Caller | null, clock: FakeClock) {
  // Tests post to local receivers (never the internet).
  return createCaller({
    db,
    caller,
    now: clock.now,
    setCookie: () => {},
    sessionToken: null,
    allowLocalUrls: true,
  });
}

/** A session cookie for a person (for HTTP tests). */
export async function cookieFor(db: Database, person: Person, now: Date): Promise<string> {
  const { token } = await createSession(db.db, { orgId: person.orgId, userId: person.userId, now });
  return `sw_session=${token}`;
}

/**
 * An organization for runtime tests, written directly (no password hashing): Billing and Technical
 * teams, an admin, a manager, agent1 (both teams), agent2 (Technical) and an outsider agent (no team).
 */
export async function createRuntimeOrg(db: Database, name: string, now: Date): Promise<RuntimeOrg> {
  const orgId = randomUUID();
  const billing = randomUUID();
  const technical = randomUUID();
  await db.query('INSERT INTO organizations (id, name, created_at) VALUES ($1::uuid, $2, $3::timestamptz)', [
    orgId,
    name,
    now.toISOString(),
  ]);
  await db.query(
    `INSERT INTO teams (id, org_id, name) VALUES ($1::uuid, $3::uuid, 'Billing'), ($2::uuid, $3::uuid, 'Technical')`,
    [billing, technical, orgId],
  );
  const person = async (key: string, role: Role, teamIds: string[]): Promise<Person> => {
    const userId = randomUUID();
    const email = `${key}-${userId.slice(0, 8)}@runtime.test`;
    const personName = `${key[0]?.toUpperCase()}${key.slice(1)} of ${name}`;
    await db.query(
      `INSERT INTO users (id, email, name, password_hash) VALUES ($1::uuid, $2, $3, 'not-a-hash')`,
      [userId, email, personName],
    );
    await db.query('INSERT INTO memberships (org_id, user_id, role) VALUES ($1::uuid, $2::uuid, $3)', [
      orgId,
      userId,
      role,
    ]);
    for (const teamId of teamIds) {
      await db.query(
        'INSERT INTO team_members (org_id, team_id, user_id) VALUES ($1::uuid, $2::uuid, $3::uuid)',
        [orgId, teamId, userId],
      );
    }
    return { userId, orgId, role, name: personName, email };
  };
  const people = {
    admin: await person('admin', 'admin', []),
    manager: await person('manager', 'manager', []),
    agent1: await person('agent1', 'agent', [billing, technical]),
    agent2: await person('agent2', 'agent', [technical]),
    outsider: await person('outsider', 'agent', []),
  };
  return { orgId, teams: { billing, technical }, people, flows: {} };
}

/** Creates a flow with a draft and publishes it as v1 through the real publish service. */
export async function publishFlow(
  db: Database,
  org: RuntimeOrg,
  name: string,
  document: FlowDocument,
  routeOrder: number,
): Promise<{ flowId: string; versionId: string }> {
  const flowId = randomUUID();
  const mapped = mapTeams(document, {
    'team-billing': org.teams.billing,
    'team-technical': org.teams.technical,
  });
  await db.query(
    `INSERT INTO flows (id, org_id, name, draft, route_order) VALUES ($1::uuid, $2::uuid, $3, $4::jsonb, $5::int)`,
    [flowId, org.orgId, name, JSON.stringify(mapped), routeOrder],
  );
  const version = await publishVersion(db, {
    orgId: org.orgId,
    flowId,
    authorId: org.people.manager.userId,
    message: 'v1',
  });
  const published = { flowId, versionId: version.id };
  org.flows[name] = published;
  return published;
}

/** Saves a new draft of a flow (teams mapped to the org's) and publishes it through the real service. */
export async function publishNextVersion(
  db: Database,
  org: RuntimeOrg,
  flowId: string,
  document: FlowDocument,
  message: string,
) {
  const mapped = mapTeams(document, {
    'team-billing': org.teams.billing,
    'team-technical': org.teams.technical,
  });
  await db.query(
    'UPDATE flows SET draft = $1::jsonb, draft_revision = draft_revision + 1 WHERE id = $2::uuid',
    [JSON.stringify(mapped), flowId],
  );
  return publishVersion(db, { orgId: org.orgId, flowId, authorId: org.people.manager.userId, message });
}

export function template(id: string): FlowDocument {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw new Error(`no template ${id}`);
  return t.document;
}

/** A document whose start filters are the given ones (the rest of the template kept). */
export function withTrigger(
  document: FlowDocument,
  trigger: Partial<{
    mode: 'auto' | 'manual';
    channels: string[];
    categories: string[];
    priorities: string[];
    tiers: string[];
  }>,
): FlowDocument {
  return {
    ...document,
    nodes: document.nodes.map((n) =>
      n.type === 'start'
        ? ({ ...n, data: { ...n.data, trigger: { ...n.data.trigger, ...trigger } } } as typeof n)
        : n,
    ),
  };
}

/**
 * A flow a ticket can be advanced through forever: start → "Work the ticket" (team Billing, 60-minute
 * SLA) whose "Again" outcome loops back through an action, and whose "Done" outcome ends it.
 */
export function loopDocument(
  options: { slaMinutes?: number | null; trigger?: 'auto' | 'manual' } = {},
): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [{ key: 'passes', label: 'Last pass', type: 'text' }],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Start',
          trigger: {
            mode: options.trigger ?? 'manual',
            channels: [],
            categories: [],
            priorities: [],
            tiers: [],
          },
        },
      },
      {
        id: 'work',
        type: 'step',
        position: { x: 0, y: 150 },
        data: {
          title: 'Work the ticket',
          instructions: 'Do one pass of work.',
          checklist: [],
          form: [],
          teamId: 'team-billing',
          slaMinutes: options.slaMinutes === undefined ? 60 : options.slaMinutes,
          outcomes: [
            { id: 'again', label: 'Again' },
            { id: 'done', label: 'Done' },
          ],
        },
      },
      {
        id: 'note',
        type: 'action',
        position: { x: 250, y: 150 },
        data: { label: 'Note the pass', ops: [{ op: 'set_field', field: 'passes', value: 'again' }] },
      },
      {
        id: 'end',
        type: 'end',
        position: { x: 0, y: 300 },
        data: { label: 'Done', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'work' },
      { id: 'e-again', source: 'work', sourceHandle: 'outcome:again', target: 'note' },
      { id: 'e-note', source: 'note', sourceHandle: 'next', target: 'work' },
      { id: 'e-done', source: 'work', sourceHandle: 'outcome:done', target: 'end' },
    ],
    notes: [],
  };
}

export const TRIAGE_CHECKLIST = ['read_conversation', 'check_priority'];

/** A plausible new ticket; override what a test cares about. */
export function ticketInput(overrides: Record<string, unknown> = {}) {
  return {
    channel: 'email' as const,
    subject: 'Order arrived damaged',
    description: 'The box was crushed and the mug inside is broken.',
    customer: { name: 'Ines Duarte', email: 'ines@example.com', tier: 'existing' as const },
    category: 'general',
    priority: 'normal' as const,
    ...overrides,
  };
}

export async function eventCount(db: Database, ticketId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1::uuid',
    [ticketId],
  );
  return rows[0]?.n ?? 0;
}

export function newKey(): string {
  return `key-${randomUUID()}`;
}

/** A POST with a JSON body over plain node:http (keep-alive through `agent`); resolves to status and raw body. */
export function postJson(
  agent: Agent,
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(path, baseUrl);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
