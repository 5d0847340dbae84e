import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './clientAddress.ts';
import { parseTrustedProxy } from './config.ts';

/** A request as the server sees it: the socket's peer and the headers. */
function request(peer: string, forwardedFor?: string | string[]): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('TRUSTED_PROXY', () => {
  it('given no setting, when a request names another client in X-Forwarded-For, then the peer is the client', () => {
    // given
    const trusted = parseTrustedProxy(undefined);
    // when / then
    expect(trusted).toBeNull();
    expect(clientAddressOf(request('192.0.2.7', '198.51.100.1'), trusted)).toBe('192.0.2.7');
    expect(clientAddressOf(request('::ffff:192.0.2.7'), trusted)).toBe('192.0.2.7');
  });

  it('given a trusted proxy, when it forwards a request, then the client is the first untrusted address from the right', () => {
    // given
    const trusted = parseTrustedProxy('10.0.0.0/8, 127.0.0.1,2001:db8::/32');
    // when / then
    expect(clientAddressOf(request('127.0.0.1', '198.51.100.1'), trusted)).toBe('198.51.100.1');
    // a client's own header prefix is never believed: only the hops trusted proxies appended count
    expect(clientAddressOf(request('10.1.2.3', 'forged, 203.0.113.9, 10.0.0.5'), trusted)).toBe(
      '203.0.113.9',
    );
    expect(clientAddressOf(request('10.1.2.3', ['1.1.1.1', '203.0.113.9:4711']), trusted)).toBe(
      '203.0.113.9',
    );
    expect(clientAddressOf(request('::ffff:10.1.2.3', '[2001:db9::5]:443'), trusted)).toBe('2001:db9::5');
    // an untrusted peer's header is ignored
    expect(clientAddressOf(request('192.0.2.7', '198.51.100.1'), trusted)).toBe('192.0.2.7');
    // a trusted proxy that sends no (or a broken) header is the client itself
    expect(clientAddressOf(request('127.0.0.1'), trusted)).toBe('127.0.0.1');
    expect(clientAddressOf(request('127.0.0.1', 'garbage'), trusted)).toBe('127.0.0.1');
  });

  it('given a value that is not a list of addresses and ranges, when parsed, then an error names the setting and the entry', () => {
    // when / then
    for (const bad of ['proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1', '2001:db8::/129', '10.0.0.0/x']) {
      expect(() => parseTrustedProxy(bad)).toThrow(/^TRUSTED_PROXY must list the addresses of the proxies/);
    }
    expect(() => parseTrustedProxy('10.0.0.1, nope')).toThrow(/got "nope"/);
  });
});
