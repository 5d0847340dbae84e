import { useQuery } from '@tanstack/react-query';
import { Star } from 'lucide-react';
import { useId } from 'react';
import { Link } from 'react-router';
import { Badge, capitalize, StatusBadge } from '../../ui/Badge.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { type TicketDetail, useTRPC } from '../../trpc.ts';

/**
 * Who the customer is: name, email, tier, their ratings, and their other tickets by email — open ones
 * and those that ended — each a link to its page.
 */
export function CustomerPanel({ detail, now }: { detail: TicketDetail; now: number }) {
  const trpc = useTRPC();
  const id = useId();
  const t = detail.ticket;
  const context = useQuery(trpc.work.customer.queryOptions({ ticketId: t.id }));
  const c = context.data;
  return (
    <section className="panel customer-panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Customer</h2>
      <dl className="details">
        <div>
          <dt>Name</dt>
          <dd>{t.customer.name}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>
            <a href={`mailto:${t.customer.email}`}>{t.customer.email}</a>
          </dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd>
            {t.customer.tier === 'vip' ? <Badge tone="accent">VIP</Badge> : capitalize(t.customer.tier)}
          </dd>
        </div>
        {c && (
          <div>
            <dt>CSAT</dt>
            <dd>
              {c.csat.mean === null ? (
                <span className="muted">No ratings yet</span>
              ) : (
                <>
                  <Star size={13} aria-hidden="true" /> {c.csat.mean.toFixed(1)}/5{' '}
                  <span className="muted">
                    from {c.csat.count} {c.csat.count === 1 ? 'rating' : 'ratings'}
                  </span>
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
      {c && (
        <>
          <h3 className="subhead">Open tickets ({c.open.length})</h3>
          <TicketLinks tickets={c.open} now={now} empty="No other open tickets." />
          <h3 className="subhead">Previous tickets ({c.previous.length})</h3>
          <TicketLinks tickets={c.previous} now={now} empty="No earlier tickets." />
        </>
      )}
    </section>
  );
}

type CustomerTicket = {
  id: string;
  number: number;
  subject: string;
  status: string;
  createdAt: string;
  csatScore: number | null;
};

function TicketLinks({
  tickets,
  now,
  empty,
}: {
  tickets: readonly CustomerTicket[];
  now: number;
  empty: string;
}) {
  if (tickets.length === 0) return <p className="muted small">{empty}</p>;
  return (
    <ul className="customer-tickets">
      {tickets.map((ticket) => (
        <li key={ticket.id}>
          <Link to={`/tickets/${ticket.id}`}>
            <span className="ticket-number">#{ticket.number}</span> {ticket.subject}
          </Link>
          <span className="customer-ticket-meta">
            <StatusBadge status={ticket.status} />
            {ticket.csatScore !== null && <Badge title="The customer’s rating">{ticket.csatScore}/5</Badge>}
            <time className="muted" dateTime={ticket.createdAt} title={formatDateTime(ticket.createdAt)}>
              {formatRelative(ticket.createdAt, now)}
            </time>
          </span>
        </li>
      ))}
    </ul>
  );
}
