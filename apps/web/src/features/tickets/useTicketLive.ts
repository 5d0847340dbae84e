import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../../trpc.ts';

/**
 * Keeps an open ticket page current by sequence number. The stream starts from the sequence number the
 * page first showed (so a move made between loading the page and subscribing comes at once), every
 * event carries the ticket's sequence number, and the page refetches whenever an event is ahead of what
 * it shows — one move or several missed ones alike — or brings a message. After a dropped connection
 * the stream resumes from the last event heard and the page refetches once when it is back.
 * `shownSeq`: the sequence number on screen (undefined until the ticket is loaded: the stream waits).
 * Returns the connection status.
 */
export function useTicketLive(ticketId: string, shownSeq: number | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const shown = useRef(shownSeq);
  shown.current = shownSeq;
  // The mark the stream starts from, fixed per ticket: a move must not restart the subscription.
  const start = useRef<{ ticketId: string; seq: number } | null>(null);
  if (shownSeq !== undefined && start.current?.ticketId !== ticketId)
    start.current = { ticketId, seq: shownSeq };
  const fromSeq = start.current?.ticketId === ticketId ? start.current.seq : undefined;

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.tickets.get.queryKey({ ticketId }) });
  };
  const subscription = useSubscription(
    trpc.live.ticket.subscriptionOptions(
      { ticketId, lastEventId: fromSeq === undefined ? null : String(fromSeq) },
      {
        enabled: fromSeq !== undefined,
        onData: (event) => {
          const change = event.data;
          const current = shown.current;
          if (change.message || current === undefined || change.seq > current) refresh();
        },
      },
    ),
  );

  const wasLive = useRef(false);
  const lost = useRef(false);
  useEffect(() => {
    if (subscription.status === 'pending') {
      if (wasLive.current && lost.current) refresh();
      wasLive.current = true;
      lost.current = false;
    } else if (wasLive.current) {
      lost.current = true;
    }
  }, [subscription.status]);

  return subscription.status;
}
