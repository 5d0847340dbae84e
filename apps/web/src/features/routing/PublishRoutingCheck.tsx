import { moveBefore, startTriggerOf } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, ArrowUpToLine, ListOrdered } from 'lucide-react';
import { useId } from 'react';
import { useParams } from 'react-router';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { useBuilderState } from '../builder/BuilderContext.ts';
import { ordinal, useSaveRouteOrder } from './useRouteOrder.ts';

/**
 * In the publish dialog: where the flow will stand in the route order once published with the draft's
 * start filters, and — before publishing — a warning in words when earlier flows would take every
 * ticket it accepts, with a one-click "Move before it" that reorders.
 */
export function PublishRoutingCheck() {
  const trpc = useTRPC();
  const { flowId = '' } = useParams();
  const trigger = useBuilderState((s) => startTriggerOf(s.document));
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }, { enabled: flowId !== '' }));
  const preview = useQuery(
    trpc.routing.previewPublish.queryOptions(
      {
        flowId,
        trigger: trigger ?? { mode: 'manual', channels: [], categories: [], priorities: [], tiers: [] },
      },
      { enabled: flowId !== '' && trigger !== null },
    ),
  );
  const { save, pending } = useSaveRouteOrder();
  const sentenceId = useId();

  if (trigger === null || flowId === '') return null;
  if (preview.isPending) return <p className="publish-routing muted">Checking the route order…</p>;
  if (preview.isError) {
    return (
      <p className="publish-routing muted">Could not check the route order: {errorMessage(preview.error)}</p>
    );
  }
  const { shadowing, position, order, filters, movesBeforeCatchAll } = preview.data;
  if (shadowing) {
    const before = shadowing.moveBefore;
    return (
      <div className="notice notice-warning publish-routing" role="alert">
        <AlertTriangle size={16} aria-hidden="true" className="notice-icon" />
        <div className="notice-body">
          <p id={sentenceId}>
            <strong>No ticket would reach this flow.</strong> {shadowing.sentence}, so this flow would never
            start.
          </p>
          <button
            type="button"
            className="btn btn-secondary btn-small publish-routing-move"
            aria-describedby={sentenceId}
            disabled={pending}
            onClick={() =>
              void save(moveBefore(order, flowId, before.id), {
                id: flowId,
                name: flow.data?.name ?? 'This flow',
              })
            }
          >
            <ArrowUpToLine size={15} aria-hidden="true" /> Move before it
          </button>
        </div>
      </div>
    );
  }
  return (
    <p className="publish-routing">
      <ListOrdered size={15} aria-hidden="true" />{' '}
      {trigger.mode === 'manual' ? (
        <span>Started by hand only: intake never routes new tickets to it.</span>
      ) : (
        <span>
          Routing: takes {filters}, {ordinal(position)} of {order.length} in the route order
          {movesBeforeCatchAll ? ' (publishing places it before the catch-all flows)' : ''}.
        </span>
      )}
    </p>
  );
}
