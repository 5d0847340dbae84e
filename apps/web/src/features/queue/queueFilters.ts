import type { Priority } from '@stepwise/flow';
import { PRIORITIES } from '@stepwise/flow/vocabulary';
import type { QueueScope } from '../../trpc.ts';

/** The queue's view: a scope (or the managers' "Unrouted" list) and the filters, all kept in the URL. */
export type QueueView = QueueScope | 'unrouted';

export type QueueFilters = {
  view: QueueView;
  /** null = any open status. */
  status: string | null;
  priority: Priority | null;
  flowId: string | null;
  /** A node of the chosen flow (node ids are stable across versions); only with a flow. */
  nodeId: string | null;
  /** Only tickets that have breached an SLA, now or at an earlier step (the mark stays for good). */
  breachedOnly: boolean;
};

export const STATUS_OPTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'at_step', label: 'At a step' },
  { value: 'waiting', label: 'Waiting' },
  { value: 'in_subflow', label: 'In a subflow' },
  { value: 'parked', label: 'Needs attention' },
];

const STATUSES = new Set(STATUS_OPTIONS.map((s) => s.value));
const isPriority = (value: string | null): value is Priority =>
  value !== null && (PRIORITIES as readonly string[]).includes(value);
/** What a URL may carry as an id: bounded, no odd characters (the API checks again). */
const SAFE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function isView(value: string | null, canSeeUnrouted: boolean): value is QueueView {
  return value === 'mine' || value === 'teams' || value === 'all' || (value === 'unrouted' && canSeeUnrouted);
}

const idOrNull = (value: string | null) => (value !== null && SAFE_ID.test(value) ? value : null);

/** Reads the queue's view from the query string; anything unknown or malformed falls back to the default. */
export function parseFilters(search: URLSearchParams, canSeeUnrouted: boolean): QueueFilters {
  const view = search.get('scope');
  const status = search.get('status');
  const priority = search.get('priority');
  const flowId = idOrNull(search.get('flow'));
  return {
    view: isView(view, canSeeUnrouted) ? view : 'teams',
    status: status !== null && STATUSES.has(status) ? status : null,
    priority: isPriority(priority) ? priority : null,
    flowId,
    nodeId: flowId === null ? null : idOrNull(search.get('step')),
    breachedOnly: search.get('breached') === '1',
  };
}

/** The query string of a view: defaults left out, so a plain `/queue` is "my teams, any open ticket". */
export function toSearch(filters: QueueFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (filters.view !== 'teams') out.set('scope', filters.view);
  if (filters.status) out.set('status', filters.status);
  if (filters.priority) out.set('priority', filters.priority);
  if (filters.flowId) {
    out.set('flow', filters.flowId);
    if (filters.nodeId) out.set('step', filters.nodeId);
  }
  if (filters.breachedOnly) out.set('breached', '1');
  return out;
}

/** The `tickets.queue` input for a scope view. */
export function toQueueInput(filters: QueueFilters & { view: QueueScope }) {
  return {
    scope: filters.view,
    limit: 200,
    ...(filters.status ? { status: [filters.status] } : {}),
    ...(filters.priority ? { priority: [filters.priority] } : {}),
    ...(filters.flowId ? { flowId: filters.flowId } : {}),
    ...(filters.flowId && filters.nodeId ? { nodeId: filters.nodeId } : {}),
    ...(filters.breachedOnly ? { breachedOnly: true } : {}),
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
