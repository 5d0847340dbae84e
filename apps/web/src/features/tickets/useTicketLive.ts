import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../../trpc.ts';

/**
 * Keeps an open ticket page current: each `live.ticket` event (the ticket moved, got a message or an
 * assignee, on any server) refreshes the ticket's data in place; after a dropped connection the page
 * refreshes once when it is back. `enabled`: off until the ticket is known to exist. Returns the
 * connection status.
 */
export function useTicketLive(ticketId: string, enabled = true) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.tickets.get.queryKey({ ticketId }) });
  };
  const subscription = useSubscription(
    trpc.live.ticket.subscriptionOptions({ ticketId }, { onData: refresh, enabled }),
  );

  const wasLive = useRef(false);
  const lost = useRef(false);
  useEffect(() => {
    if (subscription.status === 'pending') {
      if (wasLive.current && lost.current)
        void queryClient.invalidateQueries({ queryKey: trpc.tickets.get.queryKey({ ticketId }) });
      wasLive.current = true;
      lost.current = false;
    } else if (wasLive.current) {
      lost.current = true;
    }
  }, [subscription.status, queryClient, trpc, ticketId]);

  return subscription.status;
}
