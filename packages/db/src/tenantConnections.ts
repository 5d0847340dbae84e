import type { PGlite, Transaction } from '@electric-sql/pglite';
import type postgres from 'postgres';
import { currentOrg } from './orgScope.ts';

/**
 * How the application's statements reach PostgreSQL as the application role, each with its
 * organization (`app.org_id`, which the row-level security policies read).
 *
 * Setting the organization per transaction (`BEGIN; set_config(…, true); …; COMMIT`) costs every
 * statement three more round-trip messages: 14% of the move throughput measured on the hot path.
 * Instead each connection remembers the organization it was last set to (a session setting), and a
 * statement goes to a connection already set to its organization when one is free: in steady traffic
 * the setting is sent only when a connection changes organization, as one more statement pipelined
 * ahead of the one that needs it. A connection that closes forgets its setting (a new session starts
 * with none, which sees no tenant rows), and the next statement routed to it sets it again.
 */

/**
 * What changing a connection's organization weighs against statements waiting on it: among equally busy
 * connections one already set to the statement's organization wins, but never at the price of waiting.
 */
const SWITCH_COST = 0.5;

const SET_ORG = `SELECT set_config('app.org_id', $1, false)`;

/** The parsers and serializers drizzle makes transparent (dates as the database's text, JSON as given). */
export function transparentTypes(sql: postgres.Sql): void {
  const identity = (value: unknown) => value;
  const options = sql.options as unknown as {
    parsers: Record<string, unknown>;
    serializers: Record<string, unknown>;
  };
  for (const type of ['1184', '1082', '1083', '1114', '1182', '1185', '1115', '1231']) {
    options.parsers[type] = identity;
    options.serializers[type] = identity;
  }
  options.serializers['114'] = identity;
  options.serializers['3802'] = identity;
}

type Slot = {
  sql: postgres.Sql;
  /** The organization the connection's session is set to: undefined when unknown (closed, or a set failed). */
  org: string | null | undefined;
  /** Statements sent and not yet answered. */
  pending: number;
  /** Open transactions (the connection is theirs until they end). */
  transactions: number;
};

/**
 * A postgres.js-shaped client over one connection per slot: what drizzle calls (`unsafe`, `begin`,
 * `options`) and the raw `query` of the hot paths, each routed by the caller's organization.
 * `owner`: where statements made outside any organization scope go (tests' own inspection queries);
 * without it they run as the application with no organization.
 */
export class TenantPool {
  private readonly slots: Slot[];
  /** What drizzle adjusts (its parsers); the slots are given the same by `transparentTypes`. */
  readonly options = { parsers: {}, serializers: {} };

  constructor(
    open: (onclose: () => void) => postgres.Sql,
    size: number,
    private readonly owner: postgres.Sql | null,
  ) {
    this.slots = Array.from({ length: size }, () => {
      const slot: Slot = {
        sql: undefined as unknown as postgres.Sql,
        org: null,
        pending: 0,
        transactions: 0,
      };
      slot.sql = open(() => {
        slot.org = undefined;
      });
      transparentTypes(slot.sql);
      return slot;
    });
  }

  /**
   * The slot for a statement of `org`: the least busy, preferring one already set to `org`; set it if not.
   * The caller sends its statement at once, in the same synchronous step: statements on one connection run
   * in the order they are sent, so nothing can come between the setting and the statement.
   */
  private slotFor(org: string | null): Slot {
    let best = this.slots[0] as Slot;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const slot of this.slots) {
      const score = slot.pending + (slot.transactions > 0 ? 1000 : 0) + (slot.org === org ? 0 : SWITCH_COST);
      if (score < bestScore) {
        best = slot;
        bestScore = score;
      }
    }
    if (best.org !== org) {
      const slot = best;
      slot.org = org;
      // If it fails, so does the statement behind it, and the slot is set again next time.
      slot.sql
        .unsafe(SET_ORG, [org ?? ''], { prepare: true })
        .execute()
        .then(undefined, () => {
          if (slot.org === org) slot.org = undefined;
        });
    }
    return best;
  }

  /** Counts a statement as waiting on its slot until it is answered. */
  private track(slot: Slot, pending: PromiseLike<unknown>): void {
    slot.pending++;
    const done = () => {
      slot.pending--;
    };
    pending.then(done, done);
  }

  /** The scope's organization, or 'owner' for a statement made outside every scope when an owner is given. */
  private target(): string | null | 'owner' {
    const org = currentOrg();
    if (org === undefined) return this.owner ? 'owner' : null;
    return org;
  }

  unsafe(
    text: string,
    params?: unknown[],
    options?: { prepare?: boolean },
  ): ReturnType<postgres.Sql['unsafe']> {
    const target = this.target();
    if (target === 'owner') return (this.owner as postgres.Sql).unsafe(text, params as never[], options);
    const slot = this.slotFor(target);
    // Sent now (right behind the setting, if one was needed); `.values()` may still be asked for, as drizzle
    // does, before the rows arrive.
    const query = slot.sql.unsafe(text, params as never[], options).execute();
    this.track(slot, query);
    return query;
  }

  /** One transaction, on a connection of its own until it ends (postgres.js `begin`, as drizzle calls it). */
  begin<T>(
    ...args:
      | [(sql: postgres.TransactionSql) => Promise<T>]
      | [string, (sql: postgres.TransactionSql) => Promise<T>]
  ): Promise<T> {
    const target = this.target();
    if (target === 'owner') return (this.owner as postgres.Sql).begin(...(args as [never])) as Promise<T>;
    const slot = this.slotFor(target);
    slot.transactions++;
    const done = (slot.sql.begin(...(args as [never])) as Promise<T>).finally(() => {
      slot.transactions--;
    });
    this.track(slot, done);
    return done;
  }

  /** A raw statement, as `Database.query` runs it (prepared once per connection). */
  async query<T>(text: string, params: unknown[]): Promise<T[]> {
    const rows = await this.unsafe(text, params, { prepare: true });
    return rows as unknown as T[];
  }

  async end(options: { timeout: number }): Promise<void> {
    await Promise.all([...this.slots.map((slot) => slot.sql.end(options)), this.owner?.end(options)]);
  }
}

/**
 * PGlite has one connection: before each statement (or transaction) the session is switched to what the
 * scope needs — the application role with its organization, or the owner for work outside every scope
 * when allowed — and the switch and the statement run back to back, no other statement between them.
 */
export class PgliteGate {
  /** The session's role and organization: 'owner', an organization, null (the app role, no organization). */
  private state: string | null | 'owner' | undefined = 'owner';
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pg: PGlite,
    private readonly appRole: string,
    private readonly ownerOutsideScopes: boolean,
  ) {}

  private async enter(): Promise<void> {
    const org = currentOrg();
    const wanted = org === undefined ? (this.ownerOutsideScopes ? 'owner' : null) : org;
    if (wanted === this.state) return;
    this.state = undefined;
    if (wanted === 'owner') {
      await this.pg.exec(`RESET ROLE; SELECT set_config('app.org_id', '', false)`);
    } else {
      await this.pg.exec(`SET ROLE ${this.appRole}`);
      await this.pg.query(SET_ORG, [wanted ?? '']);
    }
    this.state = wanted;
  }

  /** The session was switched behind the gate's back (migrations): set it again before the next statement. */
  forget(): void {
    this.state = undefined;
  }

  /** Runs `work` alone on the connection, after switching it to the scope's role and organization. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      await this.enter();
      return work();
    });
    this.tail = turn.catch(() => {});
    return turn;
  }

  /** What drizzle calls on a PGlite client. */
  client(): Pick<PGlite, 'query' | 'transaction'> {
    return {
      query: ((text: string, params?: unknown[], options?: object) =>
        this.run(() => this.pg.query(text, params, options))) as PGlite['query'],
      transaction: (<T>(fn: (tx: Transaction) => Promise<T>) =>
        this.run(() => this.pg.transaction(fn))) as PGlite['transaction'],
    };
  }
}
