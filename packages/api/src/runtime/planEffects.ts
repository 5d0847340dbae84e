import { randomUUID } from 'node:crypto';
import type { Effect, RunState } from '@stepwise/flow';
import { isUuid, type Query } from './sql.ts';

/**
 * Work a move leaves for after its commit: recorded in the outbox (`runtime_jobs.effects`) by the
 * move's own statement, so it exists exactly when the move does, and performed once by the runtime
 * loop (`runDueEffects`). `resume_parent` is added by the statement itself when a move ends a subflow's
 * run (the parent is read there, from the ticket row).
 */
export type OutboxEffect =
  /** Queue a delivery of the flow's webhook to the registered endpoint with this URL. */
  | { type: 'call_webhook'; url: string; nodeId: string }
  /** Post a notify node's message to the organization's channel with this name or id. */
  | { type: 'notify_channel'; nodeId: string; channel: string; template: string }
  /** Start the child ticket of a subflow node on the target flow. */
  | { type: 'start_subflow'; flowId: string; nodeId: string }
  /** Send the customer a one-time feedback link. */
  | { type: 'request_feedback' }
  /** Resume the parent ticket at the subflow entry that started this run. */
  | { type: 'resume_parent'; ticketId: string; seq: number }
  /** Tell a user in the app (`notifications`) that a ticket was assigned to them or breached its SLA. */
  | { type: 'notify_user'; kind: 'assigned' | 'breached'; userId: string };

/** What the runtime writes for a transition's effects, in the same statement as the move. */
export type PlannedEffects = {
  /** The state to store: the engine's, plus the agent the runtime picked. */
  state: RunState;
  timers: Array<{ kind: 'sla' | 'wait' | 'timeout'; nodeId: string; dueAt: string }>;
  messages: Array<{ id: string; body: string }>;
  cancelTimers: boolean;
  touchMember: { teamId: string; userId: string } | null;
  /** The picked agent (recorded with the event, so that replay reproduces the assignee). */
  picked: { userId: string; name: string } | null;
  /** The engine's effects that run after the commit, in the order it gave them (for the outbox). */
  afterCommit: OutboxEffect[];
};

/**
 * An agent of a team for `assign_agent`: round-robin takes the enabled member assigned least recently;
 * least-loaded the one with the fewest open tickets (ties: least recently assigned). Null when the team
 * has no enabled member.
 */
export async function pickAgent(
  query: Query,
  orgId: string,
  teamId: string,
  strategy: 'round_robin' | 'least_loaded',
): Promise<{ userId: string; name: string } | null> {
  if (!isUuid(teamId)) return null;
  const load =
    strategy === 'least_loaded'
      ? `(SELECT count(*) FROM tickets t WHERE t.org_id = m.org_id AND t.assignee_id = m.user_id
           AND t.status NOT IN ('ended', 'unrouted')) ASC, `
      : '';
  const rows = await query<{ user_id: string; name: string }>(
    `SELECT m.user_id, u.name
       FROM team_members m
       JOIN users u ON u.id = m.user_id
       JOIN memberships ms ON ms.org_id = m.org_id AND ms.user_id = m.user_id AND ms.disabled_at IS NULL
      WHERE m.team_id = $1::uuid AND m.org_id = $2::uuid
      ORDER BY ${load}m.last_assigned_at ASC NULLS FIRST, m.user_id
      LIMIT 1`,
    [teamId, orgId],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, name: row.name } : null;
}

/**
 * Turns effects into rows to write. Only `assign_agent` needs a read first (who is on the team, how
 * loaded): that is the one case where a move pays an extra round trip. Effects already reflected in
 * the state (`set_fields`, `assign_team`) need nothing more; `call_webhook`, `notify_channel`,
 * `start_subflow` and `request_feedback` go to the outbox, written with the move. Every effect type is handled here: a new
 * one does not compile until it is.
 */
export async function planEffects(
  query: Query,
  orgId: string,
  state: RunState,
  effects: readonly Effect[],
): Promise<PlannedEffects> {
  const timers: PlannedEffects['timers'] = [];
  const messages: PlannedEffects['messages'] = [];
  let cancelTimers = false;
  const afterCommit: OutboxEffect[] = [];
  let assign: Extract<Effect, { type: 'assign_agent' }> | null = null;
  for (const effect of effects) {
    switch (effect.type) {
      case 'schedule_timer':
        timers.push({
          kind: effect.kind,
          nodeId: effect.nodeId,
          dueAt: new Date(effect.dueAt).toISOString(),
        });
        break;
      case 'send_message':
        messages.push({ id: '', body: effect.body });
        break;
      case 'cancel_timers':
        cancelTimers = true;
        break;
      case 'assign_agent':
        assign = effect;
        break;
      case 'set_fields':
      case 'assign_team':
        // Already in the state the engine returned.
        break;
      case 'call_webhook':
        afterCommit.push({ type: 'call_webhook', url: effect.url, nodeId: effect.nodeId });
        break;
      case 'notify_channel':
        afterCommit.push({
          type: 'notify_channel',
          nodeId: effect.nodeId,
          channel: effect.channel,
          template: effect.template,
        });
        break;
      case 'start_subflow':
        afterCommit.push({ type: 'start_subflow', flowId: effect.flowId, nodeId: effect.nodeId });
        break;
      case 'request_feedback':
        afterCommit.push({ type: 'request_feedback' });
        break;
      default: {
        const unhandled: never = effect;
        throw new Error(`Unknown effect ${JSON.stringify(unhandled)}`);
      }
    }
  }
  // Only the last assignment counts, and only if the ticket is still with that team and unassigned.
  let picked: PlannedEffects['picked'] = null;
  let next = state;
  if (assign && state.teamId === assign.teamId && state.assigneeId === null) {
    picked = await pickAgent(query, orgId, assign.teamId, assign.strategy);
    if (picked) next = { ...state, assigneeId: picked.userId };
  }
  // Messages of one move share its timestamp, and conversations are ordered by (time, id): hand out
  // ids in ascending order so the conversation keeps the order the flow sent them in.
  const ids = messages.map(() => randomUUID()).sort();
  messages.forEach((m, i) => {
    m.id = ids[i] ?? randomUUID();
  });
  // A timer row per (entry, kind): if a node scheduled the same kind twice, the later one stands.
  const byKind = new Map<string, PlannedEffects['timers'][number]>();
  for (const timer of timers) byKind.set(timer.kind, timer);
  return {
    state: next,
    timers: [...byKind.values()],
    messages,
    cancelTimers,
    touchMember: picked && assign ? { teamId: assign.teamId, userId: picked.userId } : null,
    picked,
    afterCommit,
  };
}
