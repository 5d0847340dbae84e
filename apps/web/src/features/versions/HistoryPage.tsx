import { type FlowDocument, parseFlowDocument } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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
import { restoreLossSentence } from './restoreLoss.ts';

function documentOf(raw: unknown): FlowDocument | null {
  const parsed = parseFlowDocument(raw);
  return parsed.ok ? parsed.document : null;
}

/** A restore waiting for the manager's word: what it would discard, and the draft revision it was read at. */
type PendingRestore = { version: VersionSummary; sentence: string; revision: number };

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
  const queryClient = useQueryClient();
  const [pendingRestore, setPendingRestore] = useState<PendingRestore | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
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

  const runRestore = (version: VersionSummary, revision: number) =>
    restore.mutate(
      { flowId, versionId: version.id, revision },
      { onSuccess: () => void navigate(`/flows/${flowId}/compare?from=${version.id}&to=draft`) },
    );

  /**
   * Restores at once when the draft has nothing unpublished (or already is that version); otherwise asks
   * first, saying what would be lost. Reads the draft afresh: another tab may have changed it.
   */
  const askRestore = async (version: VersionSummary) => {
    setChecking(version.id);
    try {
      const fresh = await flow.refetch();
      if (!fresh.data) throw fresh.error ?? new Error('The draft could not be read.');
      const latest = [...(versions.data ?? [])].sort((a, b) => b.number - a.number)[0];
      const read = (versionId: string) =>
        queryClient.fetchQuery({
          ...trpc.versions.get.queryOptions({ versionId }),
          // Published versions never change.
          staleTime: Number.POSITIVE_INFINITY,
        });
      const [latestVersion, target] = await Promise.all([
        latest ? read(latest.id) : Promise.resolve(null),
        read(version.id),
      ]);
      const draft = documentOf(fresh.data.draft);
      const targetDoc = documentOf(target.document);
      const latestDoc = latestVersion ? documentOf(latestVersion.document) : null;
      const sentence =
        draft && targetDoc && (latestDoc || !latestVersion)
          ? restoreLossSentence({
              draft,
              latest:
                latestVersion && latestDoc ? { number: latestVersion.number, document: latestDoc } : null,
              restoring: { number: version.number, document: targetDoc },
            })
          : `Restoring v${version.number} replaces your draft.`;
      if (sentence === null) runRestore(version, fresh.data.draftRevision);
      else setPendingRestore({ version, sentence, revision: fresh.data.draftRevision });
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setChecking(null);
    }
  };

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
                            disabled={restore.isPending || checking !== null}
                            onClick={() => void askRestore(v)}
                          >
                            <RotateCcw size={13} aria-hidden="true" />{' '}
                            {checking === v.id ? 'Checking the draft…' : 'Restore to draft'}
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
      {pendingRestore && (
        <Dialog
          open
          title={`Restore v${pendingRestore.version.number} into the draft?`}
          description={<p className="restore-loss">{pendingRestore.sentence}</p>}
          onClose={() => setPendingRestore(null)}
          footer={
            <>
              <button type="button" className="btn btn-secondary" onClick={() => setPendingRestore(null)}>
                Keep my draft
              </button>
              <button
                type="button"
                className="btn btn-danger"
                disabled={restore.isPending}
                onClick={() => {
                  const { version, revision } = pendingRestore;
                  setPendingRestore(null);
                  runRestore(version, revision);
                }}
              >
                Discard changes and restore v{pendingRestore.version.number}
              </button>
            </>
          }
        />
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
