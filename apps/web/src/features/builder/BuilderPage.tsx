import { parseFlowDocument } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { type FlowInfo, useTRPC, useTRPCClient } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { Builder } from './Builder.tsx';
import { Builder as BuilderModel } from './store.ts';

/** Creates the builder's store once, from the draft as loaded. */
function OpenBuilder({ flow }: { flow: FlowInfo }) {
  const trpc = useTRPC();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [state] = useState(() => {
    const parsed = parseFlowDocument(flow.draft);
    return parsed.ok
      ? {
          builder: new BuilderModel(parsed.document, {
            meta: { name: flow.name, description: flow.description },
          }),
          issues: null,
        }
      : { builder: null, issues: parsed.issues };
  });
  if (!state.builder) {
    return (
      <EmptyState title="This draft cannot be opened">
        {state.issues?.[0]?.message ?? 'The saved draft is not a valid flow document.'}
      </EmptyState>
    );
  }
  return (
    <ReactFlowProvider>
      <Builder
        builder={state.builder}
        flowId={flow.id}
        revision={flow.draftRevision}
        teams={teams.data}
        flows={flows.data}
      />
    </ReactFlowProvider>
  );
}

/** `/flows/:flowId/edit`: the builder, for managers and admins. */
export function BuilderPage() {
  const { flowId = '' } = useParams();
  const client = useTRPCClient();
  const me = useMe();
  // The draft is read once per visit (and never refetched under the builder's feet): the builder owns
  // it from then on, and the query is dropped when the page closes so the next visit reads it fresh.
  const flow = useQuery({
    queryKey: ['builder', 'draft', flowId],
    queryFn: () => client.flows.get.query({ flowId }),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    retry: false,
  });
  useTitle(flow.data ? `Edit ${flow.data.name}` : 'Edit flow');

  if (me.data && me.data.role === 'agent') {
    return (
      <EmptyState title="Only managers and admins edit flows">
        You can <Link to={`/flows/${flowId}`}>view this flow</Link> and its published versions.
      </EmptyState>
    );
  }
  if (flow.isPending) return <Loading label="Opening the draft…" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  return <OpenBuilder key={flow.data.id} flow={flow.data} />;
}
