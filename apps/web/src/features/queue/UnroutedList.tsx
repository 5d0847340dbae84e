import { useQuery } from '@tanstack/react-query';
import { Play } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { capitalize, PriorityBadge } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { useTRPC } from '../../trpc.ts';
import { StartFlowDialog } from '../tickets/StartFlowDialog.tsx';

/** Tickets no flow's start filters took: a manager starts the right flow by hand. */
export function UnroutedList() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const unrouted = useQuery(trpc.tickets.unrouted.queryOptions(undefined, { refetchInterval: 60_000 }));
  const now = useNow(30_000);
  const [starting, setStarting] = useState<{ id: string; number: number; subject: string } | null>(null);

  if (unrouted.isPending) return <Loading label="Loading unrouted tickets…" />;
  if (unrouted.isError) return <ErrorState error={unrouted.error} onRetry={() => void unrouted.refetch()} />;
  const rows = unrouted.data;

  return (
    <>
      {rows.length === 0 ? (
        <EmptyState title="Every ticket is on a flow">
          Tickets that no flow’s start filters match wait here until someone starts a flow for them.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table queue">
            <caption className="sr-only">
              {rows.length} unrouted {rows.length === 1 ? 'ticket' : 'tickets'}, oldest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Category</th>
                <th scope="col">Priority</th>
                <th scope="col">Arrived</th>
                <th scope="col">
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.id} data-ticket-id={t.id}>
                  <td>
                    <Link to={`/tickets/${t.id}`} className="row-title">
                      <span className="ticket-number">#{t.number}</span> {t.subject}
                    </Link>
                    <div className="row-sub">
                      {t.customerName} · {capitalize(t.channel)}
                    </div>
                  </td>
                  <td>{t.category || <span className="muted">None</span>}</td>
                  <td>
                    <PriorityBadge priority={t.priority} />
                  </td>
                  <td>
                    <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                      {formatRelative(t.createdAt, now)}
                    </time>
                  </td>
                  <td className="cell-action">
                    <button
                      type="button"
                      className="btn btn-secondary btn-small"
                      onClick={() => setStarting({ id: t.id, number: t.number, subject: t.subject })}
                      aria-label={`Start flow on ticket #${t.number}`}
                    >
                      <Play size={14} aria-hidden="true" /> Start flow…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <StartFlowDialog
        ticket={starting}
        onClose={() => setStarting(null)}
        onStarted={(detail) => {
          setStarting(null);
          toast.success(`Ticket #${detail.ticket.number} started on “${detail.flow?.name ?? 'the flow'}”.`);
          void navigate(`/tickets/${detail.ticket.id}`);
        }}
      />
    </>
  );
}
