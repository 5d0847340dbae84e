import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { ErrorDetails } from '../trpc.ts';
import { addressKeyOf, inWords, retryAfterSecondsOf } from './rateLimits.ts';

describe('the keys and words of the limits', () => {
  it('given client addresses, when keyed, then IPv4 as is (also mapped) and IPv6 as its /64', () => {
    // when / then
    expect(addressKeyOf('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKeyOf('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKeyOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(addressKeyOf('local')).toBe('local');
  });

  it('given waits, when put in words, then seconds up to a minute and whole minutes after', () => {
    // when / then
    expect(inWords(1)).toBe('1 second');
    expect(inWords(20_000)).toBe('20 seconds');
    expect(inWords(60_000)).toBe('60 seconds');
    expect(inWords(60_001)).toBe('2 minutes');
    expect(inWords(15 * 60_000)).toBe('15 minutes');
  });

  it('given errors, when asked for Retry-After, then only a TOO_MANY_REQUESTS with a wait has one', () => {
    // given
    const tooMany = (details: unknown) =>
      new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'x', cause: new ErrorDetails('x', details) });
    // when / then
    expect(retryAfterSecondsOf(tooMany({ retryAfterSeconds: 12.2, limit: 'account' }))).toBe(13);
    expect(retryAfterSecondsOf(tooMany({ limit: 'account' }))).toBeUndefined();
    expect(retryAfterSecondsOf(tooMany({ retryAfterSeconds: -1 }))).toBeUndefined();
    expect(
      retryAfterSecondsOf(
        new TRPCError({ code: 'BAD_REQUEST', cause: new ErrorDetails('x', { retryAfterSeconds: 5 }) }),
      ),
    ).toBeUndefined();
    expect(retryAfterSecondsOf(new Error('x'))).toBeUndefined();
  });
});
