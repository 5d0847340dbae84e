import { PRIORITIES } from '@stepwise/flow/vocabulary';
import { skipToken, useQuery } from '@tanstack/react-query';
import { BookmarkPlus, Plus, X } from 'lucide-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { capitalize } from '../../ui/Badge.tsx';
import { Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { WorkspaceShortcuts } from '../workspace/WorkspaceShortcuts.tsx';
import {
  defaultSort,
  fromSavedQuery,
  hasFilters,
  parseFilters,
  type QueueFilters,
  type QueueView,
  SORT_LABELS,
  SORTS,
  STATUS_OPTIONS,
  toSearch,
  VIEW_LABELS,
} from './queueFilters.ts';
import { QueueTable } from './QueueTable.tsx';
import { SaveViewDialog } from './SaveViewDialog.tsx';
import { UnroutedList } from './UnroutedList.tsx';
import { useQueueLive } from './useQueueLive.ts';
import { ViewsRail } from './ViewsRail.tsx';

const EMPTY_TEXT: Record<QueueView, string> = {
  mine: 'No open ticket is assigned to you.',
  teams: 'Your teams have no open tickets.',
  all: 'There are no open tickets.',
  unassigned: 'Every open ticket has someone on it.',
  breached: 'No open ticket has breached an SLA.',
  waiting: 'No ticket is waiting for a customer’s reply.',
  closed: 'No ticket closed in the last 7 days.',
  unrouted: 'Every ticket found a flow.',
};

const CLEARED: QueueFilters = {
  view: null,
  status: null,
  priority: null,
  flowId: null,
  nodeId: null,
  breachedOnly: false,
  search: null,
  sort: null,
  savedId: null,
};

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
          <option value="">{filters.search ? 'Any' : 'Any open'}</option>
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
              ...filters,
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

function SortSelect({ value, onChange }: { value: string; onChange: (sort: QueueFilters['sort']) => void }) {
  return (
    <label className="filter">
      <span>Sort by</span>
      <select
        value={value}
        onChange={(e) => onChange(SORTS.find((s) => s === e.target.value) ?? null)}
        className="sort-select"
      >
        {SORTS.map((s) => (
          <option key={s} value={s}>
            {SORT_LABELS[s]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function QueuePage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const me = useMe();
  const canSeeUnrouted = me.data?.role === 'admin' || me.data?.role === 'manager';
  const filters = parseFilters(params, canSeeUnrouted);
  const live = useQueueLive();
  const views = useQuery(trpc.views.list.queryOptions(undefined, { refetchInterval: 60_000 }));
  const defaultView = views.data?.defaultView ?? null;
  const view = filters.view ?? defaultView;
  const [saving, setSaving] = useState(false);
  useTitle(filters.search ? `Search: ${filters.search}` : view ? VIEW_LABELS[view] : 'Queue');

  const change = (next: QueueFilters) => setParams(toSearch(next), { replace: true });
  /** A filter or the order changed by hand: no longer the saved view it may have come from. */
  const refine = (next: QueueFilters) => change({ ...next, savedId: null });
  const showingUnrouted = view === 'unrouted' && !filters.search;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{filters.search ? 'Search results' : 'Queue'}</h1>
          <p className="page-sub">
            {filters.search
              ? 'Tickets with these words in their subject, description, customer or conversation, open or closed.'
              : 'Each ticket with the step it is at.'}{' '}
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

      <div className="queue-layout">
        <ViewsRail
          views={views.data}
          active={filters.savedId ?? (filters.search ? null : view)}
          onBuiltIn={(v) => change({ ...CLEARED, view: v === defaultView ? null : v })}
          onSaved={(saved) => change(fromSavedQuery(saved.id, saved.query))}
          onDeleted={(id) => {
            if (filters.savedId === id) change({ ...filters, savedId: null });
          }}
        />
        <section className="queue-main" aria-label={filters.search ? 'Search results' : 'Tickets'}>
          {filters.search && (
            <div className="search-banner">
              <span>
                Results for <strong>“{filters.search}”</strong>
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={() => change({ ...filters, search: null, savedId: null })}
              >
                <X size={14} aria-hidden="true" /> Clear search
              </button>
            </div>
          )}
          {!showingUnrouted && view && (
            <div className="queue-bar">
              <Filters filters={filters} onChange={refine} />
              <SortSelect
                value={filters.sort ?? defaultSort(view, filters.search)}
                onChange={(sort) => refine({ ...filters, sort })}
              />
              <button type="button" className="btn btn-secondary btn-small" onClick={() => setSaving(true)}>
                <BookmarkPlus size={15} aria-hidden="true" /> Save view
              </button>
            </div>
          )}
          {view === null ? (
            <Loading label="Loading views…" />
          ) : showingUnrouted ? (
            <UnroutedList />
          ) : (
            <QueueTable
              // A new view starts its own "what changed" memory: switching filters is not an update.
              key={`${view}:${toSearch({ ...filters, savedId: null }).toString()}`}
              filters={filters}
              view={view}
              empty={
                filters.search
                  ? 'No ticket has all of these words. Try fewer, or the start of a word.'
                  : hasFilters(filters)
                    ? 'No ticket of this view matches these filters.'
                    : EMPTY_TEXT[view]
              }
            />
          )}
        </section>
      </div>
      {saving && view && (
        <SaveViewDialog
          filters={filters}
          view={view}
          onClose={() => setSaving(false)}
          onSaved={(id) => {
            setSaving(false);
            change({ ...filters, savedId: id });
          }}
        />
      )}
      <WorkspaceShortcuts page="queue" />
    </>
  );
}
