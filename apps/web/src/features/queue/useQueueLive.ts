import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../../trpc.ts';
import { refreshQueue } from './refreshQueue.ts';

/** A burst of moves (a bulk migration, a timer sweep) refreshes the queue once, not once per ticket. */
const BATCH_MS = 300;

/**
 * Keeps every open queue current: each `live.queue` event (any ticket of the organization the caller
 * may see moved, got a message or an assignee) refreshes the queue's lists, the views' counts and that
 * ticket's page data,
 * batched. Returns the connection status for a small "live" indicator.
 */
export function useQueueLive() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const changed = useRef(new Set<string>());
  const timer = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const flush = () => {
    timer.current = null;
    const ids = [...changed.current];
    changed.current.clear();
    refreshQueue(queryClient, trpc);
    for (const ticketId of ids)
      void queryClient.invalidateQueries({ queryKey: trpc.tickets.get.queryKey({ ticketId }) });
  };

  const subscription = useSubscription(
    trpc.live.queue.subscriptionOptions(
      {},
      {
        onData: (event) => {
          changed.current.add(event.data.ticketId);
          if (timer.current === null) timer.current = window.setTimeout(flush, BATCH_MS);
        },
      },
    ),
  );
  // After a dropped connection, what happened meanwhile is unknown: refresh everything once reconnected.
  const wasLive = useRef(false);
  const lostSince = useRef(false);
  useEffect(() => {
    if (subscription.status === 'pending') {
      if (wasLive.current && lostSince.current) {
        refreshQueue(queryClient, trpc);
      }
      wasLive.current = true;
      lostSince.current = false;
    } else if (wasLive.current) {
      lostSince.current = true;
    }
  }, [subscription.status, queryClient, trpc]);

  return subscription.status;
}
