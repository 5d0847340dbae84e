import type { Priority } from '@stepwise/flow';
import { PRIORITIES } from '@stepwise/flow/vocabulary';

/** The built-in views (tickets.list `view`), in the order the queue lists them. */
export const VIEWS = [
  'mine',
  'teams',
  'all',
  'unassigned',
  'breached',
  'waiting',
  'closed',
  'unrouted',
] as const;
export type QueueView = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<QueueView, string> = {
  mine: 'My tickets',
  teams: 'My teams',
  all: 'All open',
  unassigned: 'Unassigned',
  breached: 'Breached',
  waiting: 'Waiting on customer',
  closed: 'Recently closed',
  unrouted: 'Unrouted',
};

export const SORTS = ['sla', 'priority', 'oldest', 'newest', 'updated'] as const;
export type QueueSort = (typeof SORTS)[number];

export const SORT_LABELS: Record<QueueSort, string> = {
  sla: 'SLA due',
  priority: 'Priority',
  oldest: 'Oldest first',
  newest: 'Newest first',
  updated: 'Last updated',
};

/** How a list in each order is described ("12 tickets, soonest SLA due first"). */
export const SORT_PHRASES: Record<QueueSort, string> = {
  sla: 'soonest SLA due first',
  priority: 'most urgent first',
  oldest: 'oldest first',
  newest: 'newest first',
  updated: 'last updated first',
};

/** The order a view opens in when none is chosen: search results by last update, closed ones too. */
export function defaultSort(view: QueueView | null, search: string | null): QueueSort {
  if (search) return 'updated';
  return view === 'closed' ? 'updated' : view === 'unrouted' ? 'newest' : 'sla';
}

/** The queue's state, all kept in the URL. */
export type QueueFilters = {
  /** A built-in view; null = the person's default (their teams, or every open ticket for a manager in none). */
  view: QueueView | null;
  /** null = any status the view takes. */
  status: string | null;
  priority: Priority | null;
  flowId: string | null;
  /** A node of the chosen flow (node ids are stable across versions); only with a flow. */
  nodeId: string | null;
  /** Only tickets that have breached an SLA, now or at an earlier step (the mark stays for good). */
  breachedOnly: boolean;
  /** Words to find in every ticket (any view, any status); null = no search. */
  search: string | null;
  /** null = the view's default order. */
  sort: QueueSort | null;
  /** The saved view these filters came from (highlighted while they are unchanged). */
  savedId: string | null;
};

export const STATUS_OPTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'at_step', label: 'At a step' },
  { value: 'waiting', label: 'Waiting' },
  { value: 'in_subflow', label: 'In a subflow' },
  { value: 'parked', label: 'Needs attention' },
];

const STATUSES = new Set(STATUS_OPTIONS.map((s) => s.value));
type OpenStatus = 'at_step' | 'waiting' | 'in_subflow' | 'parked';
const isOpenStatus = (value: string): value is OpenStatus => STATUSES.has(value);
const isPriority = (value: string | null): value is Priority =>
  value !== null && (PRIORITIES as readonly string[]).includes(value);
const isSort = (value: string | null): value is QueueSort =>
  value !== null && (SORTS as readonly string[]).includes(value);
/** What a URL may carry as an id: bounded, no odd characters (the API checks again). */
const SAFE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function isView(value: string | null, canSeeUnrouted: boolean): value is QueueView {
  return (VIEWS as readonly string[]).includes(value ?? '') && (value !== 'unrouted' || canSeeUnrouted);
}

const idOrNull = (value: string | null) => (value !== null && SAFE_ID.test(value) ? value : null);

/** Reads the queue's state from the query string; anything unknown or malformed falls back to the default. */
export function parseFilters(search: URLSearchParams, canSeeUnrouted: boolean): QueueFilters {
  const view = search.get('scope');
  const status = search.get('status');
  const priority = search.get('priority');
  const flowId = idOrNull(search.get('flow'));
  const sort = search.get('sort');
  const words = search.get('q')?.trim().slice(0, 200) ?? '';
  return {
    view: isView(view, canSeeUnrouted) ? view : null,
    status: status !== null && STATUSES.has(status) ? status : null,
    priority: isPriority(priority) ? priority : null,
    flowId,
    nodeId: flowId === null ? null : idOrNull(search.get('step')),
    breachedOnly: search.get('breached') === '1',
    search: words === '' ? null : words,
    sort: isSort(sort) ? sort : null,
    savedId: idOrNull(search.get('saved')),
  };
}

/** The query string of a state: defaults left out, so a plain `/queue` is the person's default view. */
export function toSearch(filters: QueueFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (filters.search) out.set('q', filters.search);
  if (filters.view) out.set('scope', filters.view);
  if (filters.status) out.set('status', filters.status);
  if (filters.priority) out.set('priority', filters.priority);
  if (filters.flowId) {
    out.set('flow', filters.flowId);
    if (filters.nodeId) out.set('step', filters.nodeId);
  }
  if (filters.breachedOnly) out.set('breached', '1');
  if (filters.sort) out.set('sort', filters.sort);
  if (filters.savedId) out.set('saved', filters.savedId);
  return out;
}

/**
 * The `tickets.list` input (less the cursor) of a state, with the view resolved: a search from the top
 * bar (no view chosen) looks through every ticket; otherwise the view's tickets.
 */
export function toListInput(filters: QueueFilters, view: QueueView) {
  return {
    ...(filters.search ? { search: filters.search } : {}),
    ...(filters.search && filters.view === null ? {} : { view }),
    sort: filters.sort ?? defaultSort(view, filters.search),
    limit: 100,
    ...(filters.status ? { status: [filters.status] } : {}),
    ...(filters.priority ? { priority: [filters.priority] } : {}),
    ...(filters.flowId ? { flowId: filters.flowId } : {}),
    ...(filters.flowId && filters.nodeId ? { nodeId: filters.nodeId } : {}),
    ...(filters.breachedOnly ? { breachedOnly: true } : {}),
  };
}

/** A saved view's query (views.create) from the queue's state (a search of every ticket has no view). */
export function toSavedQuery(filters: QueueFilters, view: QueueView) {
  return {
    ...(filters.search && filters.view === null ? {} : { view }),
    sort: filters.sort ?? defaultSort(view, filters.search),
    ...(filters.search ? { search: filters.search } : {}),
    ...(filters.status && isOpenStatus(filters.status) ? { status: [filters.status] } : {}),
    ...(filters.priority ? { priority: [filters.priority] } : {}),
    ...(filters.flowId ? { flowId: filters.flowId } : {}),
    ...(filters.flowId && filters.nodeId ? { nodeId: filters.nodeId } : {}),
    ...(filters.breachedOnly ? { breachedOnly: true } : {}),
  };
}

/** The queue's state that opens a saved view. */
export function fromSavedQuery(
  id: string,
  query: {
    view?: QueueView | undefined;
    sort: QueueSort;
    search?: string | undefined;
    status?: string[] | undefined;
    priority?: Priority[] | undefined;
    flowId?: string | undefined;
    nodeId?: string | undefined;
    breachedOnly?: boolean | undefined;
  },
): QueueFilters {
  return {
    view: query.view ?? null,
    status: query.status?.[0] ?? null,
    priority: query.priority?.[0] ?? null,
    flowId: query.flowId ?? null,
    nodeId: query.nodeId ?? null,
    breachedOnly: query.breachedOnly ?? false,
    search: query.search ?? null,
    sort: query.sort,
    savedId: id,
  };
}

export function hasFilters(filters: QueueFilters): boolean {
  return (
    filters.status !== null || filters.priority !== null || filters.flowId !== null || filters.breachedOnly
  );
}

/**
 * The rows that changed since the last answer (a new row, or a later `updatedAt`), for the "updated"
 * flash. Returns nothing on the first answer: a page that just loaded has nothing to point at.
 */
export function changedRows(
  previous: ReadonlyMap<string, string> | null,
  rows: ReadonlyArray<{ id: string; updatedAt: string }>,
): string[] {
  if (previous === null) return [];
  return rows.filter((r) => previous.get(r.id) !== r.updatedAt).map((r) => r.id);
}
