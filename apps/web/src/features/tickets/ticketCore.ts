import type { AppRouter } from '@stepwise/api';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { TicketDetail } from '../../trpc.ts';

/**
 * A ticket as the runtime answers a move (`tickets.complete`, a CONFLICT's fresh state): everything the
 * ticket page shows except what `tickets.get` adds (CSAT, parent and child runs, the feedback link).
 */
export type TicketCore = inferOutput<TRPCOptionsProxy<AppRouter>['tickets']['complete']>;

/**
 * The ticket page's data with a move's answer laid over it: the moved ticket, its events and messages;
 * the page-only parts stay until the page data is fetched again.
 */
export function withCore(page: TicketDetail | undefined, core: TicketCore): TicketDetail | undefined {
  if (!page || page.ticket.id !== core.ticket.id) return page;
  return { ...page, ...core, conversation: core.messages };
}
