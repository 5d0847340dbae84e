import { useMutation, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { errorMessage, useTRPC } from '../../trpc.ts';

/** "1st", "2nd", "3rd", "4th", "11th", "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/**
 * Saves a route order (`flows.setRouteOrder`: the ids first to last) and refreshes every routing
 * query. A toast says where `movedId` now stands, or why the save failed (the order is then re-read).
 */
export function useSaveRouteOrder() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mutation = useMutation(trpc.flows.setRouteOrder.mutationOptions());
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.routing.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() }),
    ]);
  return {
    pending: mutation.isPending,
    /** Resolves true when saved (after the routing queries were re-read), false when refused. */
    save: async (flowIds: string[], moved: { id: string; name: string }): Promise<boolean> => {
      try {
        await mutation.mutateAsync({ flowIds });
      } catch (error) {
        toast.error(`The order was not saved: ${errorMessage(error)}`);
        await refresh();
        return false;
      }
      const position = flowIds.indexOf(moved.id) + 1;
      toast.success(`Order saved: ${moved.name} is now ${ordinal(position)} of ${flowIds.length}.`);
      await refresh();
      return true;
    },
  };
}
