import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FlaskConical } from 'lucide-react';
import { toast } from 'sonner';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';

/** Refreshes what a rollout change touches: the flow, its versions and the flow list. */
export function useRolloutRefresh(): () => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.versions.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
  };
}

/** "Pilot: v3 on 30% of new tickets — Promote · Roll back", when the flow has a pilot running. */
export function PilotBar({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const me = useMe();
  const refresh = useRolloutRefresh();
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  const promote = useMutation(
    trpc.versions.promotePilot.mutationOptions({
      onSuccess: () => {
        toast.success('The pilot version is now active for all new tickets.');
        refresh();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const rollback = useMutation(
    trpc.versions.rollbackPilot.mutationOptions({
      onSuccess: () => {
        toast.success('Pilot rolled back. Tickets already on it stay on it.');
        refresh();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const pilot = versions.data?.find((v) => v.isPilot);
  if (!pilot || !flow.data) return null;
  const canManage = (me.data?.role ?? 'agent') !== 'agent';
  const busy = promote.isPending || rollback.isPending;
  return (
    <output className="pilot-bar">
      <FlaskConical size={16} aria-hidden="true" />
      <span>
        <strong>Pilot:</strong> v{pilot.number} on {flow.data.pilotPercent}% of new tickets
        {pilot.liveTickets > 0 && (
          <span className="muted">
            {' '}
            · {pilot.liveTickets} live {pilot.liveTickets === 1 ? 'ticket' : 'tickets'} on it
          </span>
        )}
      </span>
      {canManage && (
        <span className="pilot-actions">
          <button
            type="button"
            className="btn btn-small btn-primary"
            disabled={busy}
            onClick={() => promote.mutate({ flowId })}
          >
            Promote
          </button>
          <button
            type="button"
            className="btn btn-small btn-secondary"
            disabled={busy}
            onClick={() => rollback.mutate({ flowId })}
          >
            Roll back
          </button>
        </span>
      )}
    </output>
  );
}
