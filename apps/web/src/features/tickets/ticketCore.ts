import type { AppRouter } from '@stepwise/api';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { TicketDetail } from '../../trpc.ts';

type Api = TRPCOptionsProxy<AppRouter>;

/**
 * A whole ticket as the runtime reads it (a CONFLICT's fresh state, a new ticket): everything the ticket
 * page shows except what `tickets.get` adds (CSAT, parent and child runs, the feedback link).
 */
export type TicketCore = inferOutput<Api['tickets']['create']>;

/**
 * What `tickets.complete` answers: only what the move changed — the ticket, its step and what comes
 * next, the move's own event and messages, the nodes it entered.
 */
export type StepCompletion = inferOutput<Api['tickets']['complete']>;

/**
 * The ticket page's data with a whole ticket laid over it: the moved ticket, its events and messages;
 * the page-only parts stay until the page data is fetched again.
 */
export function withCore(page: TicketDetail | undefined, core: TicketCore): TicketDetail | undefined {
  if (!page || page.ticket.id !== core.ticket.id) return page;
  return { ...page, ...core, conversation: core.messages };
}

/**
 * The ticket page's data with a completed step merged in: the new ticket and step, the move's event and
 * messages after those the page holds, its nodes after the page's path. A page that already shows the
 * move (a live refresh came first) stays as it is.
 */
export function withCompletion(
  page: TicketDetail | undefined,
  done: StepCompletion,
): TicketDetail | undefined {
  if (!page || page.ticket.id !== done.ticket.id || page.ticket.seq >= done.ticket.seq) return page;
  const firstNew = done.events[0]?.seq ?? done.ticket.seq;
  const held = new Set(page.messages.map((m) => m.id));
  const messages = [...page.messages, ...done.messages.filter((m) => !held.has(m.id))];
  return {
    ...page,
    ticket: done.ticket,
    currentStep: done.currentStep,
    nextByOutcome: done.nextByOutcome,
    events: [...page.events.filter((e) => e.seq < firstNew), ...done.events],
    messages,
    conversation: messages,
    path: [...page.path, ...done.path],
  };
}
