/**
 * A copy of a JSON value with every object's keys in the order PostgreSQL's jsonb keeps them (shorter
 * keys first, then bytewise). A value built in memory and the same value read back from a jsonb column
 * then serialise to the same text — which is what lets a replayed response be byte-identical.
 */
export function jsonbOrder<T>(value: T): T {
  return reorder(value) as T;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function compareKeys(a: string, b: string): number {
  // Keys are nearly always ASCII, where UTF-16 order is byte order; compare bytes only otherwise.
  if (isAscii(a) && isAscii(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length - bb.length || Buffer.compare(ba, bb);
}

function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort(compareKeys);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = record[key];
    // JSON drops undefined members; jsonb never holds them.
    if (v === undefined) continue;
    // A `__proto__` key from a client is data: define it, never assign it (that would set the prototype).
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: reorder(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = reorder(v);
  }
  return out;
}
