import { indexFlow } from '../indexFlow.ts';
import { parseIsoTime } from '../isoTime.ts';
import type { FlowDocument } from '../schema.ts';
import { applyTicketEdit, type StoredEvent, type TicketEdit } from '../storedEvent.ts';
import { initialState, transition } from '../transition.ts';
import type { EndStatus, EngineEvent, RunState, TicketData } from '../types.ts';

/**
 * Backtesting: a flow document (a draft, or any version) replayed over tickets that already finished,
 * with the same engine the runtime moves tickets with. Each past ticket starts again as it came in (its
 * recorded attributes), and wherever the document asks for something a person or a clock decided — an
 * agent's outcome and form, an SLA that passed, a customer's reply, a timer — the answer the ticket
 * recorded at that node is given again, in the order it was recorded. Decisions, actions and routing are
 * evaluated afresh, so a changed condition sends tickets elsewhere. Where the document asks for an answer
 * the ticket never recorded (a new step, an outcome that no longer exists, a form field it never filled),
 * the ticket stops there and is counted as "would wait at" that node: the backtest never invents a
 * person's decision. Only a duration wait, whose timer would certainly fire, is let through without a
 * recording. Pure: no clock, no I/O; the same inputs give the same summary anywhere.
 */

/** An input a past ticket recorded: what the engine was given, at which node, when. */
export type RecordedInput = {
  /** Milliseconds since the epoch. */
  at: number;
  nodeId: string;
  event: Exclude<EngineEvent, { type: 'start' }>;
};

/** A finished ticket as a backtest reads it. */
export type PastTicket = {
  id: string;
  /** When its run on the flow began (milliseconds since the epoch). */
  startedAt: number;
  /** The ticket as it came in (or as its run was started by hand). */
  ticket: TicketData;
  /** What people, customers and timers decided, in order. */
  inputs: RecordedInput[];
  /**
   * Hand edits of the ticket's attributes (priority, category, tags, fields), in order: replayed before
   * the first recorded input made after each, so decisions see what they saw.
   */
  edits?: Array<{ at: number; set: TicketEdit }>;
  /** The nodes it walked, in order (repeats kept). */
  path: string[];
  /** How it ended; null when its run did not end (it was closed otherwise). */
  endStatus: EndStatus | null;
};

type TimedEvent = { createdAt: string | number; data: StoredEvent };

function timeOf(at: string | number): number {
  return typeof at === 'number' ? at : parseIsoTime(at);
}

/**
 * Reads a ticket's events as a past ticket: from its last creation or start by hand (its run on the
 * flow; a migration inside it keeps the inputs on both versions — node ids carry over between versions
 * of a flow), the ticket data it began with, every engine input with the node it was given at, and the
 * path of nodes its trails entered. Null when no event begins a run.
 */
export function pastTicketOf(id: string, events: readonly TimedEvent[]): PastTicket | null {
  let from = -1;
  events.forEach((event, i) => {
    const type = event.data.input.type;
    if (type === 'created' || type === 'start') from = i;
  });
  const first = events[from];
  if (first === undefined) return null;
  const begin = first.data.input;
  if (begin.type !== 'created' && begin.type !== 'start') return null;
  const inputs: RecordedInput[] = [];
  const edits: Array<{ at: number; set: TicketEdit }> = [];
  const path: string[] = [];
  let current: string | null = null;
  let endStatus: EndStatus | null = null;
  for (const event of events.slice(from)) {
    const { input, trail } = event.data;
    const at = timeOf(event.createdAt);
    switch (input.type) {
      case 'complete_step':
      case 'timer_fired':
        inputs.push({ at, nodeId: input.nodeId, event: input });
        break;
      case 'customer_replied':
      case 'subflow_completed':
        if (current !== null) inputs.push({ at, nodeId: current, event: input });
        break;
      case 'edit':
        edits.push({ at, set: input.set });
        break;
      case 'migrate': {
        // The node the migration landed it on (its trail enters none).
        const landed = 'toNode' in event.data ? event.data.toNode : null;
        if (landed !== null && landed !== current) path.push(landed);
        current = landed;
        break;
      }
      default:
        break;
    }
    for (const entry of trail) {
      if (entry.type === 'node_entered') {
        path.push(entry.nodeId);
        current = entry.nodeId;
      } else if (entry.type === 'ended') endStatus = entry.status;
    }
  }
  return { id, startedAt: timeOf(first.createdAt), ticket: begin.ticket, inputs, edits, path, endStatus };
}

/** Where the replayed ticket got to. */
export type BacktestOutcome =
  | { kind: 'ended'; status: EndStatus }
  /** It stopped at a node that needs an answer the ticket never recorded. */
  | { kind: 'waiting'; nodeId: string; reason: string }
  | { kind: 'parked'; nodeId: string | null; reason: string };

export type BacktestRun = {
  path: string[];
  outcome: BacktestOutcome;
  /** Engine transitions replayed. */
  moves: number;
};

/** Moves replayed per ticket at most: past it the ticket is parked (a loop fed by waits that always fire). */
const MAX_MOVES = 200;

/**
 * Replays one past ticket on `document`: starts it from the ticket it came in as, then at every node
 * that waits, gives the next input the ticket recorded there (a timer the document no longer has is
 * skipped; an outcome or form it refuses stops the ticket there), lets duration waits fire, and stops
 * where no recorded input is left.
 */
export function backtestTicket(document: FlowDocument, past: PastTicket): BacktestRun {
  const path: string[] = [];
  const queues = new Map<string, RecordedInput[]>();
  for (const input of past.inputs) {
    const queue = queues.get(input.nodeId);
    if (queue) queue.push(input);
    else queues.set(input.nodeId, [input]);
  }
  const taken = new Map<string, number>();
  const next = (nodeId: string): RecordedInput | undefined => {
    const i = taken.get(nodeId) ?? 0;
    const input = queues.get(nodeId)?.[i];
    if (input) taken.set(nodeId, i + 1);
    return input;
  };
  let now = past.startedAt;
  let state: RunState = initialState(past.ticket);
  const edits = past.edits ?? [];
  let edited = 0;
  let moves = 0;
  let parkedBecause = 'The flow stopped the ticket.';
  const step = (event: EngineEvent): { ok: true } | { ok: false; message: string } => {
    moves++;
    const result = transition(document, state, event, { now });
    if (!result.ok) return { ok: false, message: result.error.message };
    state = result.state;
    for (const entry of result.events) {
      if (entry.type === 'node_entered') path.push(entry.nodeId);
      else if (entry.type === 'parked') parkedBecause = entry.reason;
    }
    return { ok: true };
  };
  const done = (outcome: BacktestOutcome): BacktestRun => ({ path, outcome, moves });
  const started = step({ type: 'start' });
  if (!started.ok) return done({ kind: 'parked', nodeId: null, reason: started.message });
  while (moves < MAX_MOVES) {
    const nodeId = state.nodeId;
    if (state.status === 'ended') return done({ kind: 'ended', status: state.endStatus ?? 'resolved' });
    if (state.status === 'parked' || nodeId === null)
      return done({ kind: 'parked', nodeId, reason: parkedBecause });
    const recorded = next(nodeId);
    if (recorded === undefined) {
      const node = indexFlow(document).nodes.get(nodeId);
      if (state.status === 'waiting' && node?.type === 'wait' && node.data.mode === 'duration') {
        const fired = step({ type: 'timer_fired', kind: 'wait', nodeId });
        if (!fired.ok) return done({ kind: 'waiting', nodeId, reason: fired.message });
        continue;
      }
      return done({ kind: 'waiting', nodeId, reason: waitingReason(state) });
    }
    now = Math.max(now, recorded.at);
    // The hand edits made before this input, as the ticket had them when it was given.
    while (edits[edited] !== undefined && (edits[edited]?.at ?? Infinity) <= recorded.at) {
      const edit = edits[edited++];
      if (edit) state = { ...state, ticket: applyTicketEdit(state.ticket, edit.set) };
    }
    const event =
      recorded.event.type === 'complete_step' || recorded.event.type === 'timer_fired'
        ? { ...recorded.event, nodeId }
        : recorded.event;
    const moved = step(event);
    // A recorded timer the document does not have here (no SLA, another wait) changes nothing: skip it.
    if (!moved.ok && event.type !== 'timer_fired')
      return done({ kind: 'waiting', nodeId, reason: moved.message });
  }
  return done({
    kind: 'parked',
    nodeId: state.nodeId,
    reason: `Replayed ${MAX_MOVES} moves without reaching an end: the flow loops.`,
  });
}

function waitingReason(state: RunState): string {
  if (state.status === 'at_step') return 'The ticket never recorded an outcome for this step.';
  if (state.status === 'in_subflow') return 'The ticket never recorded the end of this subflow.';
  return "The ticket never recorded the customer's reply here.";
}

/** How a past ticket ended, and how it ends on the document: `resolved`, …, `waiting`, `parked`, `open`. */
export type EndingKey = EndStatus | 'waiting' | 'parked' | 'open';

/** A ticket of the sample list: one whose path or ending changed. */
export type BacktestSample = {
  ticketId: string;
  /** The last node both paths shared before they parted (null: they differ from the first node). */
  divergedAfter: string | null;
  before: EndingKey;
  after: EndingKey;
  /** Where it would wait, when it would. */
  waitingAt: string | null;
};

/**
 * What a backtest found, additive over batches of tickets (see `mergeBacktest`). Counts by node id are
 * plain objects so the summary travels as JSON.
 */
export type BacktestSummary = {
  tickets: number;
  /** Tickets whose path differs from the one they took. */
  differentPath: number;
  /** Tickets that reach an end with another status (or park) than the one they had. */
  endsDifferently: number;
  /** Tickets that stop at a node for an answer they never recorded. */
  waiting: number;
  parked: number;
  /** Engine moves replayed (for the benchmark's rate). */
  moves: number;
  /** Per node: tickets whose paths parted right after it (the decision or step that sent them elsewhere). */
  divergedAfter: Record<string, number>;
  /** Per node: tickets that would wait there. */
  waitingAt: Record<string, number>;
  /** Per node: tickets that entered it, on their recorded path and on the document. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** Endings, `before→after` (e.g. `resolved→waiting`), with counts. */
  endings: Record<string, number>;
  /** Up to `SAMPLE_SIZE` tickets that changed, in the order the tickets were given. */
  samples: BacktestSample[];
};

export const SAMPLE_SIZE = 50;

/** Marks `ids` once each in `into`. */
function countOnce(into: Record<string, number>, ids: readonly string[]): void {
  for (const id of new Set(ids)) into[id] = (into[id] ?? 0) + 1;
}

function add(into: Record<string, number>, key: string, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

export function emptyBacktest(): BacktestSummary {
  return {
    tickets: 0,
    differentPath: 0,
    endsDifferently: 0,
    waiting: 0,
    parked: 0,
    moves: 0,
    divergedAfter: {},
    waitingAt: {},
    before: {},
    after: {},
    endings: {},
    samples: [],
  };
}

/** Where two paths part: the index of the first node they do not share, or null when they are equal. */
function partingIndex(a: readonly string[], b: readonly string[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

/** Replays every past ticket on `document` and sums up what changed. */
export function backtest(document: FlowDocument, tickets: readonly PastTicket[]): BacktestSummary {
  const summary = emptyBacktest();
  for (const past of tickets) {
    const run = backtestTicket(document, past);
    summary.tickets++;
    summary.moves += run.moves;
    countOnce(summary.before, past.path);
    countOnce(summary.after, run.path);
    const before: EndingKey = past.endStatus ?? 'open';
    const after: EndingKey = run.outcome.kind === 'ended' ? run.outcome.status : run.outcome.kind;
    add(summary.endings, `${before}→${after}`);
    let parting = partingIndex(past.path, run.path);
    // A ticket that stops early on a path it shared so far took no other way: it waits.
    if (parting !== null && run.outcome.kind === 'waiting' && parting === run.path.length) parting = null;
    if (parting !== null) {
      summary.differentPath++;
      add(summary.divergedAfter, parting === 0 ? '' : (run.path[parting - 1] ?? ''));
    }
    const waitingAt = run.outcome.kind === 'waiting' ? run.outcome.nodeId : null;
    if (waitingAt !== null) {
      summary.waiting++;
      add(summary.waitingAt, waitingAt);
    }
    if (run.outcome.kind === 'parked') summary.parked++;
    const endsDifferently = run.outcome.kind !== 'waiting' && after !== before;
    if (endsDifferently) summary.endsDifferently++;
    if ((parting !== null || endsDifferently || waitingAt !== null) && summary.samples.length < SAMPLE_SIZE)
      summary.samples.push({
        ticketId: past.id,
        divergedAfter: parting === null || parting === 0 ? null : (run.path[parting - 1] ?? null),
        before,
        after,
        waitingAt,
      });
  }
  return summary;
}

function mergeCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [key, n] of Object.entries(b)) add(out, key, n);
  return out;
}

/** The summary of two batches together (the samples of `a` first, up to `SAMPLE_SIZE`). */
export function mergeBacktest(a: BacktestSummary, b: BacktestSummary): BacktestSummary {
  return {
    tickets: a.tickets + b.tickets,
    differentPath: a.differentPath + b.differentPath,
    endsDifferently: a.endsDifferently + b.endsDifferently,
    waiting: a.waiting + b.waiting,
    parked: a.parked + b.parked,
    moves: a.moves + b.moves,
    divergedAfter: mergeCounts(a.divergedAfter, b.divergedAfter),
    waitingAt: mergeCounts(a.waitingAt, b.waitingAt),
    before: mergeCounts(a.before, b.before),
    after: mergeCounts(a.after, b.after),
    endings: mergeCounts(a.endings, b.endings),
    samples: [...a.samples, ...b.samples].slice(0, SAMPLE_SIZE),
  };
}
