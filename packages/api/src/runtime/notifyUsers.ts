import type { TrailEntry } from '@stepwise/flow';
import type { OutboxEffect } from './planEffects.ts';

/**
 * The in-app notifications a move causes, as outbox effects written with it (so they exist exactly when
 * the move does): the new assignee hears of a ticket given to them by someone else or by the flow (not of
 * one they took), and the assignee of a ticket whose SLA the move breached hears of the breach.
 */
export function notificationsOfMove(move: {
  assigneeBefore: string | null;
  assigneeAfter: string | null;
  trail: readonly TrailEntry[];
  actorId: string | null;
}): OutboxEffect[] {
  const effects: OutboxEffect[] = [];
  const { assigneeBefore, assigneeAfter, actorId } = move;
  if (assigneeAfter !== null && assigneeAfter !== assigneeBefore && assigneeAfter !== actorId)
    effects.push({ type: 'notify_user', kind: 'assigned', userId: assigneeAfter });
  // The breach is news to whoever had the ticket when it happened (an escalation that hands it on tells
  // the next agent by the assignment).
  if (assigneeBefore !== null && move.trail.some((entry) => entry.type === 'sla_breached'))
    effects.push({ type: 'notify_user', kind: 'breached', userId: assigneeBefore });
  return effects;
}
