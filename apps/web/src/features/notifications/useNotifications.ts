import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../../trpc.ts';

/** A burst of announcements (a timer sweep breaching several tickets) reads the list once. */
const BATCH_MS = 300;

/**
 * The caller's notifications and unread count, kept current over the live stream: the runtime announces
 * a ticket change with the `message` mark once it has written a notification (or a message), and the list
 * is read again then — plus every minute and when the window regains focus, in case the stream was down.
 */
export function useNotifications() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.notifications.list.queryOptions({ limit: 20 }, { refetchInterval: 60_000 }));
  const timer = useRef<number | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );
  useSubscription(
    trpc.live.queue.subscriptionOptions(
      {},
      {
        onData: (event) => {
          if (!event.data.message || timer.current !== null) return;
          timer.current = window.setTimeout(() => {
            timer.current = null;
            void queryClient.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() });
          }, BATCH_MS);
        },
      },
    ),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() });
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions({ onSettled: refresh }));
  const markAllRead = useMutation(trpc.notifications.markAllRead.mutationOptions({ onSettled: refresh }));
  return { list, markRead, markAllRead };
}
