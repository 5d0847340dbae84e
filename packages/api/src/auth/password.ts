import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * OWASP's scrypt floor: N = 2^17, r = 8, p = 1 (128 MiB per hash). maxmem must be raised explicitly:
 * node's default (32 MiB) refuses these parameters.
 */
const PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const MAX_MEM = 256 * 1024 * 1024;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Stored hashes are trusted, but a corrupted one must not make us allocate gigabytes. */
const MAX_COST = 2 ** 20;

/**
 * Each derivation holds 128 MiB: at most this many run at once, the rest queue. A burst of log-ins
 * (or an attacker spraying emails) then costs latency, not memory.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function acquire(): Promise<void> {
  if (running < MAX_CONCURRENT) {
    running += 1;
    return;
  }
  // The releasing derivation hands its slot straight to the next in line.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

async function derive(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  await acquire();
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      scrypt(password.normalize('NFKC'), salt, keylen, options, (error, key) => {
        if (error) reject(error);
        else resolve(key);
      });
    });
  } finally {
    release();
  }
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash in base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { ...PARAMS, maxmem: MAX_MEM });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p, salt, hash } = parsed;
  const key = await derive(password, salt, hash.length, { N, r, p, maxmem: Math.max(MAX_MEM, 129 * N * r) });
  return timingSafeEqual(key, hash);
}

/** The parameters a stored hash was made with (tests check they meet the floor). */
export function parseHash(
  stored: string,
): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return null;
  if (N > MAX_COST || (N & (N - 1)) !== 0 || r > 32 || p > 16) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const hash = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

let dummy: Promise<string> | null = null;

/**
 * Spends the same time as a real check for an unknown email, so response timing does not reveal which
 * emails have an account. The dummy hash is made once per process.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy);
  return false;
}
