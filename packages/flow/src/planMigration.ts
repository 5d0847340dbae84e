import { describeNode } from './describeNode.ts';
import { indexFlow } from './indexFlow.ts';
import { WAITING_TYPES } from './proposeMapping.ts';
import { type FlowDocument, type FlowNode, namedTeamOf } from './schema.ts';
import type { Effect, EngineContext, RunState, RunStatus } from './types.ts';

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
  | { ok: false; code: MigrationRefusal; reason: string };

const MINUTE = 60_000;

const STATUS_AT: Partial<Record<FlowNode['type'], RunStatus>> = {
  step: 'at_step',
  wait: 'waiting',
  subflow: 'in_subflow',
};

function refuse(code: MigrationRefusal, reason: string): MigrationPlan {
  return { ok: false, code, reason };
}

function slaOf(node: FlowNode): number | null {
  return node.type === 'step' ? node.data.slaMinutes : null;
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
  if (!WAITING_TYPES.has(source.type) || STATUS_AT[source.type] !== state.status) {
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
  const status = STATUS_AT[target.type];
  if (status === undefined) {
    return refuse(
      'TARGET_NOT_WAITING',
      `The mapping sends ${describeNode(source)} to ${describeNode(target)}: a ticket can only land on a step, a wait or a subflow.`,
    );
  }
  if (!Number.isFinite(ctx.now)) return refuse('BROKEN_STATE', 'The migration needs the current time.');
  const enteredAt =
    ctx.enteredAt !== undefined && Number.isFinite(ctx.enteredAt)
      ? Math.min(ctx.enteredAt, ctx.now)
      : ctx.now;

  const effects: Effect[] = [{ type: 'cancel_timers' }];
  if (source.type === 'subflow') {
    // The child flow keeps running; only a subflow node running that same flow can wait for it.
    if (target.type !== 'subflow' || target.data.flowId !== source.data.flowId) {
      return refuse(
        'SUBFLOW_RUNNING',
        `The ticket is running the subflow of ${describeNode(source)}: it can only land on a subflow node that runs the same flow.`,
      );
    }
  } else if (target.type === 'subflow') {
    if (target.data.flowId === null || target.data.flowId === '') {
      return refuse('TARGET_INCOMPLETE', `${describeNode(target)} has no flow to run.`);
    }
    effects.push({ type: 'start_subflow', flowId: target.data.flowId, nodeId: target.id });
  }

  const next: RunState = { ...state, status, nodeId: target.id, breached: false, endStatus: null };
  let slaDueAt: number | null = null;
  if (target.type === 'step') {
    const teamId = namedTeamOf(target);
    if (teamId !== null && teamId !== state.teamId) {
      next.teamId = teamId;
      // The assignee belonged to the previous team's work (as when a ticket enters a step).
      next.assigneeId = null;
    }
    if (target.data.slaMinutes !== null) {
      // The SLA counts from when the ticket entered its step, not from the migration.
      slaDueAt = enteredAt + target.data.slaMinutes * MINUTE;
      effects.push({ type: 'schedule_timer', kind: 'sla', nodeId: target.id, dueAt: slaDueAt });
    }
  } else if (target.type === 'wait') {
    const minutes = target.data.minutes;
    if (target.data.mode === 'duration') {
      if (minutes === null)
        return refuse(
          'TARGET_INCOMPLETE',
          `${describeNode(target)} waits for a duration but has no minutes.`,
        );
      effects.push({
        type: 'schedule_timer',
        kind: 'wait',
        nodeId: target.id,
        dueAt: ctx.now + minutes * MINUTE,
      });
    } else if (minutes !== null) {
      effects.push({
        type: 'schedule_timer',
        kind: 'timeout',
        nodeId: target.id,
        dueAt: ctx.now + minutes * MINUTE,
      });
    }
  }

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
  } catch {
    return refuse(
      'BROKEN_STATE',
      'The flow versions or the ticket state are malformed: the ticket was not moved.',
    );
  }
}
