import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FlaskConical } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { formatDateTime } from '../../ui/time.ts';
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

/**
 * "Pilot: v3 on 30% of new tickets since 6 Dec 2026, 09:12 (started by Maya) — Promote · Roll back", when
 * the flow has a pilot running. Both ask first, saying what happens to new and running tickets.
 */
export function PilotBar({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const me = useMe();
  const refresh = useRolloutRefresh();
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  const [asking, setAsking] = useState<'promote' | 'rollback' | null>(null);
  const promote = useMutation(
    trpc.versions.promotePilot.mutationOptions({
      onSuccess: () => {
        toast.success(`v${pilot?.number ?? ''} is now the active version for all new tickets.`);
        setAsking(null);
        refresh();
      },
      onError: (error) => {
        toast.error(errorMessage(error));
        setAsking(null);
        refresh();
      },
    }),
  );
  const rollback = useMutation(
    trpc.versions.rollbackPilot.mutationOptions({
      onSuccess: () => {
        toast.success('Pilot rolled back. Tickets already on it stay on it.');
        setAsking(null);
        refresh();
      },
      onError: (error) => {
        toast.error(errorMessage(error));
        setAsking(null);
        refresh();
      },
    }),
  );
  const pilot = versions.data?.find((v) => v.isPilot);
  const active = versions.data?.find((v) => v.isActive);
  if (!pilot || !flow.data) return null;
  const canManage = (me.data?.role ?? 'agent') !== 'agent';
  const busy = promote.isPending || rollback.isPending;
  const percent = flow.data.pilotPercent;
  const activeName = active ? `v${active.number}` : 'the active version';
  const onPilot =
    pilot.liveTickets === 0
      ? `No live ticket runs on v${pilot.number}.`
      : `The ${pilot.liveTickets} live ${pilot.liveTickets === 1 ? 'ticket' : 'tickets'} on v${pilot.number} stay on it.`;
  return (
    <>
      <output className="pilot-bar">
        <FlaskConical size={16} aria-hidden="true" />
        <span>
          <strong>Pilot:</strong> v{pilot.number} on {percent}% of new tickets
          {pilot.pilotSince && (
            <>
              {' '}
              since <time dateTime={pilot.pilotSince}>{formatDateTime(pilot.pilotSince)}</time>
            </>
          )}
          {pilot.pilotStartedBy && <span className="muted"> (started by {pilot.pilotStartedBy})</span>}
          <span className="muted">
            {' '}
            · {pilot.liveTickets} live {pilot.liveTickets === 1 ? 'ticket' : 'tickets'} on it
          </span>
        </span>
        {canManage && (
          <span className="pilot-actions">
            <button
              type="button"
              className="btn btn-small btn-primary"
              disabled={busy}
              onClick={() => setAsking('promote')}
            >
              Promote
            </button>
            <button
              type="button"
              className="btn btn-small btn-secondary"
              disabled={busy}
              onClick={() => setAsking('rollback')}
            >
              Roll back
            </button>
          </span>
        )}
      </output>
      {asking && (
        <Dialog
          open
          title={
            asking === 'promote' ? `Promote v${pilot.number}?` : `Roll back the pilot of v${pilot.number}?`
          }
          description={
            asking === 'promote' ? (
              <p>
                v{pilot.number} becomes the active version: all new tickets start on it instead of{' '}
                {activeName}. Tickets already running stay on their version; move them from Compare if you
                want.
              </p>
            ) : (
              <p>
                All new tickets start on {activeName} again. {onPilot}
              </p>
            )
          }
          onClose={() => setAsking(null)}
          footer={
            <>
              <button type="button" className="btn btn-secondary" onClick={() => setAsking(null)}>
                Cancel
              </button>
              <button
                type="button"
                className={asking === 'promote' ? 'btn btn-primary' : 'btn btn-danger'}
                disabled={busy}
                onClick={() =>
                  asking === 'promote' ? promote.mutate({ flowId }) : rollback.mutate({ flowId })
                }
              >
                {asking === 'promote' ? `Promote v${pilot.number}` : 'Roll back the pilot'}
              </button>
            </>
          }
        />
      )}
    </>
  );
}
