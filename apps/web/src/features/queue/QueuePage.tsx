import { PRIORITIES } from '@stepwise/flow';
import { skipToken, useQuery } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Badge, capitalize, PriorityBadge } from '../../ui/Badge.tsx';
import { SlaClock } from '../../ui/SlaClock.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatSla } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { useTitle } from '../../ui/useTitle.ts';
import { type QueueRow, type QueueScope, useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { WorkspaceShortcuts } from '../workspace/WorkspaceShortcuts.tsx';
import {
  changedRows,
  hasFilters,
  parseFilters,
  type QueueFilters,
  type QueueView,
  STATUS_OPTIONS,
  toQueueInput,
  toSearch,
} from './queueFilters.ts';
import { UnroutedList } from './UnroutedList.tsx';
import { useQueueLive } from './useQueueLive.ts';

const SCOPES: ReadonlyArray<{ value: QueueView; label: string }> = [
  { value: 'mine', label: 'My tickets' },
  { value: 'teams', label: 'My teams' },
  { value: 'all', label: 'All' },
];

const EMPTY_TEXT: Record<QueueScope, string> = {
  mine: 'No open ticket is assigned to you.',
  teams: 'Your teams have no open tickets.',
  all: 'There are no open tickets.',
};

/** How long a row that just changed stays highlighted. */
const FLASH_MS = 2500;

/** Most urgent first: breached, then by SLA due time (no SLA last), then oldest ticket number. */
export function byUrgency(a: QueueRow, b: QueueRow): number {
  if (a.breached !== b.breached) return a.breached ? -1 : 1;
  const da = a.slaDueAt === null ? Number.POSITIVE_INFINITY : Date.parse(a.slaDueAt);
  const db = b.slaDueAt === null ? Number.POSITIVE_INFINITY : Date.parse(b.slaDueAt);
  if (da !== db) return da < db ? -1 : 1;
  return a.number - b.number;
}

/** Rows that changed since the previous answer, highlighted for a moment. */
function useFlash(rows: readonly QueueRow[] | undefined): ReadonlySet<string> {
  const previous = useRef<Map<string, string> | null>(null);
  const timers = useRef(new Set<number>());
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const id of pending) window.clearTimeout(id);
    };
  }, []);
  useEffect(() => {
    if (!rows) return;
    const ids = changedRows(previous.current, rows);
    previous.current = new Map(rows.map((r) => [r.id, r.updatedAt]));
    if (ids.length === 0) return;
    setFlashing((prev) => new Set([...prev, ...ids]));
    // Each flash ends on its own clock, even when newer answers arrive meanwhile.
    const id = window.setTimeout(() => {
      timers.current.delete(id);
      setFlashing((prev) => {
        const next = new Set(prev);
        for (const i of ids) next.delete(i);
        return next;
      });
    }, FLASH_MS);
    timers.current.add(id);
  }, [rows]);
  return flashing;
}

function Filters({ filters, onChange }: { filters: QueueFilters; onChange: (f: QueueFilters) => void }) {
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const flow = flows.data?.find((f) => f.id === filters.flowId);
  const version = useQuery(
    trpc.versions.get.queryOptions(flow?.activeVersion ? { versionId: flow.activeVersion.id } : skipToken),
  );
  const steps = (version.data?.document.nodes ?? []).flatMap((n) =>
    n.type === 'step' ? [{ id: n.id, title: n.data.title }] : [],
  );

  return (
    <fieldset className="filters">
      <legend className="sr-only">Filter tickets</legend>
      <label className="filter">
        <span>Status</span>
        <select
          value={filters.status ?? ''}
          onChange={(e) => onChange({ ...filters, status: e.target.value || null })}
        >
          <option value="">Any open</option>
          {STATUS_OPTIONS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Priority</span>
        <select
          value={filters.priority ?? ''}
          onChange={(e) => {
            const value = e.target.value;
            onChange({ ...filters, priority: PRIORITIES.find((p) => p === value) ?? null });
          }}
        >
          <option value="">Any</option>
          {[...PRIORITIES].reverse().map((p) => (
            <option key={p} value={p}>
              {capitalize(p)}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Flow</span>
        <select
          value={filters.flowId ?? ''}
          onChange={(e) => onChange({ ...filters, flowId: e.target.value || null, nodeId: null })}
        >
          <option value="">Any</option>
          {(flows.data ?? []).map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Step</span>
        <select
          value={filters.nodeId ?? ''}
          disabled={!filters.flowId || steps.length === 0}
          title={filters.flowId ? undefined : 'Choose a flow first'}
          onChange={(e) => onChange({ ...filters, nodeId: e.target.value || null })}
        >
          <option value="">{filters.flowId ? 'Any' : 'Choose a flow first'}</option>
          {steps.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </label>
      <label className="filter filter-check">
        <input
          type="checkbox"
          checked={filters.breachedOnly}
          onChange={(e) => onChange({ ...filters, breachedOnly: e.target.checked })}
        />
        <span>SLA breached only</span>
      </label>
      {hasFilters(filters) && (
        <button
          type="button"
          className="link-btn"
          onClick={() =>
            onChange({
              view: filters.view,
              status: null,
              priority: null,
              flowId: null,
              nodeId: null,
              breachedOnly: false,
            })
          }
        >
          Clear filters
        </button>
      )}
    </fieldset>
  );
}

function QueueTable({
  filters,
  onShowAll,
}: {
  filters: QueueFilters & { view: QueueScope };
  onShowAll: () => void;
}) {
  const trpc = useTRPC();
  const queue = useQuery(trpc.tickets.queue.queryOptions(toQueueInput(filters), { refetchInterval: 60_000 }));
  const now = useNow(1000);
  const rows = useMemo(() => (queue.data ? [...queue.data].sort(byUrgency) : []), [queue.data]);
  const flashing = useFlash(queue.data);

  if (queue.isPending) return <Loading label="Loading tickets…" />;
  if (queue.isError) return <ErrorState error={queue.error} onRetry={() => void queue.refetch()} />;
  if (rows.length === 0) {
    return (
      <EmptyState title="Nothing to do here">
        {hasFilters(filters) ? 'No open ticket matches these filters.' : EMPTY_TEXT[filters.view]}
        {filters.view !== 'all' && !hasFilters(filters) && (
          <>
            {' '}
            <button type="button" className="link-btn" onClick={onShowAll}>
              Show all tickets
            </button>
          </>
        )}
      </EmptyState>
    );
  }
  return (
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
            const className = [overdue ? 'is-overdue' : '', flashing.has(t.id) ? 'is-updated' : '']
              .filter(Boolean)
              .join(' ');
            return (
              <tr key={t.id} className={className || undefined} data-ticket-id={t.id}>
                <td>
                  <Link to={`/tickets/${t.id}`} className="row-title">
                    <span className="ticket-number">#{t.number}</span> {t.subject}
                  </Link>
                  <div className="row-sub">
                    {t.customerName} · {capitalize(t.channel)}
                    {flashing.has(t.id) && <span className="updated-tag">Updated</span>}
                  </div>
                </td>
                <td>
                  <div className="step-cell">
                    {t.stepTitle ?? <span className="muted">{statusWords(t.status)}</span>}
                  </div>
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
                  <div className="sla-cell">
                    {/* A breached ticket shows how late it is (when its due time has passed here too) and the badge. */}
                    {(!t.breached || formatSla(t.slaDueAt, now).tone === 'overdue') && (
                      <SlaClock dueAt={t.slaDueAt} breached={t.breached} now={now} />
                    )}
                    {(t.breached || t.slaBreachedAt !== null) && (
                      <Badge
                        tone="danger"
                        title={
                          t.slaBreachedAt !== null
                            ? `SLA first breached ${formatDateTime(t.slaBreachedAt)}`
                            : 'SLA breached'
                        }
                      >
                        Breached
                      </Badge>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function statusWords(status: string): string {
  switch (status) {
    case 'waiting':
      return 'Waiting';
    case 'in_subflow':
      return 'In a subflow';
    case 'parked':
      return 'Needs attention';
    default:
      return '—';
  }
}

export function QueuePage() {
  const [search, setSearch] = useSearchParams();
  const me = useMe();
  const canSeeUnrouted = me.data?.role === 'admin' || me.data?.role === 'manager';
  const filters = parseFilters(search, canSeeUnrouted);
  const live = useQueueLive();
  useTitle('Queue');

  const change = (next: QueueFilters) => setSearch(toSearch(next), { replace: true });
  const views = canSeeUnrouted ? [...SCOPES, { value: 'unrouted' as const, label: 'Unrouted' }] : SCOPES;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Queue</h1>
          <p className="page-sub">
            Open tickets with the step each one is at, most urgent first.{' '}
            <span className={`live-dot${live === 'pending' ? ' is-live' : ''}`}>
              {live === 'pending' ? 'Live' : 'Connecting…'}
            </span>
          </p>
        </div>
        <div className="page-actions">
          <Link to="/tickets/new" className="btn btn-primary">
            <Plus size={16} aria-hidden="true" /> New ticket
          </Link>
        </div>
      </div>

      <div className="queue-bar">
        <fieldset className="segmented">
          <legend className="sr-only">Show tickets</legend>
          {views.map((s) => (
            <button
              key={s.value}
              type="button"
              className="segmented-btn"
              aria-pressed={filters.view === s.value}
              onClick={() => change({ ...filters, view: s.value })}
            >
              {s.label}
            </button>
          ))}
        </fieldset>
        {filters.view !== 'unrouted' && <Filters filters={filters} onChange={change} />}
      </div>

      {filters.view === 'unrouted' ? (
        <UnroutedList />
      ) : (
        <QueueTable
          // A new view starts its own "what changed" memory: switching filters is not an update.
          key={toSearch(filters).toString()}
          filters={{ ...filters, view: filters.view }}
          onShowAll={() => change({ ...filters, view: 'all' })}
        />
      )}
      <WorkspaceShortcuts page="queue" />
    </>
  );
}
