import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * The reverse proxies whose `X-Forwarded-For` this server believes (`TRUSTED_PROXY`): addresses and CIDR
 * ranges, IPv4 or IPv6.
 */
export class TrustedProxies {
  private readonly list = new BlockList();

  constructor(readonly entries: ReadonlyArray<{ address: string; prefix: number | null }>) {
    for (const { address, prefix } of entries) {
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === null) this.list.addAddress(address, family);
      else this.list.addSubnet(address, prefix, family);
    }
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) as `192.0.2.1`; other addresses as given. */
export function plainAddress(address: string): string {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : null;
  return v4 !== null && isIP(v4) === 4 ? v4 : address;
}

/** One `X-Forwarded-For` entry without the port some proxies add (`192.0.2.1:4711`, `[2001:db8::1]:4711`). */
function hopAddress(entry: string): string {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1]) return plainAddress(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return plainAddress(v4WithPort?.[1] ?? text);
}

/**
 * The address a request comes from. The socket's peer, unless the peer is a trusted proxy: then the
 * `X-Forwarded-For` chain is read from the right (each proxy appends the address it was reached from),
 * skipping trusted proxies, and the first address not trusted is the client. An entry that is not an
 * address ends the walk at the last address known good, so a client writing its own header can never
 * choose the address it is counted under: only hops a trusted proxy added are believed. Without
 * `TRUSTED_PROXY`, the header is ignored.
 */
export function clientAddressOf(req: IncomingMessage, trusted: TrustedProxies | null): string {
  const peer = plainAddress(req.socket.remoteAddress ?? 'unknown');
  if (!trusted?.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hopAddress(hops[i] ?? '');
    if (isIP(hop) === 0) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}
