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
 * Each derivation holds 128 MiB and a core for a good part of a second, so they go through one queue:
 *
 * - at most `MAX_CONCURRENT` run at once (a burst costs latency, not memory);
 * - a password check from a client is first admitted to its lane — the client's address — with a
 *   `HashTicket`, at once and before any other work: a lane holds at most `MAX_PER_LANE` tickets, all
 *   lanes together `MAX_ADMITTED`; beyond that `admitHash` throws `PasswordCheckBusy` (the caller answers
 *   429 without touching the database or hashing);
 * - a lane runs at most one derivation at a time, so one address never holds every slot;
 * - a free slot goes to the waiting lane served least recently (a lane never served first), so a flooding
 *   address waits its turn behind everyone else instead of in front of them;
 * - a lane that has been refused (it is flooding) starts a derivation only while nothing else runs, or
 *   once `FLOODING_PAUSE_MS` have passed since its last one started: it does not take a core from other
 *   addresses' log-ins, yet is never starved.
 *
 * Work without a ticket (a sign-up's new password, an admin setting a password, the seed) is never
 * refused; it all shares one lane, so a burst of it (a flood of sign-ups) takes one slot, not both.
 */
const MAX_CONCURRENT = 2;
const MAX_PER_LANE = 3;
const MAX_ADMITTED = 32;
const FLOODING_PAUSE_MS = 2000;
/** A refused check is told to come back after about one derivation's time. */
const BUSY_RETRY_MS = 1000;

/** The hashing queue is full for this address (or overall): nothing was hashed. */
export class PasswordCheckBusy extends Error {
  readonly retryAfterMs = BUSY_RETRY_MS;
  constructor() {
    super('Too many password checks are waiting.');
  }
}

/** A client's admission to the hashing queue: its derivations run in its lane. Release it when done. */
export type HashTicket = { readonly lane: string; release(): void };

/** The lane of hashing that no client address was admitted for. */
const UNATTRIBUTED = Symbol('unattributed');

type Lane = {
  /** Tickets out (laned lanes only). */
  admitted: number;
  running: number;
  waiting: Array<() => void>;
  lastServed: number;
  /** When its last derivation started (Date.now()). */
  lastStarted: number;
  arrived: number;
  /** A check from this lane was refused while the lane was in use: it runs only when nothing else does. */
  flooding: boolean;
};

const lanes = new Map<string | symbol, Lane>();
let running = 0;
let admitted = 0;
let served = 0;
let arrivals = 0;

/** How the queue stands (tests and diagnostics). */
export function hashQueueState(): { running: number; waiting: number; admitted: number; lanes: number } {
  let waiting = 0;
  for (const lane of lanes.values()) waiting += lane.waiting.length;
  return { running, waiting, admitted, lanes: lanes.size };
}

function laneOf(key: string | symbol): Lane {
  let lane = lanes.get(key);
  if (!lane) {
    lane = {
      admitted: 0,
      running: 0,
      waiting: [],
      lastServed: -1,
      lastStarted: 0,
      arrived: arrivals++,
      flooding: false,
    };
    lanes.set(key, lane);
  }
  return lane;
}

/** Admits one password check from `lane` (a client address), or throws `PasswordCheckBusy` at once. */
export function admitHash(lane: string): HashTicket {
  const state = laneOf(lane);
  if (state.admitted >= MAX_PER_LANE || admitted >= MAX_ADMITTED) {
    if (state.admitted > 0) state.flooding = true;
    forget(lane);
    throw new PasswordCheckBusy();
  }
  state.admitted += 1;
  admitted += 1;
  let released = false;
  return {
    lane,
    release() {
      if (released) return;
      released = true;
      state.admitted -= 1;
      admitted -= 1;
      forget(lane);
    },
  };
}

function acquire(key: string | symbol): Promise<() => void> {
  const lane = laneOf(key);
  const release = (): void => {
    running -= 1;
    lane.running -= 1;
    forget(key);
    dispatch();
  };
  if (running < MAX_CONCURRENT && lane.waiting.length === 0 && mayStart(lane)) {
    start(lane);
    return Promise.resolve(release);
  }
  return new Promise((resolve) => lane.waiting.push(() => resolve(release)));
}

function mayStart(lane: Lane): boolean {
  return (
    lane.running === 0 &&
    (!lane.flooding || running === 0 || Date.now() - lane.lastStarted >= FLOODING_PAUSE_MS)
  );
}

function start(lane: Lane): void {
  running += 1;
  lane.running += 1;
  served += 1;
  lane.lastServed = served;
  lane.lastStarted = Date.now();
}

/** Hands free slots to the waiting lanes served least recently. */
function dispatch(): void {
  while (running < MAX_CONCURRENT) {
    let next: Lane | null = null;
    for (const lane of lanes.values()) {
      if (lane.waiting.length === 0 || !mayStart(lane)) continue;
      if (
        !next ||
        lane.lastServed < next.lastServed ||
        (lane.lastServed === next.lastServed && lane.arrived < next.arrived)
      )
        next = lane;
    }
    if (!next) return;
    start(next);
    next.waiting.shift()?.();
  }
}

function forget(key: string | symbol): void {
  const lane = lanes.get(key);
  if (lane && lane.admitted === 0 && lane.running === 0 && lane.waiting.length === 0) lanes.delete(key);
}

async function derive(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
  ticket: HashTicket | undefined,
): Promise<Buffer> {
  const release = await acquire(ticket?.lane ?? UNATTRIBUTED);
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

/** Options of a hash: `ticket`, the client's admission (its derivation runs in the client's lane). */
export type HashOptions = { ticket?: HashTicket };

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash in base64). */
export async function hashPassword(password: string, options: HashOptions = {}): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { ...PARAMS, maxmem: MAX_MEM }, options.ticket);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(
  password: string,
  stored: string,
  options: HashOptions = {},
): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p, salt, hash } = parsed;
  const key = await derive(
    password,
    salt,
    hash.length,
    { N, r, p, maxmem: Math.max(MAX_MEM, 129 * N * r) },
    options.ticket,
  );
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
export async function verifyDummyPassword(password: string, options: HashOptions = {}): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy, options);
  return false;
}
