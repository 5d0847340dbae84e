import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Dialog } from '../../ui/Dialog.tsx';
import { errorMessage, type TicketDetail, useTRPC } from '../../trpc.ts';
import { refreshQueue } from '../queue/refreshQueue.ts';

/**
 * Starts a flow by hand on a ticket no flow took (or one that ended): the manual starts of onboarding,
 * proactive check-ins, or a ticket that arrived before its flow existed.
 */
export function StartFlowDialog({
  ticket,
  onClose,
  onStarted,
}: {
  ticket: { id: string; number: number; subject: string } | null;
  onClose: () => void;
  onStarted: (detail: TicketDetail) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [flowId, setFlowId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const start = useMutation(
    trpc.tickets.startFlow.mutationOptions({
      onSuccess: (detail) => {
        queryClient.setQueryData(trpc.tickets.get.queryKey({ ticketId: detail.ticket.id }), detail);
        refreshQueue(queryClient, trpc);
        setFlowId('');
        setError(null);
        onStarted(detail);
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const startable = (flows.data ?? []).filter((f) => f.activeVersion !== null);
  const close = () => {
    setFlowId('');
    setError(null);
    onClose();
  };

  return (
    <Dialog
      open={ticket !== null}
      title="Start a flow"
      description={ticket ? `Ticket #${ticket.number}: ${ticket.subject}` : undefined}
      onClose={close}
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={close} disabled={start.isPending}>
            Cancel
          </button>
          <button
            type="submit"
            form={`${id}-form`}
            className="btn btn-primary"
            disabled={start.isPending || flowId === ''}
          >
            {start.isPending ? 'Starting…' : 'Start flow'}
          </button>
        </>
      }
    >
      <form
        id={`${id}-form`}
        onSubmit={(e) => {
          e.preventDefault();
          if (ticket && flowId) start.mutate({ ticketId: ticket.id, flowId });
        }}
      >
        <div className={error ? 'field has-error' : 'field'}>
          <label htmlFor={`${id}-flow`}>Flow</label>
          <select
            id={`${id}-flow`}
            value={flowId}
            onChange={(e) => setFlowId(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          >
            <option value="">Choose a published flow…</option>
            {startable.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name} (v{f.activeVersion?.number})
              </option>
            ))}
          </select>
          {error && (
            <span id={`${id}-error`} className="field-error" role="alert">
              {error}
            </span>
          )}
        </div>
      </form>
    </Dialog>
  );
}
