import type { StoredEvent } from '../storedEvent.ts';

/**
 * How a ticket left a node:
 * - `outcome` an agent completed the step with an outcome (`handle` = `outcome:<id>`);
 * - `branch` a decision chose a branch (`handle` = the branch's output handle);
 * - `timer` a wait or timeout timer fired; `sla_breach` the step's SLA passed and its breach path took it;
 * - `reply` the customer replied to a waiting ticket; `subflow` the subflow it waited on ended;
 * - `action` an action ran; `auto` a node that passes straight on (intake, routing, …);
 * - `end` the run ended at this end node (`handle` = the end status);
 * - `migration` the ticket was moved to another version while here.
 */
export type VisitExit =
  | 'outcome'
  | 'branch'
  | 'timer'
  | 'sla_breach'
  | 'reply'
  | 'subflow'
  | 'action'
  | 'auto'
  | 'end'
  | 'migration';

/**
 * One stay of a ticket at a node, recorded when it ends. Keyed by the move that ended it (`seq`) and
 * its place among the visits that move ended (`ordinal`), so recomputing it from the event log writes
 * the same row.
 */
export type Visit = {
  seq: number;
  ordinal: number;
  versionId: string;
  nodeId: string;
  /** ISO times: a node passed through in one move has `enteredAt` = `leftAt`. */
  enteredAt: string;
  leftAt: string;
  exit: VisitExit;
  handle: string | null;
  /** The node entered next (null when the run ended here or the ticket was migrated). */
  nextNodeId: string | null;
  /** Who completed the step (an `outcome` exit made by a person). */
  agentId: string | null;
  /** The node's SLA passed while the ticket was here. */
  breached: boolean;
};

/** The stay in progress: the node the ticket sits at in an open run, since when, on which version. */
export type OpenVisit = {
  versionId: string;
  nodeId: string;
  enteredAt: string;
  breached: boolean;
};

export type VisitMove = {
  /** The sequence number the move gives the ticket. */
  seq: number;
  /** ISO time of the move. */
  at: string;
  /** The person who made it (null: the runtime, a timer, an API token). */
  actorId: string | null;
  /** The version the ticket runs on after the move (null: not in a flow). */
  versionId: string | null;
  data: StoredEvent;
};

export type VisitsOfMove = {
  /** The visits this move ended, in order. */
  closed: Visit[];
  /** The visit in progress after the move (null when the run ended, parked nowhere, or none began). */
  open: OpenVisit | null;
  /** The move is a person's completion of a step: the ticket's first response, if it had none. */
  response: boolean;
};

/** A trail entry names how the ticket is leaving the node it is at. */
function exitOf(
  entry: StoredEvent['trail'][number],
  actorId: string | null,
): Pick<Visit, 'exit' | 'handle' | 'agentId'> | null {
  switch (entry.type) {
    case 'step_completed':
      return { exit: 'outcome', handle: `outcome:${entry.outcomeId}`, agentId: actorId };
    case 'decision_evaluated':
      return { exit: 'branch', handle: entry.handle, agentId: null };
    case 'timer_fired':
      return { exit: entry.kind === 'sla' ? 'sla_breach' : 'timer', handle: null, agentId: null };
    case 'customer_replied':
      return { exit: 'reply', handle: null, agentId: null };
    case 'action_performed':
      return { exit: 'action', handle: null, agentId: null };
    default:
      return null;
  }
}

/**
 * The visits one move ends and the one it leaves open — a pure function of the visit in progress and
 * the move's stored event, so the move's own statement and a rebuild from the event log write the same
 * rows. A node passed through within the move (a decision, an action, intake) is a visit of zero length;
 * the node the trail ends at stays open (a step, a wait, a subflow, a parked stop).
 */
export function visitsOfMove(open: OpenVisit | null, move: VisitMove): VisitsOfMove {
  const { data, at, seq } = move;
  const closed: Visit[] = [];
  let current = open;
  let leaving: Pick<Visit, 'exit' | 'handle' | 'agentId'> | null = null;
  let breached = open?.breached ?? false;
  const close = (
    visit: OpenVisit,
    how: Pick<Visit, 'exit' | 'handle' | 'agentId'>,
    nextNodeId: string | null,
  ) => {
    closed.push({
      seq,
      ordinal: closed.length,
      versionId: visit.versionId,
      nodeId: visit.nodeId,
      enteredAt: visit.enteredAt,
      leftAt: at,
      exit: how.exit,
      handle: how.handle,
      nextNodeId,
      agentId: how.agentId,
      breached,
    });
  };

  if (data.input.type === 'migrate' && 'toVersion' in data) {
    if (current) close(current, { exit: 'migration', handle: null, agentId: null }, null);
    const { state } = data.input;
    const node = state.nodeId;
    const runs = state.status !== 'ended' && node !== null;
    return {
      closed,
      open: runs
        ? { versionId: data.toVersion, nodeId: node, enteredAt: at, breached: state.breached }
        : null,
      response: false,
    };
  }
  // A new run (created, or started by hand) begins with nothing open.
  if (data.input.type === 'created' || data.input.type === 'start') current = null;

  const versionId = move.versionId;
  for (const entry of data.trail) {
    if (entry.type === 'sla_breached') {
      breached = true;
      if (entry.escalatedBy === 'edge') leaving = { exit: 'sla_breach', handle: null, agentId: null };
      continue;
    }
    if (entry.type === 'node_entered') {
      if (current)
        close(current, leaving ?? { exit: fallbackExit(data), handle: null, agentId: null }, entry.nodeId);
      if (versionId === null) {
        current = null;
        continue;
      }
      current = { versionId, nodeId: entry.nodeId, enteredAt: at, breached: false };
      breached = false;
      leaving = null;
      continue;
    }
    if (entry.type === 'ended') {
      if (current) close(current, { exit: 'end', handle: entry.status, agentId: null }, null);
      current = null;
      leaving = null;
      continue;
    }
    const how = exitOf(entry, move.actorId);
    if (how) leaving = how;
  }
  return {
    closed,
    open: current ? { ...current, breached } : null,
    response: data.input.type === 'complete_step' && move.actorId !== null,
  };
}

/** How a node is left when its trail says nothing more specific. */
function fallbackExit(data: StoredEvent): VisitExit {
  return data.input.type === 'subflow_completed' ? 'subflow' : 'auto';
}
