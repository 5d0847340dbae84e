import { useMutation, useQuery } from '@tanstack/react-query';
import { ArrowLeft, GitCompare, History, RotateCcw } from 'lucide-react';
import { useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { toast } from 'sonner';
import { errorCode, errorMessage, useTRPC, type VersionSummary } from '../../trpc.ts';
import { Badge } from '../../ui/Badge.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { useTitle } from '../../ui/useTitle.ts';
import { useMe } from '../auth/useMe.ts';
import { PilotBar, useRolloutRefresh } from './PilotBar.tsx';

/** A flow's published versions: open, compare, restore into the draft, or pilot one. */
export function HistoryPage() {
  const { flowId = '' } = useParams();
  const trpc = useTRPC();
  const me = useMe();
  const navigate = useNavigate();
  const refresh = useRolloutRefresh();
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  useTitle(flow.data ? `History — ${flow.data.name}` : 'Version history');
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const [piloting, setPiloting] = useState<VersionSummary | null>(null);
  const restore = useMutation(
    trpc.versions.restore.mutationOptions({
      onSuccess: (_r, input) => {
        const v = versions.data?.find((x) => x.id === input.versionId);
        toast.success(`v${v?.number ?? ''} restored into the draft. Publish it to make it live.`);
        refresh();
      },
      onError: (error) => {
        toast.error(
          errorCode(error) === 'CONFLICT'
            ? 'Someone saved the draft meanwhile. The page has been refreshed: try again.'
            : errorMessage(error),
        );
        refresh();
      },
    }),
  );

  if (flow.isPending || versions.isPending) return <Loading label="Loading history…" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  const canManage = (me.data?.role ?? 'agent') !== 'agent';
  const sorted = [...versions.data].sort((a, b) => b.number - a.number);
  const hasActive = sorted.some((v) => v.isActive);

  return (
    <>
      <div className="page-head">
        <div>
          <Link to={`/flows/${flowId}`} className="back-link">
            <ArrowLeft size={14} aria-hidden="true" /> {flow.data.name}
          </Link>
          <h1>
            <History size={20} aria-hidden="true" /> Version history
          </h1>
        </div>
        {sorted.length > 0 && (
          <Link to={`/flows/${flowId}/compare`} className="btn btn-secondary">
            <GitCompare size={15} aria-hidden="true" /> Compare
          </Link>
        )}
      </div>
      <PilotBar flowId={flowId} />
      {sorted.length === 0 ? (
        <EmptyState title="No versions yet">Publish the draft to create the first version.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table history-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Published</th>
                <th scope="col">Message</th>
                <th scope="col">Content</th>
                <th scope="col" className="num">
                  Live tickets
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((v, i) => {
                const previous = sorted[i + 1];
                return (
                  <tr key={v.id}>
                    <td>
                      <span className="version-number">v{v.number}</span>{' '}
                      {v.isActive && <Badge tone="success">Active</Badge>}{' '}
                      {v.isPilot && <Badge tone="info">Pilot</Badge>}
                    </td>
                    <td>
                      {v.authorName ?? 'Someone'}
                      <div className="muted">{formatDateTime(v.createdAt)}</div>
                    </td>
                    <td>{v.message || <span className="muted">No message</span>}</td>
                    <td>
                      <code title={v.contentHash}>{v.contentHash.slice(0, 10)}</code>
                    </td>
                    <td className="num">{v.liveTickets}</td>
                    <td>
                      <span className="history-actions">
                        <Link className="btn btn-small btn-ghost" to={`/flows/${flowId}?version=${v.id}`}>
                          View
                        </Link>
                        {previous && (
                          <Link
                            className="btn btn-small btn-ghost"
                            to={`/flows/${flowId}/compare?from=${previous.id}&to=${v.id}`}
                          >
                            Compare with v{previous.number}
                          </Link>
                        )}
                        {canManage && (
                          <button
                            type="button"
                            className="btn btn-small btn-ghost"
                            disabled={restore.isPending}
                            onClick={() =>
                              restore.mutate(
                                { flowId, versionId: v.id, revision: flow.data.draftRevision },
                                {
                                  onSuccess: () =>
                                    void navigate(`/flows/${flowId}/compare?from=${v.id}&to=draft`),
                                },
                              )
                            }
                          >
                            <RotateCcw size={13} aria-hidden="true" /> Restore to draft
                          </button>
                        )}
                        {canManage && hasActive && !v.isActive && (
                          <button
                            type="button"
                            className="btn btn-small btn-secondary"
                            onClick={() => setPiloting(v)}
                          >
                            {v.isPilot ? 'Change pilot' : 'Start pilot'}
                          </button>
                        )}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {piloting && (
        <StartPilotDialog
          flowId={flowId}
          version={piloting}
          onClose={() => setPiloting(null)}
          onStarted={() => {
            setPiloting(null);
            refresh();
          }}
        />
      )}
    </>
  );
}

function StartPilotDialog({
  flowId,
  version,
  onClose,
  onStarted,
}: {
  flowId: string;
  version: VersionSummary;
  onClose: () => void;
  onStarted: () => void;
}) {
  const trpc = useTRPC();
  const percentId = useId();
  const [percent, setPercent] = useState(10);
  const start = useMutation(
    trpc.versions.startPilot.mutationOptions({
      onSuccess: (r) => {
        toast.success(
          `Pilot started: v${r?.number ?? version.number} on ${r?.percent ?? percent}% of new tickets.`,
        );
        onStarted();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const valid = Number.isInteger(percent) && percent >= 1 && percent <= 99;
  return (
    <Dialog
      open
      title={`Pilot v${version.number}`}
      description="A share of new tickets starts on this version; the rest keep the active version. Tickets never switch version by themselves."
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!valid || start.isPending}
            onClick={() => start.mutate({ flowId, versionId: version.id, percent })}
          >
            Start pilot
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={percentId}>Share of new tickets (%)</label>
        <input
          id={percentId}
          type="number"
          min={1}
          max={99}
          step={1}
          value={Number.isNaN(percent) ? '' : percent}
          onChange={(e) => setPercent(e.target.valueAsNumber)}
        />
        {!valid && <p className="field-error">Choose a whole number from 1 to 99.</p>}
      </div>
    </Dialog>
  );
}
