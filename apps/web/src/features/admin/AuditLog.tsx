import { useInfiniteQuery } from '@tanstack/react-query';
import { humanize } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { useTRPC, useTRPCClient } from '../../trpc.ts';

const PAGE = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HASH = /^[0-9a-f]{24,}$/i;

/** `flowName` → `flow name`, `content_hash` → `content hash`. */
function words(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._]+/g, ' ')
    .toLowerCase()
    .trim();
}

/** Long machine values (ids, hashes) shortened to what a person compares by eye. */
export function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  if (UUID.test(text)) return `${text.slice(0, 8)}…`;
  if (HASH.test(text)) return `${text.slice(0, 12)}…`;
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** A compact, readable line for an entry's data: `from: agent · to: manager · flow name: Refund request`. */
export function describeData(data: unknown): string {
  if (data === null || data === undefined) return '';
  if (typeof data !== 'object' || Array.isArray(data)) return shortValue(data);
  return Object.entries(data as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${words(k)}: ${shortValue(v)}`)
    .join(' · ');
}

/** Who changed what in the configuration (flows, versions, users, roles, teams, tokens, webhooks), newest first. */
export function AuditLog() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const audit = useInfiniteQuery({
    queryKey: [...trpc.admin.audit.queryKey(), 'pages'],
    queryFn: ({ pageParam }) => client.admin.audit.query({ limit: PAGE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = audit.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <section aria-labelledby="audit-heading">
      <div className="page-head">
        <div>
          <h2 id="audit-heading" className="section-title">
            Audit log
          </h2>
          <p className="page-sub">Every configuration change, who made it and when. Newest first.</p>
        </div>
      </div>
      {audit.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table audit">
              <caption className="sr-only">{entries.length} audit entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id}>
                    <td className="cell-time">
                      <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
                    </td>
                    <td>{e.actorName ?? <span className="muted">System</span>}</td>
                    <td>
                      <div className="row-title">{humanize(e.action.replace(/\./g, ' '))}</div>
                      <div className="row-sub">
                        {humanize(e.targetType)}
                        {e.targetId ? (
                          <code className="audit-id" title={e.targetId}>
                            {shortValue(e.targetId)}
                          </code>
                        ) : null}
                      </div>
                    </td>
                    <td className="audit-data">{describeData(e.data) || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="load-more">
            {audit.hasNextPage ? (
              <button
                type="button"
                className="btn btn-secondary"
                disabled={audit.isFetchingNextPage}
                onClick={() => void audit.fetchNextPage()}
              >
                {audit.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            ) : (
              <span className="muted">That is everything.</span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
