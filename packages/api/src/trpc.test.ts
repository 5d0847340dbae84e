import type { Database } from '@stepwise/db';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Context, procedure, router } from './trpc.ts';

const testRouter = router({
  boom: procedure('public').query(() => {
    throw new Error('Failed query: select * from users where email = $1 params: secret@example.com');
  }),
  named: procedure('public')
    .input(z.object({ name: z.string().min(3, 'a name has at least 3 characters') }))
    .query(({ input }) => input.name),
  mine: procedure(['manager']).query(({ ctx }) => ctx.caller.orgId),
});

async function call(path: string, input?: unknown, caller: Context['caller'] = null) {
  const url = `http://test/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request(url),
    router: testRouter,
    createContext: (): Context => ({
      db: {} as Database,
      caller,
      now: () => new Date(0),
      setCookie: () => {},
      sessionToken: null,
    }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { message: string; data: Record<string, unknown> } },
  };
}

describe('error shape', () => {
  it('given an unexpected failure, when it reaches the client, then neither SQL nor parameters leak', async () => {
    const { status, body } = await call('boom');
    expect(status).toBe(500);
    expect(body.error?.message).toMatch(/went wrong on our side/);
    expect(JSON.stringify(body)).not.toContain('secret@example.com');
    expect(JSON.stringify(body)).not.toContain('select');
  });

  it('given bad input, when refused, then the message names the field and the rule', async () => {
    const { status, body } = await call('named', { name: 'ab' });
    expect(status).toBe(400);
    expect(body.error?.message).toBe('Invalid input at "name": a name has at least 3 characters');
    expect(body.error?.data.zodIssues).toEqual([
      { path: 'name', message: 'a name has at least 3 characters' },
    ]);
  });

  it('given a role procedure, when an agent or nobody calls it, then FORBIDDEN or UNAUTHORIZED', async () => {
    const agent = { userId: 'u', orgId: 'o', role: 'agent' as const, name: 'A', email: 'a@x.test' };
    expect((await call('mine', undefined, agent)).status).toBe(403);
    expect((await call('mine')).status).toBe(401);
    expect((await call('mine', undefined, { ...agent, role: 'manager' })).body).toMatchObject({
      result: { data: 'o' },
    });
  });
});
