import { describeNode } from './describeNode.ts';
import { indexFlow } from './indexFlow.ts';
import { kindOf, NODE_TYPES, nodeKinds } from './nodes/registry.ts';
import type { FlowDocument, FlowNode } from './schema.ts';
import { enterNode } from './transition.ts';
import type { Effect, EngineContext, RunState, TrailEntry } from './types.ts';

/** Why a ticket cannot be migrated. */
export type MigrationRefusal =
  | 'TICKET_CLOSED'
  | 'NOT_STARTED'
  | 'UNKNOWN_NODE'
  | 'NOT_MAPPED'
  | 'UNKNOWN_TARGET'
  | 'TARGET_NOT_WAITING'
  | 'SUBFLOW_RUNNING'
  | 'TARGET_INCOMPLETE'
  | 'BROKEN_STATE';

/** What changes for the ticket when it moves, for the per-ticket preview. */
export type MigrationChanges = {
  team?: { from: string | null; to: string | null };
  sla?: { fromMinutes: number | null; toMinutes: number | null };
};

/** Where one ticket lands, with the effects for the runtime — or why it cannot move. */
export type MigrationPlan =
  | {
      ok: true;
      state: RunState;
      effects: Effect[];
      changes: MigrationChanges;
      /** When the SLA of the node landed on passes (ms since epoch); null when it has none. */
      slaDueAt: number | null;
    }
  | {
      ok: false;
      code: MigrationRefusal;
      reason: string;
      /** What an internal failure threw (see `EngineError.cause`); absent on ordinary refusals. */
      cause?: unknown;
    };

function refuse(code: MigrationRefusal, reason: string): MigrationPlan {
  return { ok: false, code, reason };
}

/** The kinds a ticket can sit at, in words: `a step, a wait or a subflow`. */
function landingKinds(): string {
  const words = NODE_TYPES.filter((type) => nodeKinds[type].waitsAs !== undefined).map(
    (type) => `a ${nodeKinds[type].words.label.toLowerCase()}`,
  );
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? 'no node');
}

function slaOf(node: FlowNode): number | null {
  return kindOf(node).slaMinutes?.(node) ?? null;
}

/**
 * The clock of a migration: `now`, and when the ticket entered the node it sits at (`enteredAt`, ms
 * since epoch; defaults to `now` when unknown). A migration moves the ticket, it does not restart its work.
 */
export type MigrationContext = EngineContext & { enteredAt?: number | undefined };

function plan(
  from: FlowDocument,
  to: FlowDocument,
  mapping: Readonly<Record<string, string | null>>,
  state: RunState,
  ctx: MigrationContext,
): MigrationPlan {
  if (state.status === 'ended' || state.status === 'parked') {
    return refuse(
      'TICKET_CLOSED',
      state.status === 'ended'
        ? 'The ticket has ended: only live tickets move to another version.'
        : 'The ticket is parked by an error: move it on by hand on its own version first.',
    );
  }
  if (state.status === 'new' || state.nodeId === null) {
    return refuse(
      'NOT_STARTED',
      'The ticket has not entered its flow yet: it will start on the active version.',
    );
  }
  const source = indexFlow(from).nodes.get(state.nodeId);
  if (source === undefined) {
    return refuse(
      'UNKNOWN_NODE',
      `The ticket is at "${state.nodeId}", which is not a node of the version it runs on.`,
    );
  }
  const sourceStatus = kindOf(source).waitsAs;
  if (sourceStatus === undefined || sourceStatus !== state.status) {
    return refuse(
      'BROKEN_STATE',
      `The ticket's state (${state.status}) does not match ${describeNode(source)}.`,
    );
  }
  const targetId = Object.hasOwn(mapping, source.id) ? mapping[source.id] : undefined;
  if (targetId === undefined || targetId === null) {
    return refuse(
      'NOT_MAPPED',
      `${describeNode(source)} has no counterpart in the new version: pick one in the mapping, or leave these tickets on their version.`,
    );
  }
  const target = indexFlow(to).nodes.get(targetId);
  if (target === undefined) {
    return refuse(
      'UNKNOWN_TARGET',
      `The mapping sends ${describeNode(source)} to "${targetId}", which is not a node of the new version.`,
    );
  }
  if (kindOf(target).waitsAs === undefined) {
    return refuse(
      'TARGET_NOT_WAITING',
      `The mapping sends ${describeNode(source)} to ${describeNode(target)}: a ticket can only land on ${landingKinds()}.`,
    );
  }
  if (!Number.isFinite(ctx.now)) return refuse('BROKEN_STATE', 'The migration needs the current time.');
  const enteredAt =
    ctx.enteredAt !== undefined && Number.isFinite(ctx.enteredAt)
      ? Math.min(ctx.enteredAt, ctx.now)
      : ctx.now;

  // The child flow keeps running; only a subflow node running that same flow can wait for it.
  const childRuns = source.type === 'subflow';
  if (childRuns && (target.type !== 'subflow' || target.data.flowId !== source.data.flowId)) {
    return refuse(
      'SUBFLOW_RUNNING',
      `The ticket is running the subflow of ${describeNode(source)}: it can only land on a subflow node that runs the same flow.`,
    );
  }

  // The ticket lands as the engine would enter the node, except that its time there keeps counting
  // from when it entered the node it leaves.
  const next: RunState = { ...state, breached: false, endStatus: null };
  const entered: Effect[] = [];
  const landed = enterNode(target, next, { now: ctx.now, enteredAt }, entered, [] as TrailEntry[]);
  if ('incomplete' in landed) return refuse('TARGET_INCOMPLETE', `${landed.incomplete.problem}.`);
  if ('follow' in landed) {
    return refuse('BROKEN_STATE', `${describeNode(target)} does not keep a ticket waiting.`);
  }
  const effects: Effect[] = [{ type: 'cancel_timers' }];
  for (const effect of entered) {
    // The child flow is already running: only the wait for it moves.
    if (childRuns && effect.type === 'start_subflow') continue;
    effects.push(effect);
  }
  let slaDueAt: number | null = null;
  for (const effect of entered)
    if (effect.type === 'schedule_timer' && effect.kind === 'sla') slaDueAt = effect.dueAt;

  const changes: MigrationChanges = {};
  if (next.teamId !== state.teamId) changes.team = { from: state.teamId, to: next.teamId };
  const fromMinutes = slaOf(source);
  const toMinutes = slaOf(target);
  if (fromMinutes !== toMinutes) changes.sla = { fromMinutes, toMinutes };
  return { ok: true, state: next, effects, changes, slaDueAt };
}

/**
 * Plans the move of one live ticket from the version it runs on (`from`) to another (`to`), by a node
 * mapping (see `proposeMapping`): where it lands, the state it has there, what changes for it (team,
 * SLA) and the effects for the runtime — `cancel_timers`, then the timers of the new node and, landing
 * on a subflow, its start. A step's SLA counts from when the ticket entered the node it sits at
 * (`ctx.enteredAt`: the migration keeps the SLA clock, so the due time may already be past), a wait's
 * duration or reply timeout from `ctx.now`.
 * It lands only on a step, a wait or a subflow; ended and parked tickets, tickets at unmapped nodes
 * and tickets running a subflow (unless mapped to a subflow running the same flow) are refused with
 * a reason. Pure: nothing is performed, `state` is not modified, and it never throws.
 */
export function planMigration(
  from: FlowDocument,
  to: FlowDocument,
  mapping: Readonly<Record<string, string | null>>,
  state: RunState,
  ctx: MigrationContext,
): MigrationPlan {
  try {
    return plan(from, to, mapping, state, ctx);
  } catch (cause) {
    return {
      ok: false,
      code: 'BROKEN_STATE',
      reason: 'The flow versions or the ticket state are malformed: the ticket was not moved.',
      cause,
    };
  }
}
