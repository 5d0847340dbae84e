import { useMutation, useQueryClient } from '@tanstack/react-query';
import { UserCheck, UserMinus } from 'lucide-react';
import { toast } from 'sonner';
import { errorCode, errorMessage, type TicketDetail, useTRPC } from '../../trpc.ts';
import { refreshQueue } from '../queue/refreshQueue.ts';

/**
 * Who works the ticket: "Take" assigns it to me, "Release" hands it back to the team. A take that lost
 * a race (someone else took it a moment before) shows who has it now.
 */
export function AssignControl({
  detail,
  meId,
  onChanged,
}: {
  detail: TicketDetail;
  meId: string;
  /** The ticket's sequence after this agent's own change, so it is not announced as news. */
  onChanged: (seq: number) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const t = detail.ticket;
  const ticketKey = trpc.tickets.get.queryKey({ ticketId: t.id });
  const assign = useMutation(
    trpc.tickets.assign.mutationOptions({
      onSuccess: (result) => {
        onChanged(result.ticket.seq);
        queryClient.setQueryData(ticketKey, result);
        refreshQueue(queryClient, trpc);
      },
      onError: (error) => {
        void queryClient.invalidateQueries({ queryKey: ticketKey });
        toast.error(
          errorCode(error) === 'CONFLICT'
            ? 'Someone changed this ticket a moment ago; here it is as it is now.'
            : `Could not change the assignee: ${errorMessage(error)}`,
        );
      },
    }),
  );
  if (t.status === 'ended') return null;
  const mine = t.assigneeId === meId;

  return (
    <div className="assign">
      <span className="assign-text">
        {t.assigneeName ? (
          <>
            Assigned to <strong>{mine ? 'you' : t.assigneeName}</strong>
          </>
        ) : (
          <span className="muted">Unassigned</span>
        )}
      </span>
      {mine ? (
        <button
          type="button"
          className="btn btn-ghost btn-small"
          disabled={assign.isPending}
          onClick={() => assign.mutate({ ticketId: t.id, assigneeId: null, expectedSeq: t.seq })}
        >
          <UserMinus size={15} aria-hidden="true" /> Release
        </button>
      ) : (
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={assign.isPending}
          onClick={() => assign.mutate({ ticketId: t.id, assigneeId: meId, expectedSeq: t.seq })}
        >
          <UserCheck size={15} aria-hidden="true" /> {t.assigneeId ? 'Take over' : 'Take'}
        </button>
      )}
    </div>
  );
}
