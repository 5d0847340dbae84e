import { randomBytes } from 'node:crypto';
import type { Database, Unlisten } from '@stepwise/db';
import { isConnectionError } from '../services/dbUnavailable.ts';

/**
 * The NOTIFY channel every ticket change is announced on. A payload is `~<origin> <change> <change>…`
 * (a server's batch, `origin` naming the process that sent it) or one bare `<change>`; a change is
 * `<orgId>:<ticketId>:<seq>`, with `:m` added for a message (the ticket's page changed without a move).
 */
export const TICKET_CHANNEL = 'stepwise_ticket';

export type TicketChange = {
  orgId: string;
  ticketId: string;
  seq: number;
  /** A message was added: the page changed although the sequence number did not. */
  message?: boolean;
};

type Listener = (change: TicketChange) => void;

/** A watcher of one ticket: the sequence number it has been told of, so a reconcile knows if it is behind. */
type Watcher = { orgId: string; ticketId: string; seq: number; listener: Listener };

export type LiveHubOptions = {
  /** How often the watched tickets' sequence numbers are read again (default 5 s). */
  reconcileMs?: number;
  /** Tickets whose latest sequence number is remembered for deduplication (default 20,000). */
  remember?: number;
  /**
   * The least time between two batches of this process (default 10 ms). The first change after a quiet
   * spell goes at once; under load the changes of each window share one statement, so a busy server
   * sends at most 100 NOTIFY statements a second, however many moves it makes.
   */
  coalesceMs?: number;
};

/**
 * One batch, one statement. A NOTIFY gives its transaction an id, so its commit would wait for a WAL
 * flush like a move's: a notification need not survive a crash (the reconcile makes up for a lost one),
 * so this transaction commits without waiting.
 */
const NOTIFY_SQL = `SELECT set_config('synchronous_commit', 'off', true),
  (SELECT count(pg_notify($1, p)) FROM unnest($2::text[]) AS p) AS sent`;

/** A NOTIFY payload is at most 8,000 bytes: a batch is split well below it. */
const MAX_PAYLOAD_BYTES = 7_000;

/**
 * The live fan-out of one process: a single LISTEN on the database, and in-memory listeners by
 * organization and by ticket.
 *
 * A change is announced after its commit (`note`): this process's listeners hear it at once, and the
 * other servers through one `pg_notify` statement per batch (the changes noted while the previous batch
 * was being sent or within its window, coalesced per ticket). A notification never waits in a move's transaction, where it
 * would serialise the commits of every server. What a server hears of its own batches is ignored (by
 * origin), and a change no newer than one already heard is dropped (by sequence number), so the trigger
 * of an older schema that still notifies in the transaction is harmless.
 *
 * A notification can be lost (a server that crashed between the commit and its batch, a LISTEN
 * connection that reconnected): every few seconds the hub reads the sequence numbers of the tickets it
 * has watchers for and tells each watcher that is behind.
 */
export class LiveHub {
  /** Names this process in its batches. */
  readonly origin = randomBytes(6).toString('hex');
  private readonly byOrg = new Map<string, Set<Listener>>();
  private readonly any = new Set<Listener>();
  private readonly reconnected = new Set<() => void>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** The highest sequence number heard per ticket (insertion order = age; the oldest are forgotten). */
  private readonly latest = new Map<string, number>();
  private readonly remember: number;
  private pending = new Map<string, TicketChange>();
  private sending = false;
  private scheduled = false;
  private readonly coalesceMs: number;
  private lastSentAt = 0;
  private reconcileMs: number;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private unlisten: Unlisten | null = null;
  private starting: Promise<void> | null = null;
  /**
   * Tell the other servers (default on). A lone server, or a benchmark measuring what announcing
   * costs, may turn it off: this process's listeners still hear every change.
   */
  announce = true;
  /** Counters for tests and metrics. */
  readonly stats = {
    noted: 0,
    announced: 0,
    batches: 0,
    sendFailures: 0,
    heard: 0,
    reconciled: 0,
    relistens: 0,
  };

  constructor(
    private readonly db: Database,
    options: LiveHubOptions = {},
  ) {
    this.reconcileMs = options.reconcileMs ?? 5_000;
    this.remember = options.remember ?? 20_000;
    this.coalesceMs = options.coalesceMs ?? 10;
  }

  /**
   * Starts listening (idempotent; subscribers call it, so the first subscription starts the LISTEN).
   * The LISTEN survives a database restart: once it is back, the watched tickets are read at once (the
   * notifications of the outage were lost) and the `onReconnect` listeners are told.
   */
  start(): Promise<void> {
    this.starting ??= this.db
      .listen(
        TICKET_CHANNEL,
        (payload) => this.hear(payload),
        () => this.relistened(),
      )
      .then((unlisten) => {
        this.unlisten = unlisten;
        this.scheduleReconcile();
      })
      .catch((error: unknown) => {
        this.starting = null;
        throw error;
      });
    return this.starting;
  }

  async stop(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = null;
    this.starting = null;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = null;
    await this.reconciling;
    if (unlisten) await unlisten();
  }

  /** Changes the reconcile interval (the next round is scheduled with it). */
  reconcileEvery(ms: number): void {
    this.reconcileMs = ms;
    if (this.reconcileTimer) {
      clearTimeout(this.reconcileTimer);
      this.reconcileTimer = null;
      this.scheduleReconcile();
    }
  }

  /**
   * A committed change: delivered to this process's listeners now, and queued for the other servers.
   * Never throws and never waits: the caller's answer does not depend on it.
   */
  note(change: TicketChange): void {
    this.stats.noted++;
    this.deliver(change);
    // The embedded database belongs to one process (its data directory is locked): nobody else to tell.
    if (this.db.kind === 'pglite' || !this.announce) return;
    this.stats.announced++;
    const queued = this.pending.get(change.ticketId);
    if (!queued || change.seq > queued.seq) {
      this.pending.set(change.ticketId, {
        ...change,
        message: change.message === true || queued?.message === true,
      });
    } else if (change.message && !queued.message) {
      queued.message = true;
    }
    this.scheduleSend();
  }

  /** Sends what is queued once the current batch (if any) is out and its window has passed. */
  private scheduleSend(): void {
    if (this.scheduled || this.sending) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      void this.send();
    };
    const wait = this.lastSentAt + this.coalesceMs - performance.now();
    if (wait <= 0) setImmediate(go);
    else setTimeout(go, wait);
  }

  private async send(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.sending = true;
    this.lastSentAt = performance.now();
    try {
      this.stats.batches++;
      await this.db.query(NOTIFY_SQL, [TICKET_CHANNEL, payloadsOf(this.origin, batch)]);
    } catch {
      // The other servers' reconcile finds these changes within its interval.
      this.stats.sendFailures++;
    } finally {
      this.sending = false;
      if (this.pending.size > 0) this.scheduleSend();
    }
  }

  private relistened(): void {
    this.stats.relistens++;
    // A fresh read (a round already in flight may have read before the changes of the outage landed),
    // tried again while the pool's own connections are still coming back.
    const catchUp = async () => {
      for (let attempt = 0; attempt < 10 && this.watchers.size > 0 && this.unlisten !== null; attempt++) {
        await (this.reconciling ?? Promise.resolve()).catch(() => {});
        try {
          await this.reconcile();
          return;
        } catch (error) {
          if (!isConnectionError(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    };
    catchUp().catch((error: unknown) =>
      console.error('[stepwise live] reconcile after a reconnect failed:', error),
    );
    for (const listener of this.reconnected) {
      try {
        listener();
      } catch (error) {
        console.error('[stepwise live] a reconnect listener failed:', error);
      }
    }
  }

  /** Called each time the LISTEN connection is back after the database was lost. */
  onReconnect(listener: () => void): () => void {
    this.reconnected.add(listener);
    return () => this.reconnected.delete(listener);
  }

  /** Every change of every organization (the server's background workers use it as a wake-up). */
  onAny(listener: Listener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  /** Changes of one organization's tickets. */
  onOrg(orgId: string, listener: Listener): () => void {
    let set = this.byOrg.get(orgId);
    if (!set) {
      set = new Set();
      this.byOrg.set(orgId, set);
    }
    set.add(listener);
    return () => {
      const current = this.byOrg.get(orgId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.byOrg.delete(orgId);
    };
  }

  /**
   * Changes of one ticket past `seq` (the sequence number the watcher already shows), each at most once:
   * a change at or below what the watcher was told is dropped, a message always passes. The reconcile
   * tells a watcher left behind by a lost notification.
   */
  watchTicket(
    orgId: string,
    ticketId: string,
    seq: number,
    listener: Listener,
  ): { off(): void; advance(seq: number): void } {
    const watcher: Watcher = {
      orgId,
      ticketId,
      seq,
      listener: (change) => {
        if (!change.message && change.seq <= watcher.seq) return;
        watcher.seq = Math.max(watcher.seq, change.seq);
        listener(change);
      },
    };
    let set = this.watchers.get(ticketId);
    if (!set) {
      set = new Set();
      this.watchers.set(ticketId, set);
    }
    set.add(watcher);
    return {
      off: () => {
        const current = this.watchers.get(ticketId);
        if (!current) return;
        current.delete(watcher);
        if (current.size === 0) this.watchers.delete(ticketId);
      },
      advance: (to) => {
        watcher.seq = Math.max(watcher.seq, to);
      },
    };
  }

  /** Listeners of an organization (for tests and metrics). */
  listenerCount(orgId: string): number {
    return this.byOrg.get(orgId)?.size ?? 0;
  }

  /** Tickets with at least one watcher. */
  watchedCount(): number {
    return this.watchers.size;
  }

  /**
   * Reads the sequence numbers of the watched tickets and tells every watcher that is behind (the
   * timer calls it; tests may call it directly).
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.readWatched().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  private async readWatched(): Promise<void> {
    // Each watched ticket by its key within its organization: (org_id, id) pairs.
    const keys: Array<[string, string]> = [];
    for (const [ticketId, set] of this.watchers) {
      for (const orgId of new Set([...set].map((w) => w.orgId))) keys.push([orgId, ticketId]);
    }
    for (let at = 0; at < keys.length; at += 1000) {
      const slice = keys.slice(at, at + 1000);
      const rows = await this.db.query<{ id: string; org_id: string; seq: number }>(
        `SELECT t.id, t.org_id, t.seq FROM tickets t
           JOIN unnest($1::uuid[], $2::uuid[]) AS k(org_id, id) ON t.org_id = k.org_id AND t.id = k.id`,
        [slice.map((k) => k[0]), slice.map((k) => k[1])],
      );
      for (const row of rows) {
        const set = this.watchers.get(row.id);
        if (!set) continue;
        const behind = [...set].filter((w) => w.orgId === row.org_id && w.seq < row.seq);
        if (behind.length === 0) continue;
        this.stats.reconciled++;
        // Heard late: the organization's listeners (queues) are told too, unless this seq was heard.
        this.deliver({ orgId: row.org_id, ticketId: row.id, seq: row.seq });
        for (const watcher of behind)
          safely(watcher.listener, { orgId: row.org_id, ticketId: row.id, seq: row.seq });
      }
    }
  }

  private scheduleReconcile(): void {
    if (this.reconcileTimer || this.unlisten === null) return;
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = null;
      const round = this.watchers.size > 0 ? this.reconcile() : Promise.resolve();
      round
        .catch((error: unknown) => {
          // The database is down: the reconnect reads the watched tickets as soon as it is back.
          if (!isConnectionError(error)) console.error('[stepwise live] reconcile failed:', error);
        })
        .finally(() => this.scheduleReconcile());
    }, this.reconcileMs);
    this.reconcileTimer.unref();
  }

  private hear(payload: string): void {
    const batch = parsePayload(payload);
    if (!batch || batch.origin === this.origin) return;
    this.stats.heard++;
    for (const change of batch.changes) this.deliver(change);
  }

  /** Tells the listeners of a change, unless a change at least as new was already told. */
  private deliver(change: TicketChange): void {
    const known = this.latest.get(change.ticketId);
    if (known !== undefined && change.seq <= known && !change.message) return;
    if (known === undefined || change.seq > known) {
      this.latest.delete(change.ticketId);
      this.latest.set(change.ticketId, change.seq);
      if (this.latest.size > this.remember) {
        const oldest = this.latest.keys().next().value;
        if (oldest !== undefined) this.latest.delete(oldest);
      }
    }
    for (const listener of this.any) safely(listener, change);
    const set = this.byOrg.get(change.orgId);
    if (set) for (const listener of [...set]) safely(listener, change);
    const watching = this.watchers.get(change.ticketId);
    if (watching)
      for (const watcher of [...watching])
        if (watcher.orgId === change.orgId) safely(watcher.listener, change);
  }
}

function safely(listener: Listener, change: TicketChange): void {
  try {
    listener(change);
  } catch (error) {
    console.error('[stepwise live] a listener failed:', error);
  }
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CHANGE_RE = new RegExp(`^(${UUID}):(${UUID}):(\\d{1,10})(:m)?$`);
const ORIGIN_RE = /^~([0-9a-f]{1,32})$/;

/** One change of a payload (`<orgId>:<ticketId>:<seq>[:m]`), or null. */
export function parseChange(text: string): TicketChange | null {
  const match = CHANGE_RE.exec(text);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  const change: TicketChange = { orgId: match[1], ticketId: match[2], seq: Number(match[3]) };
  if (match[4]) change.message = true;
  return change;
}

/** A payload: a server's batch (`~origin change…`) or one bare change (no origin). */
export function parsePayload(payload: string): { origin: string | null; changes: TicketChange[] } | null {
  const parts = payload.split(' ');
  const origin = ORIGIN_RE.exec(parts[0] ?? '')?.[1] ?? null;
  const changes: TicketChange[] = [];
  for (const part of origin === null ? parts : parts.slice(1)) {
    const change = parseChange(part);
    if (change) changes.push(change);
  }
  return changes.length > 0 ? { origin, changes } : null;
}

/** A batch as payloads of at most `MAX_PAYLOAD_BYTES` each, every one led by the origin. */
export function payloadsOf(origin: string, changes: readonly TicketChange[]): string[] {
  const payloads: string[] = [];
  let current = `~${origin}`;
  for (const c of changes) {
    const text = `${c.orgId}:${c.ticketId}:${c.seq}${c.message ? ':m' : ''}`;
    if (current.length + 1 + text.length > MAX_PAYLOAD_BYTES) {
      payloads.push(current);
      current = `~${origin}`;
    }
    current += ` ${text}`;
  }
  if (current.length > origin.length + 1) payloads.push(current);
  return payloads;
}

const hubs = new WeakMap<Database, LiveHub>();

/** The hub of a database handle (one per process and database: one LISTEN connection). */
export function liveHubOf(db: Database): LiveHub {
  let hub = hubs.get(db);
  if (!hub) {
    hub = new LiveHub(db);
    hubs.set(db, hub);
  }
  return hub;
}

/**
 * Announces a committed change of a ticket (a move, a new ticket, a message): this process's live
 * streams hear it at once, the other servers with the next batch. Call it after the commit, never
 * inside a transaction.
 */
export function noteChange(db: Database, change: TicketChange): void {
  liveHubOf(db).note(change);
}

/** A bounded queue of changes read as an async iterable (a client 1,000 behind is cut off and reconnects). */
function changeStream(
  register: (push: Listener) => () => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<TicketChange> & { close(): void } {
  const buffer: TicketChange[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const off = register((change) => {
    if (buffer.length >= 1000) overflow = true;
    else buffer.push(change);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  const close = () => {
    off();
    signal?.removeEventListener('abort', onAbort);
    overflow = true;
    wake?.();
  };
  async function* iterate(): AsyncGenerator<TicketChange> {
    try {
      while (!signal?.aborted && !overflow) {
        const next = buffer.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      close();
    }
  }
  return Object.assign(iterate(), { close });
}

/**
 * Subscribes at once (call `hub.start()` first) and returns the organization's changes as an async
 * iterable that ends when `signal` aborts. Registering before reading the current state means no change
 * falls in between.
 */
export function subscribeChanges(
  hub: LiveHub,
  orgId: string,
  filter: (change: TicketChange) => boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<TicketChange> & { close(): void } {
  return changeStream(
    (push) =>
      hub.onOrg(orgId, (change) => {
        if (filter(change)) push(change);
      }),
    signal,
  );
}

/**
 * One ticket's changes past `seq`, each sequence number once (messages always), including those a
 * reconcile finds a lost notification hid. `advance(seq)` moves the mark (the caller sent that state
 * by other means).
 */
export function subscribeTicket(
  hub: LiveHub,
  orgId: string,
  ticketId: string,
  seq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<TicketChange> & { close(): void; advance(seq: number): void } {
  let watch: { off(): void; advance(seq: number): void } | null = null;
  const stream = changeStream((push) => {
    const w = hub.watchTicket(orgId, ticketId, seq, push);
    watch = w;
    return w.off;
  }, signal);
  return Object.assign(stream, { advance: (to: number) => watch?.advance(to) });
}
