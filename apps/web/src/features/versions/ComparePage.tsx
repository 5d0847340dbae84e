import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, Columns2, Layers } from 'lucide-react';
import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import { type VersionSummary, useTRPC } from '../../trpc.ts';
import { Badge } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { useMe } from '../auth/useMe.ts';
import { type ChangeItem, changeList, markCss, marksOf, overlayDocument } from './diffView.ts';
import { MigratePanel } from './MigratePanel.tsx';
import type { Comparison } from './types.ts';

// The word diff (and its diff library) loads with the first changed text, not with the page.
const WordDiff = lazy(() => import('./WordDiff.tsx').then((m) => ({ default: m.WordDiff })));

/** Defaults: the newest version against the one before it (or the draft when there is only one). */
function defaults(versions: readonly VersionSummary[]): { from: string; to: string } | null {
  const sorted = [...versions].sort((a, b) => b.number - a.number);
  const [latest, previous] = sorted;
  if (!latest) return null;
  return previous ? { from: previous.id, to: latest.id } : { from: latest.id, to: 'draft' };
}

function labelOf(ref: string, versions: readonly VersionSummary[]): string {
  if (ref === 'draft') return 'Draft';
  const v = versions.find((x) => x.id === ref);
  return v ? `v${v.number}${v.isActive ? ' (active)' : ''}${v.isPilot ? ' (pilot)' : ''}` : 'Unknown version';
}

const KIND_TONE = { added: 'success', removed: 'danger', changed: 'warning' } as const;

function kindLabel(item: ChangeItem): string {
  const kind = `${item.kind[0]?.toUpperCase()}${item.kind.slice(1)}`;
  return item.what === 'node' ? kind : `${item.what[0]?.toUpperCase()}${item.what.slice(1)} ${item.kind}`;
}

export function ComparePage() {
  const { flowId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const trpc = useTRPC();
  const me = useMe();
  const fromId = useId();
  const toId = useId();
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  useTitle(flow.data ? `Compare — ${flow.data.name}` : 'Compare versions');
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [mode, setMode] = useState<'side' | 'overlay'>('side');
  const [selected, setSelected] = useState<string | null>(null);

  const fallback = versions.data ? defaults(versions.data) : null;
  const from = search.get('from') ?? fallback?.from ?? '';
  const to = search.get('to') ?? fallback?.to ?? '';
  const comparison = useQuery({
    ...trpc.versions.compare.queryOptions({ flowId, from, to }),
    enabled: from !== '' && to !== '',
  });

  if (flow.isPending || versions.isPending) return <Loading label="Loading versions…" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  const sorted = [...versions.data].sort((a, b) => b.number - a.number);
  const choose = (key: 'from' | 'to', value: string) => {
    setSelected(null);
    setSearch({ from: key === 'from' ? value : from, to: key === 'to' ? value : to }, { replace: true });
  };
  const fromVersion = sorted.find((v) => v.id === from);
  const toVersion = sorted.find((v) => v.id === to);
  const canMigrate =
    (me.data?.role ?? 'agent') !== 'agent' &&
    fromVersion !== undefined &&
    toVersion !== undefined &&
    fromVersion.number < toVersion.number;

  return (
    <>
      <div className="page-head">
        <div>
          <Link to={`/flows/${flowId}`} className="back-link">
            <ArrowLeft size={14} aria-hidden="true" /> {flow.data.name}
          </Link>
          <h1>Compare versions</h1>
        </div>
        {sorted.length > 0 && (
          <div className="compare-pickers">
            <div className="field field-inline">
              <label htmlFor={fromId}>From</label>
              <select id={fromId} value={from} onChange={(e) => choose('from', e.target.value)}>
                {sorted.map((v) => (
                  <option key={v.id} value={v.id}>
                    {labelOf(v.id, sorted)}
                  </option>
                ))}
                <option value="draft">Draft</option>
              </select>
            </div>
            <div className="field field-inline">
              <label htmlFor={toId}>To</label>
              <select id={toId} value={to} onChange={(e) => choose('to', e.target.value)}>
                {sorted.map((v) => (
                  <option key={v.id} value={v.id}>
                    {labelOf(v.id, sorted)}
                  </option>
                ))}
                <option value="draft">Draft</option>
              </select>
            </div>
            <fieldset className="segmented" aria-label="Layout">
              <button
                type="button"
                className={mode === 'side' ? 'is-on' : ''}
                aria-pressed={mode === 'side'}
                onClick={() => setMode('side')}
              >
                <Columns2 size={14} aria-hidden="true" /> Side by side
              </button>
              <button
                type="button"
                className={mode === 'overlay' ? 'is-on' : ''}
                aria-pressed={mode === 'overlay'}
                onClick={() => setMode('overlay')}
              >
                <Layers size={14} aria-hidden="true" /> Overlaid
              </button>
            </fieldset>
          </div>
        )}
      </div>
      {sorted.length === 0 ? (
        <EmptyState title="Nothing to compare yet">Publish a version of this flow first.</EmptyState>
      ) : comparison.isPending ? (
        <Loading label="Comparing…" />
      ) : comparison.isError ? (
        <ErrorState error={comparison.error} onRetry={() => void comparison.refetch()} />
      ) : (
        <>
          <CompareView
            comparison={comparison.data}
            mode={mode}
            selected={selected}
            onSelect={setSelected}
            teams={teams.data}
            flowName={flow.data.name}
          />
          {canMigrate && fromVersion && toVersion && (
            <MigratePanel flowId={flowId} from={fromVersion} to={toVersion} comparison={comparison.data} />
          )}
        </>
      )}
    </>
  );
}

function Legend() {
  return (
    <ul className="diff-legend" aria-label="Legend">
      <li>
        <span className="diff-swatch diff-swatch-added" aria-hidden="true" /> Added
      </li>
      <li>
        <span className="diff-swatch diff-swatch-removed" aria-hidden="true" /> Removed
      </li>
      <li>
        <span className="diff-swatch diff-swatch-changed" aria-hidden="true" /> Changed
      </li>
      <li>
        <span className="diff-swatch diff-swatch-moved" aria-hidden="true" /> Moved
      </li>
    </ul>
  );
}

function CompareView({
  comparison,
  mode,
  selected,
  onSelect,
  teams,
  flowName,
}: {
  comparison: Comparison;
  mode: 'side' | 'overlay';
  selected: string | null;
  onSelect: (id: string | null) => void;
  teams: ReadonlyArray<{ id: string; name: string }> | undefined;
  flowName: string;
}) {
  const { from, to, diff, liveByNode } = comparison;
  const list = useMemo(
    () => changeList(from.document, to.document, diff, liveByNode),
    [from.document, to.document, diff, liveByNode],
  );
  const overlay = useMemo(
    () => overlayDocument(from.document, to.document, diff),
    [from.document, to.document, diff],
  );
  // Each canvas opens on the changes it shows (the whole flow when there are none); a selected item wins.
  const fromMarks = useMemo(() => marksOf(diff, 'from'), [diff]);
  const toMarks = useMemo(() => marksOf(diff, 'to'), [diff]);
  const overlayMarks = useMemo(() => marksOf(diff, 'overlay'), [diff]);
  const focusOf = (marks: Record<string, string>, document: { nodes: ReadonlyArray<{ id: string }> }) => {
    if (selected !== null && document.nodes.some((n) => n.id === selected)) return [selected];
    const changed = Object.entries(marks)
      .filter(([, mark]) => mark !== 'moved')
      .map(([id]) => id);
    return changed.length > 0 ? changed : undefined;
  };
  const css = [
    markCss('cmp-from', fromMarks, selected),
    markCss('cmp-to', toMarks, selected),
    markCss('cmp-overlay', overlayMarks, selected),
  ].join('\n');

  return (
    <div className="compare-layout">
      <style>{css}</style>
      <div className="compare-canvases">
        <Legend />
        {mode === 'side' ? (
          <div className="compare-side">
            <div className="cmp-from compare-pane">
              <h2 className="compare-pane-title">{from.label}</h2>
              <FlowCanvas
                document={from.document}
                label={`${flowName}, ${from.label}`}
                teams={teams}
                focus={focusOf(fromMarks, from.document)}
                height="calc(100vh - 260px)"
              />
            </div>
            <div className="cmp-to compare-pane">
              <h2 className="compare-pane-title">{to.label}</h2>
              <FlowCanvas
                document={to.document}
                label={`${flowName}, ${to.label}`}
                teams={teams}
                focus={focusOf(toMarks, to.document)}
                height="calc(100vh - 260px)"
              />
            </div>
          </div>
        ) : (
          <div className="cmp-overlay compare-pane">
            <h2 className="compare-pane-title">
              {from.label} → {to.label}
            </h2>
            <FlowCanvas
              document={overlay}
              label={`${flowName}, ${from.label} and ${to.label} overlaid`}
              teams={teams}
              focus={focusOf(overlayMarks, overlay)}
              height="calc(100vh - 260px)"
            />
          </div>
        )}
      </div>
      <aside className="compare-changes panel" aria-label="Changes">
        <h2>
          {diff.isEmpty
            ? 'No changes'
            : `${list.items.length} ${list.items.length === 1 ? 'change' : 'changes'}`}
        </h2>
        {diff.isEmpty && list.movedOnly.length === 0 && <p className="muted">These two are the same flow.</p>}
        <ul className="change-list">
          {list.items.map((item) => (
            <ChangeRow key={item.key} item={item} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
        {list.movedOnly.length > 0 && (
          <>
            <h3 className="change-group-title">Moved only</h3>
            <ul className="change-list">
              {list.movedOnly.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    className={`change-item change-moved${selected === m.id ? ' is-selected' : ''}`}
                    onClick={() => onSelect(selected === m.id ? null : m.id)}
                  >
                    <span className="change-title">{m.title}</span>
                    <span className="change-line muted">Position changed</span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </aside>
    </div>
  );
}

function ChangeRow({
  item,
  selected,
  onSelect,
}: {
  item: ChangeItem;
  selected: string | null;
  onSelect: (id: string | null) => void;
}) {
  const isSelected = item.focus !== null && selected === item.focus;
  const body = (
    <>
      <span className="change-head">
        <span className="change-title">{item.title}</span>
        <Badge tone={KIND_TONE[item.kind]}>{kindLabel(item)}</Badge>
      </span>
      {item.lines.map((line) => (
        <span key={line} className="change-line">
          {line}
        </span>
      ))}
      {item.live > 0 && (
        <span className="change-live">
          <Badge tone="info">
            {item.live} live {item.live === 1 ? 'ticket' : 'tickets'} here
          </Badge>
        </span>
      )}
    </>
  );
  return (
    <li>
      {item.focus === null ? (
        <div className={`change-item change-${item.kind}`}>{body}</div>
      ) : (
        <button
          type="button"
          className={`change-item change-${item.kind}${isSelected ? ' is-selected' : ''}`}
          aria-pressed={isSelected}
          onClick={() => onSelect(isSelected ? null : item.focus)}
        >
          {body}
        </button>
      )}
      {item.texts && (
        <Suspense fallback={null}>
          {item.texts.map((text) => (
            <WordDiff key={text.label} change={text} />
          ))}
        </Suspense>
      )}
    </li>
  );
}
