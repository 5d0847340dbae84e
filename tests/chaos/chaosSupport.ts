import { Agent } from 'node:http';
import { postJson } from '../support/runtimeFixture.ts';
import { type ServerProcess, spawnServer } from '../support/serverProcess.ts';

/**
 * The chaos suite's two tiers. The short one runs with every `npm test` (a few kills, seconds of load);
 * `CHAOS_FULL=1` runs the long one (minutes of load, a kill every few seconds).
 */
export const FULL = process.env.CHAOS_FULL === '1';

export type Tier = { loadMs: number; killEveryMs: number; tickets: number; workers: number };

export const TIER: Tier = FULL
  ? { loadMs: 75_000, killEveryMs: 3_000, tickets: 200, workers: 16 }
  : { loadMs: 9_000, killEveryMs: 2_500, tickets: 40, workers: 8 };

const SERVER_ENV = { STEPWISE_DEMO: '0', LOG_LEVEL: 'info' };

/**
 * A set of real server processes on one database that can be killed (SIGKILL, no goodbye) and started
 * again while clients keep sending to whichever is up.
 */
export class Fleet {
  private readonly servers: ServerProcess[];
  kills = 0;

  private constructor(
    private readonly databaseUrl: string,
    servers: ServerProcess[],
  ) {
    this.servers = servers;
  }

  static async start(databaseUrl: string, size: number): Promise<Fleet> {
    const servers = await Promise.all(
      Array.from({ length: size }, () => spawnServer(databaseUrl, 60_000, SERVER_ENV)),
    );
    return new Fleet(databaseUrl, servers);
  }

  /**
   * The URL of one of the servers (a random one). Clients are not told of a kill: a killed server's
   * address stays in the list until its replacement is up, so requests keep reaching it and fail
   * (connection refused or reset), as they would behind a load balancer that has not noticed yet.
   */
  pick(): string | null {
    return this.servers[Math.floor(Math.random() * this.servers.length)]?.url ?? null;
  }

  /** kill -9 one server, then start a new one in its place. */
  async killOne(): Promise<void> {
    const index = Math.floor(Math.random() * this.servers.length);
    const victim = this.servers[index];
    if (!victim) return;
    victim.child.kill('SIGKILL');
    await new Promise((done) => {
      if (victim.child.exitCode !== null || victim.child.signalCode !== null) done(undefined);
      else victim.child.once('exit', done);
    });
    this.kills++;
    this.servers[index] = await spawnServer(this.databaseUrl, 60_000, SERVER_ENV);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s?.stop()));
  }
}

/** What the clients saw: every step the servers acknowledged, and anything that should never happen. */
export type LoadLog = {
  /** `ticketId:seq` of every acknowledged step. */
  acknowledged: Set<string>;
  /** Acknowledgements per ticket. */
  perTicket: Map<string, number>;
  /** Requests that hit a dead server or a 5xx and were sent again with the same key. */
  retries: number;
  /** Answers a client must never get here (a conflict on its own ticket, a 4xx, a retry limit). */
  anomalies: string[];
};

/**
 * Workers complete steps over HTTP until `until` resolves to true, each on its own tickets (so no two
 * race): a dead server or a 5xx is retried with the same idempotency key on whichever server is up,
 * until an answer comes — so every step that committed is acknowledged exactly once.
 */
export async function completeUnderChaos(
  fleet: Fleet,
  cookie: string,
  tickets: Array<{ id: string; seq: number }>,
  workers: number,
  done: () => boolean,
): Promise<LoadLog> {
  const log: LoadLog = { acknowledged: new Set(), perTicket: new Map(), retries: 0, anomalies: [] };
  const agent = new Agent({ keepAlive: false });
  let keyCounter = 0;
  const worker = async (w: number) => {
    const mine = tickets.filter((_, i) => i % workers === w);
    while (!done() && log.anomalies.length === 0) {
      const ticket = mine[Math.floor(Math.random() * mine.length)];
      if (!ticket) return;
      const body = {
        ticketId: ticket.id,
        expectedSeq: ticket.seq,
        nodeId: 'work',
        outcomeId: 'again',
        form: {},
        checklist: [],
        idempotencyKey: `chaos-${process.pid}-${w}-${keyCounter++}`,
      };
      for (let attempt = 0; ; attempt++) {
        if (attempt > 400) {
          log.anomalies.push(`no answer for ${ticket.id} after 400 attempts`);
          return;
        }
        const url = fleet.pick();
        if (!url) {
          await sleep(50);
          continue;
        }
        let answer: { status: number; body: string };
        try {
          answer = await postJson(agent, url, '/trpc/tickets.complete', body, { cookie });
        } catch {
          log.retries++;
          await sleep(50);
          continue;
        }
        if (answer.status >= 500) {
          log.retries++;
          await sleep(50);
          continue;
        }
        if (answer.status !== 200) {
          log.anomalies.push(`HTTP ${answer.status} for ${ticket.id}: ${answer.body.slice(0, 300)}`);
          return;
        }
        const seq = (JSON.parse(answer.body) as { result: { data: { ticket: { seq: number } } } }).result.data
          .ticket.seq;
        const id = `${ticket.id}:${seq}`;
        if (log.acknowledged.has(id)) log.anomalies.push(`step ${id} acknowledged twice`);
        log.acknowledged.add(id);
        log.perTicket.set(ticket.id, (log.perTicket.get(ticket.id) ?? 0) + 1);
        ticket.seq = seq;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  agent.destroy();
  return log;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
