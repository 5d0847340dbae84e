import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isConnectionError, retryOnConnectionError } from './dbUnavailable.ts';

const withCode = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(code), { code, ...extra });

describe('connection errors', () => {
  it('are told from statement errors, through the causes drizzle and tRPC wrap them in', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'CONNECTION_CLOSED',
      'CONNECT_TIMEOUT',
      '57P01',
      '57P03',
      '08006',
    ])
      expect(isConnectionError(withCode(code)), code).toBe(true);
    const wrapped = new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      cause: new Error('query failed', { cause: withCode('57P01') }),
    });
    expect(isConnectionError(wrapped)).toBe(true);
    expect(isConnectionError(withCode('ENOENT', { syscall: 'connect' }))).toBe(true);
    for (const code of ['23505', '40001', '57014', '42P01', 'ENOENT'])
      expect(isConnectionError(withCode(code)), code).toBe(false);
    expect(isConnectionError(new Error('plain'))).toBe(false);
  });

  it('retry idempotent work once, then say the database is unavailable; other errors pass at once', async () => {
    let calls = 0;
    await expect(
      retryOnConnectionError(async () => {
        calls++;
        if (calls === 1) throw withCode('CONNECTION_CLOSED');
        return 'read';
      }),
    ).resolves.toBe('read');
    expect(calls).toBe(2);
    calls = 0;
    await expect(
      retryOnConnectionError(async () => {
        calls++;
        throw withCode('ECONNREFUSED');
      }),
    ).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(calls).toBe(2);
    calls = 0;
    await expect(
      retryOnConnectionError(async () => {
        calls++;
        throw withCode('23505');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });
});
