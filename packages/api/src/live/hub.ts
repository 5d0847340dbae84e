import type { Database, Unlisten } from '@stepwise/db';

/** The NOTIFY channel every ticket change is announced on (payload `<orgId>:<ticketId>:<seq>`). */
export const TICKET_CHANNEL = 'stepwise_ticket';

export type TicketChange = { orgId: string; ticketId: string; seq: number };

type Listener = (change: TicketChange) => void;

/**
 * The live fan-out of one process: a single LISTEN on the database, and in-memory listeners by
 * organization. Changes arrive only after their transaction commits (NOTIFY is transactional), from
 * every server on the same database.
 */
export class LiveHub {
  private readonly byOrg = new Map<string, Set<Listener>>();
  private readonly any = new Set<Listener>();
  private unlisten: Unlisten | null = null;
  private starting: Promise<void> | null = null;

  constructor(private readonly db: Database) {}

  /** Starts listening (idempotent; subscribers call it, so the first subscription starts the LISTEN). */
  start(): Promise<void> {
    this.starting ??= this.db
      .listen(TICKET_CHANNEL, (payload) => this.dispatch(payload))
      .then((unlisten) => {
        this.unlisten = unlisten;
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
    if (unlisten) await unlisten();
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

  /** Listeners of an organization (for tests and metrics). */
  listenerCount(orgId: string): number {
    return this.byOrg.get(orgId)?.size ?? 0;
  }

  private dispatch(payload: string): void {
    const change = parseChange(payload);
    if (!change) return;
    for (const listener of this.any) safely(listener, change);
    const set = this.byOrg.get(change.orgId);
    if (set) for (const listener of [...set]) safely(listener, change);
  }
}

function safely(listener: Listener, change: TicketChange): void {
  try {
    listener(change);
  } catch (error) {
    console.error('[stepwise live] a listener failed:', error);
  }
}

const PAYLOAD_RE =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\d{1,10})$/;

export function parseChange(payload: string): TicketChange | null {
  const match = PAYLOAD_RE.exec(payload);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { orgId: match[1], ticketId: match[2], seq: Number(match[3]) };
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
 * Subscribes at once (call `hub.start()` first) and returns the changes as an async iterable that ends
 * when `signal` aborts. Registering before reading the current state means no change falls in between.
 * Changes are buffered (bounded: a client 1,000 behind is cut off and reconnects with its last event id).
 */
export function subscribeChanges(
  hub: LiveHub,
  orgId: string,
  filter: (change: TicketChange) => boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<TicketChange> & { close(): void } {
  const buffer: TicketChange[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const off = hub.onOrg(orgId, (change) => {
    if (!filter(change)) return;
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
