import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { capitalize, PriorityBadge } from '../../ui/Badge.tsx';
import { SlaClock } from '../../ui/SlaClock.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatSla } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { type QueueRow, type QueueScope, useTRPC } from '../../trpc.ts';
import { useTitle } from '../../ui/useTitle.ts';

const SCOPES: ReadonlyArray<{ value: QueueScope; label: string }> = [
  { value: 'mine', label: 'Mine' },
  { value: 'teams', label: 'My teams' },
  { value: 'all', label: 'All' },
];

const EMPTY_TEXT: Record<QueueScope, string> = {
  mine: 'No open ticket is assigned to you.',
  teams: 'Your teams have no open tickets.',
  all: 'There are no open tickets.',
};

/** Most urgent first: breached, then by SLA due time (no SLA last), then oldest ticket number. */
export function byUrgency(a: QueueRow, b: QueueRow): number {
  if (a.breached !== b.breached) return a.breached ? -1 : 1;
  const da = a.slaDueAt === null ? Number.POSITIVE_INFINITY : Date.parse(a.slaDueAt);
  const db = b.slaDueAt === null ? Number.POSITIVE_INFINITY : Date.parse(b.slaDueAt);
  if (da !== db) return da < db ? -1 : 1;
  return a.number - b.number;
}

function isScope(value: string | null): value is QueueScope {
  return value === 'mine' || value === 'teams' || value === 'all';
}

export function QueuePage() {
  const trpc = useTRPC();
  const [search, setSearch] = useSearchParams();
  const raw = search.get('scope');
  const scope: QueueScope = isScope(raw) ? raw : 'teams';
  const queue = useQuery(trpc.tickets.queue.queryOptions({ scope }, { refetchInterval: 30_000 }));
  const now = useNow(1000);
  useTitle('Queue');
  const rows = useMemo(() => (queue.data ? [...queue.data].sort(byUrgency) : []), [queue.data]);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Queue</h1>
          <p className="page-sub">Open tickets with the step each one is at, most urgent first.</p>
        </div>
        <fieldset className="segmented">
          <legend className="sr-only">Show tickets</legend>
          {SCOPES.map((s) => (
            <button
              key={s.value}
              type="button"
              className="segmented-btn"
              aria-pressed={scope === s.value}
              onClick={() => setSearch({ scope: s.value }, { replace: true })}
            >
              {s.label}
            </button>
          ))}
        </fieldset>
      </div>

      {queue.isPending ? (
        <Loading label="Loading tickets…" />
      ) : queue.isError ? (
        <ErrorState error={queue.error} onRetry={() => void queue.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="Nothing to do here">
          {EMPTY_TEXT[scope]}
          {scope !== 'all' && (
            <>
              {' '}
              <button
                type="button"
                className="link-btn"
                onClick={() => setSearch({ scope: 'all' }, { replace: true })}
              >
                Show all tickets
              </button>
            </>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table queue">
            <caption className="sr-only">
              {rows.length} {rows.length === 1 ? 'ticket' : 'tickets'}, most urgent first
            </caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Current step</th>
                <th scope="col">Priority</th>
                <th scope="col">Team</th>
                <th scope="col">Assignee</th>
                <th scope="col">SLA</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => {
                const overdue = formatSla(t.slaDueAt, now, t.breached).tone === 'overdue';
                return (
                  <tr key={t.id} className={overdue ? 'is-overdue' : undefined}>
                    <td>
                      <Link to={`/tickets/${t.id}`} className="row-title">
                        <span className="ticket-number">#{t.number}</span> {t.subject}
                      </Link>
                      <div className="row-sub">
                        {t.customerName} · {capitalize(t.channel)}
                      </div>
                    </td>
                    <td>
                      <div className="step-cell">{t.stepTitle ?? <span className="muted">—</span>}</div>
                      {t.flowName && (
                        <div className="row-sub">
                          {t.flowName}
                          {t.versionNumber !== null ? ` v${t.versionNumber}` : ''}
                        </div>
                      )}
                    </td>
                    <td>
                      <PriorityBadge priority={t.priority} />
                    </td>
                    <td>{t.teamName ?? <span className="muted">—</span>}</td>
                    <td>{t.assigneeName ?? <span className="muted">Unassigned</span>}</td>
                    <td>
                      <SlaClock dueAt={t.slaDueAt} breached={t.breached} now={now} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
