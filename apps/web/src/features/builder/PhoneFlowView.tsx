import { useQuery } from '@tanstack/react-query';
import { MonitorSmartphone } from 'lucide-react';
import { Link, useParams } from 'react-router';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { useTRPC } from '../../trpc.ts';

/**
 * `/flows/:flowId/edit` on a phone: drawing needs room the screen does not have, so the draft opens
 * read-only on the canvas (pan and zoom work) with a message saying where to edit it.
 */
export function PhoneFlowView() {
  const { flowId = '' } = useParams();
  const trpc = useTRPC();
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  const teams = useQuery(trpc.teams.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  useTitle(flow.data ? `${flow.data.name} (read-only)` : 'Flow draft');

  if (flow.isPending) return <Loading label="Opening the draft…" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  return (
    <>
      <div className="page-head">
        <div>
          <Link to={`/flows/${flowId}`} className="back-link">
            ← {flow.data.name}
          </Link>
          <h1>{flow.data.name}: draft</h1>
        </div>
      </div>
      <div className="notice notice-info" role="status">
        <MonitorSmartphone size={18} aria-hidden="true" className="notice-icon" />
        <div className="notice-body">
          <strong>Read-only on a phone.</strong> The builder needs a wider screen (a tablet or a computer) to
          edit. Here you can look at the draft as it was last saved.
        </div>
      </div>
      <FlowCanvas
        document={flow.data.draft}
        label={`${flow.data.name}, draft (read-only)`}
        teams={teams.data}
        flows={flows.data}
        height="calc(100vh - 260px)"
      />
    </>
  );
}
