/** A fresh idempotency key (UUID v4), also where `crypto.randomUUID` is missing (plain-http origins). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Remembers the key of a submission whose answer never arrived (a network error), so that retrying the
 * very same submission reuses it and the server answers with the first result instead of moving twice.
 * Any other submission, or any answered attempt, gets a new key.
 */
export class IdempotencyKeys {
  private pending: { fingerprint: string; key: string } | null = null;

  constructor(private readonly generate: () => string = newIdempotencyKey) {}

  /** The key for a submission described by `fingerprint` (a canonical string of what is sent). */
  keyFor(fingerprint: string): string {
    if (this.pending?.fingerprint === fingerprint) return this.pending.key;
    const key = this.generate();
    this.pending = { fingerprint, key };
    return key;
  }

  /** Call when an attempt got an answer (success or a definite error): its key must not be reused. */
  answered(): void {
    this.pending = null;
  }
}
