import type { StartTrigger } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ImportFlowButton } from '../builder/ImportFlowButton.tsx';
import { NewFlowButton } from '../builder/NewFlowButton.tsx';
import { Badge } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useTRPC } from '../../trpc.ts';
import { useTitle } from '../../ui/useTitle.ts';
import { useMe } from '../auth/useMe.ts';
import { filtersLine } from '../routing/RoutingPage.tsx';
import { ordinal } from '../routing/useRouteOrder.ts';

export function FlowsPage() {
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const me = useMe();
  const routes = useRouting(me.data?.role === 'admin' || me.data?.role === 'manager');
  useTitle('Flows');
  const now = Date.now();

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Flows</h1>
          <p className="page-sub">
            The processes your tickets follow. Open one to see its published version.
          </p>
        </div>
        <div className="page-actions">
          <ImportFlowButton />
          <NewFlowButton />
        </div>
      </div>
      {flows.isPending ? (
        <Loading label="Loading flows…" />
      ) : flows.isError ? (
        <ErrorState error={flows.error} onRetry={() => void flows.refetch()} />
      ) : flows.data.length === 0 ? (
        <EmptyState title="No flows yet">A manager creates the first flow of the workspace.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Active version</th>
                {routes && <th scope="col">Routing</th>}
                <th scope="col" className="num">
                  Versions
                </th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {flows.data.map((flow) => (
                <tr key={flow.id}>
                  <td>
                    <Link to={`/flows/${flow.id}`} className="row-title">
                      {flow.name}
                    </Link>
                    {flow.description && <div className="row-sub">{flow.description}</div>}
                  </td>
                  <td>
                    {flow.activeVersion ? (
                      <Badge tone="success">v{flow.activeVersion.number} live</Badge>
                    ) : (
                      <Badge>Not published</Badge>
                    )}
                  </td>
                  {routes && (
                    <td>
                      <RoutingCell entry={routes.get(flow.id)} />
                    </td>
                  )}
                  <td className="num">{flow.versionCount}</td>
                  <td>
                    <time dateTime={flow.updatedAt} title={formatDateTime(flow.updatedAt)}>
                      {formatRelative(flow.updatedAt, now)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

type RouteInfo = {
  position: number;
  trigger: StartTrigger | null;
  filters: string;
  shadowing: { sentence: string } | null;
};

/** Each flow's place in the route order, for the roles that may read it (null otherwise, or while loading). */
function useRouting(allowed: boolean): Map<string, RouteInfo> | null {
  const trpc = useTRPC();
  const order = useQuery(trpc.routing.order.queryOptions(undefined, { enabled: allowed }));
  if (!allowed || !order.data) return null;
  return new Map(order.data.map((f) => [f.id, f]));
}

function RoutingCell({ entry }: { entry: RouteInfo | undefined }) {
  if (!entry) return null;
  return (
    <div className="flows-routing">
      <Link to="/routing" className="flows-routing-pos">
        {ordinal(entry.position)}
        <span className="sr-only"> in the route order</span>
      </Link>{' '}
      <span>{filtersLine(entry)}</span>
      {entry.shadowing && (
        <p className="flows-routing-shadow">
          <Badge tone="warning">Never starts</Badge> {entry.shadowing.sentence}.
        </p>
      )}
    </div>
  );
}
