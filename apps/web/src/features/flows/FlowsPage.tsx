import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { NewFlowButton } from '../builder/NewFlowButton.tsx';
import { Badge } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useTRPC } from '../../trpc.ts';
import { useTitle } from '../../ui/useTitle.ts';

export function FlowsPage() {
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
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
        <NewFlowButton />
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
