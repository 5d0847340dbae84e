const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  const byte = (b: number) => {
    hash ^= b;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  };
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 0x3f));
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    }
  }
  return hash >>> 0;
}

/**
 * Whether a ticket belongs to the pilot of a new version taking `percent` of new tickets: its bucket
 * (FNV-1a 32-bit hash of `ticketKey`, mod 100) is below `percent`, clamped to 0–100 (not a number
 * counts as 0). Deterministic, so the same ticket always gets the same answer on every server, and
 * raising the percentage only adds tickets to the pilot.
 */
export function inPilot(ticketKey: string, percent: number): boolean {
  const p = Number.isNaN(percent) ? 0 : Math.min(100, Math.max(0, percent));
  return fnv1a32(String(ticketKey)) % 100 < p;
}
