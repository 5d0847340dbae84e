/**
 * Failed-login counter per email + client address, in memory. A key with `maxFailures` failures inside
 * the window is refused until the oldest of them leaves the window. Bounded: when full, the key with the
 * oldest latest failure is dropped first (an attacker spraying keys cannot grow memory without bound).
 */
export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 15 * 60 * 1000,
    private readonly maxKeys = 50_000,
  ) {}

  static key(email: string, clientIp: string): string {
    return `${email.trim().toLowerCase()}|${clientIp}`;
  }

  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfterMs(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.maxFailures) return 0;
    const oldest = recent[recent.length - this.maxFailures] ?? now;
    return Math.max(1, oldest + this.windowMs - now);
  }

  recordFailure(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    // Only the last maxFailures matter for the decision.
    if (recent.length > this.maxFailures) recent.splice(0, recent.length - this.maxFailures);
    this.failures.delete(key);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) {
      const first = this.failures.keys().next();
      if (!first.done) this.failures.delete(first.value);
    }
  }

  recordSuccess(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const kept = list.filter((t) => t > now - this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    return kept;
  }
}

/** The process-wide limiter the auth router uses. */
export const loginRateLimiter = new LoginRateLimiter();
