import { createCaller, createContextFactory, type Me } from '@stepwise/api';
import type { Database, Role } from '@stepwise/db';
import { CURRENT_SCHEMA_VERSION, type FlowDocument } from '@stepwise/flow';
import { TRPCError } from '@trpc/server';
import { mailedToken, tokenOf } from './outbox.ts';

export type Api = ReturnType<typeof createCaller>;

/** A logged-in person in a test: their session cookie and who they are. */
export type TestUser = { cookie: string; me: Me; email: string; password: string };

export const PASSWORD = 'correct horse battery';

/**
 * Calls the router in-process exactly as the server does: every call builds a fresh context from a
 * header bag (so a session revoked between calls is noticed), and Set-Cookie values are captured.
 */
export function apiHarness(db: Database, options: { now?: () => Date; publicUrl?: string } = {}) {
  const { publicUrl } = options;
  const createContext = createContextFactory({
    db,
    now: options.now,
    // Tests post to local receivers (never the internet).
    allowLocalUrls: true,
    ...(publicUrl ? { publicUrl: () => publicUrl } : {}),
  });
  let counter = 0;

  async function as(
    who: TestUser | string | null,
    request: { clientIp?: string; onCookie?: (cookie: string) => void } = {},
  ): Promise<Api> {
    const cookie = who === null ? null : typeof who === 'string' ? who : who.cookie;
    const ctx = await createContext({
      headers: new Headers(cookie ? { cookie } : {}),
      setCookie: request.onCookie ?? (() => {}),
      clientIp: request.clientIp ?? '203.0.113.7',
    });
    return createCaller(ctx);
  }

  /** A unique email for this file's run. */
  function email(label: string): string {
    counter += 1;
    const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return `${slug}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  }

  /** Signs up a new organization and confirms it with the link mailed to the new admin (logged in). */
  async function signUp(orgName: string, label = 'admin'): Promise<TestUser> {
    const address = email(label);
    await (await as(null)).auth.signUp({
      orgName,
      name: `${label} of ${orgName}`,
      email: address,
      password: PASSWORD,
    });
    const token = await mailedToken(db, address, 'sign_up.confirm');
    const cookies: string[] = [];
    const me = await (await as(null, { onCookie: (c) => cookies.push(c) })).auth.confirmSignUp({ token });
    return { cookie: sessionCookieOf(cookies), me, email: address, password: PASSWORD };
  }

  async function login(address: string, password = PASSWORD, clientIp?: string): Promise<TestUser> {
    const cookies: string[] = [];
    const api = await as(null, { onCookie: (c) => cookies.push(c), clientIp });
    const me = await api.auth.login({ email: address, password });
    return { cookie: sessionCookieOf(cookies), me, email: address, password };
  }

  /** The admin invites a new person with a role, who accepts (name and password) and is logged in. */
  async function addMember(admin: TestUser, role: Role, label: string = role): Promise<TestUser> {
    const address = email(label);
    const { link } = await (await as(admin)).invitations.create({ email: address, role });
    const cookies: string[] = [];
    const me = await (await as(null, { onCookie: (c) => cookies.push(c) })).invitations.accept({
      token: tokenOf(link),
      account: 'new',
      name: `${label} ${address.slice(0, 6)}`,
      password: PASSWORD,
    });
    return { cookie: sessionCookieOf(cookies), me, email: address, password: PASSWORD };
  }

  return { as, email, signUp, login, addMember };
}

/** `sw_session=<token>` from Set-Cookie values (the last one wins, as in a browser). */
export function sessionCookieOf(setCookies: readonly string[]): string {
  const last = [...setCookies].reverse().find((c) => c.startsWith('sw_session='));
  if (!last) throw new Error(`no session cookie in ${JSON.stringify(setCookies)}`);
  return last.split(';')[0] ?? '';
}

/** The tRPC error a call rejects with (fails the test if it resolves or throws something else). */
export async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail with a TRPCError, but it succeeded');
}

/** The `details` a procedure attached with `fail(code, message, details)`. */
export function detailsOf(error: TRPCError): unknown {
  const cause = error.cause;
  return cause && typeof cause === 'object' && 'details' in cause ? cause.details : undefined;
}

/**
 * A flow: start → one agent step (team, SLA, one outcome) → end. `title` varies the content. Publishable
 * when `teamId` is a team of the publishing organization (publish refuses teams it does not have).
 */
export function sampleDocument(title = 'Check the request', teamId = 'team-support'): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Start',
          trigger: { mode: 'manual', channels: [], categories: [], priorities: [], tiers: [] },
        },
      },
      {
        id: 'check',
        type: 'step',
        position: { x: 0, y: 150 },
        data: {
          title,
          instructions: 'Read the ticket and confirm what the customer needs.',
          checklist: [],
          form: [],
          teamId,
          slaMinutes: 60,
          outcomes: [{ id: 'done', label: 'Done' }],
        },
      },
      {
        id: 'end',
        type: 'end',
        position: { x: 0, y: 300 },
        data: { label: 'Resolved', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'check' },
      { id: 'e-done', source: 'check', sourceHandle: 'outcome:done', target: 'end' },
    ],
    notes: [],
  };
}

/** Well-formed but not publishable: the step's outcome leads nowhere and there is no end. */
export function unpublishableDocument(): FlowDocument {
  const document = sampleDocument('Unfinished');
  return {
    ...document,
    nodes: document.nodes.filter((n) => n.type !== 'end'),
    edges: document.edges.slice(0, 1),
  };
}

/** Not a flow document at all (a node without a type, an edge without a target). */
export function malformedDocument(): unknown {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [{ id: 'start', position: { x: 0, y: 0 }, data: {} }],
    edges: [{ id: 'e1', source: 'start' }],
    notes: [],
  };
}
