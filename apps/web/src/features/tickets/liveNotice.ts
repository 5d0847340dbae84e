import type { FlowNode } from '@stepwise/flow';
import { nodeTitle } from '../../canvas/describe.ts';
import type { TicketDetail } from '../../trpc.ts';

type Lookup = (nodeId: string | null) => FlowNode | undefined;

function title(lookup: Lookup, nodeId: string | null): string {
  const node = lookup(nodeId);
  return node ? nodeTitle(node) : 'a step';
}

/** The actor's name, or the word for an automatic change. */
const who = (name: string | null) => name ?? 'Stepwise';

/** What this agent caused themself, so it is not announced to them as news. */
export type Ownership = {
  /** Their name: events and replies by it are theirs (also when the answer to their action is late). */
  selfName: string | null;
  /** Events up to this sequence number came from their own actions (or the conflict notice explains them). */
  ownUpTo: number;
  /** Messages they added. */
  ownMessages: ReadonlySet<string>;
};

const NOBODY: Ownership = { selfName: null, ownUpTo: -1, ownMessages: new Set() };

/**
 * What changed between two readings of a ticket that someone else (another agent, the customer, a
 * timer) caused, as one sentence for the "Updated — …" notice; null when nothing worth saying did.
 * The most telling change wins: a completed step, then any other event, then a new message.
 */
export function describeUpdate(
  before: TicketDetail,
  after: TicketDetail,
  own: Ownership = NOBODY,
): string | null {
  if (before.ticket.id !== after.ticket.id) return null;
  const nodes = new Map(
    [...(before.version?.document.nodes ?? []), ...(after.version?.document.nodes ?? [])].map((n) => [
      n.id,
      n,
    ]),
  );
  const lookup: Lookup = (id) => (id === null ? undefined : nodes.get(id));
  const fresh = after.events
    .filter(
      (e) =>
        e.seq > before.ticket.seq &&
        e.seq > own.ownUpTo &&
        (own.selfName === null || e.actorName !== own.selfName),
    )
    .sort((a, b) => a.seq - b.seq);

  const completed = fresh.filter((e) => e.type === 'step.completed').at(-1);
  if (completed)
    return `Updated — ${who(completed.actorName)} completed ${title(lookup, completed.fromNode)}`;

  const latest = fresh.at(-1);
  if (latest) {
    switch (latest.type) {
      case 'timer.fired':
        return latest.data.trail.some((t) => t.type === 'sla_breached')
          ? `Updated — the SLA of ${title(lookup, latest.fromNode)} was breached`
          : `Updated — a timer fired at ${title(lookup, latest.fromNode)}`;
      case 'customer.replied':
        return 'Updated — the customer replied';
      case 'ticket.assigned':
        return after.ticket.assigneeName
          ? `Updated — assigned to ${after.ticket.assigneeName}`
          : `Updated — ${who(latest.actorName)} released the ticket`;
      case 'feedback.received':
        return 'Updated — the customer left feedback';
      case 'ticket.migrated':
        return 'Updated — moved to a newer version of the flow';
      case 'note.added':
        return `Updated — ${who(latest.actorName)} added an internal note`;
      case 'ticket.edited':
        return `Updated — ${who(latest.actorName)} edited the ticket`;
      case 'ticket.reassigned':
        return `Updated — ${who(latest.actorName)} reassigned the ticket to ${after.ticket.assigneeName ?? after.ticket.teamName ?? 'nobody'}`;
      default:
        return `Updated by ${who(latest.actorName)}`;
    }
  }

  const seen = new Set(before.messages.map((m) => m.id));
  const message = after.messages
    .filter(
      (m) =>
        !seen.has(m.id) &&
        !own.ownMessages.has(m.id) &&
        m.authorKind !== 'system' &&
        !(m.authorKind === 'agent' && m.authorName === own.selfName),
    )
    .at(-1);
  if (message) {
    const name =
      message.authorName ?? (message.authorKind === 'customer' ? after.ticket.customer.name : 'an agent');
    return `Updated — new message from ${name}`;
  }
  return null;
}

/**
 * The sequence number at which the ticket entered the node it is at now, so that the step card keeps
 * what the agent typed through updates that leave the ticket where it is (a message, an assignment, an
 * SLA escalation that only raised the priority) and starts empty when it reaches a step anew. A step
 * completed back into the same step (a "try again" outcome) is a new entry.
 */
export function entrySeq(detail: TicketDetail): number {
  const nodeId = detail.ticket.nodeId;
  let seq = 0;
  for (const e of detail.events) {
    const entered = e.toNode === nodeId && (e.fromNode !== e.toNode || e.type === 'step.completed');
    if (entered && e.seq > seq) seq = e.seq;
  }
  return seq;
}
