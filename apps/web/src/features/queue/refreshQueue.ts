import type { QueryClient } from '@tanstack/react-query';
import type { useTRPC } from '../../trpc.ts';

/**
 * Marks what the queue shows as out of date after a ticket changed: its list pages (`tickets.list`), the
 * views' counts and the unrouted tickets. The one place that knows what the queue reads, for every page
 * that moves a ticket (a step completed, a reply, an assignment, a new ticket, a bulk action, a live event).
 */
export function refreshQueue(queryClient: QueryClient, trpc: ReturnType<typeof useTRPC>): void {
  void queryClient.invalidateQueries({ queryKey: trpc.tickets.list.infiniteQueryKey() });
  void queryClient.invalidateQueries({ queryKey: trpc.views.list.queryKey() });
  void queryClient.invalidateQueries({ queryKey: trpc.tickets.unrouted.queryKey() });
}
