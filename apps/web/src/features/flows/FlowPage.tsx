import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, BarChart3, GitCompare, History } from 'lucide-react';
import { lazy, Suspense, useId } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import { useMe } from '../auth/useMe.ts';
import { EditDraftLink } from '../builder/EditDraftLink.tsx';
import { Badge } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { type VersionSummary, useTRPC } from '../../trpc.ts';
import { useTitle } from '../../ui/useTitle.ts';
import { PilotBar } from '../versions/PilotBar.tsx';

// The export menu draws pictures with the node kinds' colours and asks the server for BPMN: loaded with
// the version, not with the app.
const ExportMenu = lazy(() => import('../builder/ExportMenu.tsx').then((m) => ({ default: m.ExportMenu })));

/** The version to show: the one in `?version=`, else the active one, else the latest. */
function pickVersion(versions: readonly VersionSummary[], wanted: string | null): VersionSummary | undefined {
  return (
    (wanted ? versions.find((v) => v.id === wanted) : undefined) ??
    versions.find((v) => v.isActive) ??
    versions.reduce<VersionSummary | undefined>(
      (best, v) => (!best || v.number > best.number ? v : best),
      undefined,
    )
  );
}

export function FlowPage() {
  const { flowId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const trpc = useTRPC();
  const me = useMe();
  const pickerId = useId();
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  useTitle(flow.data?.name);
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const teams = useQuery(trpc.teams.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  const selected = versions.data ? pickVersion(versions.data, search.get('version')) : undefined;
  const version = useQuery({
    ...trpc.versions.get.queryOptions({ versionId: selected?.id ?? '' }),
    enabled: selected !== undefined,
    // Published versions never change.
    staleTime: Number.POSITIVE_INFINITY,
  });

  if (flow.isPending || versions.isPending) return <Loading label="Loading flow…" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  const sorted = [...versions.data].sort((a, b) => b.number - a.number);

  return (
    <>
      <div className="page-head">
        <div>
          <Link to="/flows" className="back-link">
            <ArrowLeft size={14} aria-hidden="true" /> Flows
          </Link>
          <h1>{flow.data.name}</h1>
          {flow.data.description && <p className="page-sub">{flow.data.description}</p>}
        </div>
        <EditDraftLink flowId={flowId} />
        {(me.data?.role === 'admin' || me.data?.role === 'manager') && sorted.length > 0 && (
          <Link to={`/flows/${flowId}/analytics`} className="btn btn-secondary">
            <BarChart3 size={15} aria-hidden="true" /> Analytics
          </Link>
        )}
        <Link to={`/flows/${flowId}/history`} className="btn btn-secondary">
          <History size={15} aria-hidden="true" /> History
        </Link>
        {sorted.length > 0 && (
          <Link to={`/flows/${flowId}/compare`} className="btn btn-secondary">
            <GitCompare size={15} aria-hidden="true" /> Compare
          </Link>
        )}
        {sorted.length > 0 && selected && (
          <div className="field field-inline">
            <label htmlFor={pickerId}>Version</label>
            <select
              id={pickerId}
              value={selected.id}
              onChange={(e) => setSearch({ version: e.target.value }, { replace: true })}
            >
              {sorted.map((v) => (
                <option key={v.id} value={v.id}>
                  v{v.number}
                  {v.isActive ? ' (active)' : ''}
                  {v.message ? ` — ${v.message}` : ''}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>

      <PilotBar flowId={flowId} />
      {!selected ? (
        <EmptyState title="Not published yet">
          This flow has a draft but no published version. Tickets start on a flow once a version is published.
        </EmptyState>
      ) : (
        <>
          <div className="version-meta">
            <span className="version-number">Version {selected.number}</span>
            {selected.isActive ? <Badge tone="success">Active</Badge> : <Badge>Not active</Badge>}
            {selected.isPilot && <Badge tone="info">Pilot</Badge>}
            <span className="muted">
              Published by {selected.authorName ?? 'someone'} on {formatDateTime(selected.createdAt)}
            </span>
            {selected.message && <span className="version-message">“{selected.message}”</span>}
            {(me.data?.role === 'admin' || me.data?.role === 'manager') && version.data && (
              <Suspense fallback={null}>
                <ExportMenu
                  document={version.data.document}
                  name={`${flow.data.name} v${selected.number}`}
                  flowId={flowId}
                  versionId={selected.id}
                />
              </Suspense>
            )}
          </div>
          {version.isPending ? (
            <Loading label="Loading version…" />
          ) : version.isError ? (
            <ErrorState error={version.error} onRetry={() => void version.refetch()} />
          ) : (
            <FlowCanvas
              document={version.data.document}
              label={`${flow.data.name}, version ${selected.number}`}
              teams={teams.data}
              flows={flows.data}
              height="calc(100vh - 230px)"
            />
          )}
        </>
      )}
    </>
  );
}
