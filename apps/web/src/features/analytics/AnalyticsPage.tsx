import type { FlowDocument } from '@stepwise/flow';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { ArrowLeft } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { type FlowReport, useTRPC } from '../../trpc.ts';
import { humanize } from '../../ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { PilotBar } from '../versions/PilotBar.tsx';
import { BacktestPanel } from './BacktestPanel.tsx';
import { ComparePanel, PilotReadout } from './ComparePanel.tsx';
import { HEAT_MODES, type HeatMode, HeatmapPanel } from './HeatmapPanel.tsx';
import { CsvButton, FiguresTable, Kpi, VersionOptions } from './parts.tsx';
import { duration, FILTERS, nodeName, percent, RANGES, rangeOf } from './report.ts';

type Report = FlowReport;
type Step = Report['steps'][number];
type SortKey = 'name' | 'visits' | 'breachRate' | 'p50' | 'p90';

const STEP_COLUMNS: Array<{ key: SortKey; label: string; numeric: boolean }> = [
  { key: 'name', label: 'Node', numeric: false },
  { key: 'visits', label: 'Visits', numeric: true },
  { key: 'breachRate', label: 'SLA breached', numeric: true },
  { key: 'p50', label: 'Time p50', numeric: true },
  { key: 'p90', label: 'Time p90', numeric: true },
];

/** A flow's measured results: volumes, times, SLA, CSAT and per-step figures for a range and a version. */
export function AnalyticsPage() {
  const { flowId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const trpc = useTRPC();
  const ids = { range: useId(), version: useId(), channel: useId(), priority: useId(), tier: useId() };
  const days = Number(search.get('range') ?? '30');
  const versionId = search.get('version');
  const filters = {
    channel: search.get('channel') ?? undefined,
    priority: search.get('priority') ?? undefined,
    tier: search.get('tier') ?? undefined,
  };
  // The range is fixed when the page opens (or the preset changes), so refetches read the same window.
  const [now] = useState(() => Date.now());
  const range = useMemo(() => rangeOf(days, now), [days, now]);

  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  useTitle(flow.data ? `Analytics — ${flow.data.name}` : 'Analytics');
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const teams = useQuery(trpc.teams.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  // The mode answers the click at once (a controlled radio must not wait for the URL), and the URL keeps it.
  const [heatMode, setHeatMode] = useState<HeatMode>(
    () => HEAT_MODES.find((m) => m.value === search.get('heat'))?.value ?? 'waiting',
  );
  const [pickedNode, setPickedNode] = useState<string | null>(null);
  const shown = versions.data?.find((v) => v.id === versionId) ?? versions.data?.find((v) => v.isActive);
  const document = useQuery({
    ...trpc.versions.get.queryOptions({ versionId: shown?.id ?? '' }),
    enabled: shown !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
  // "All versions" reports nodes of every version: each is named from the newest version that has it.
  const everyDocument = useQueries({
    queries: (versionId === null ? (versions.data ?? []) : []).map((v) => ({
      ...trpc.versions.get.queryOptions({ versionId: v.id }),
      staleTime: Number.POSITIVE_INFINITY,
    })),
  });
  const naming = useMemo(
    () =>
      namingDocument(
        document.data?.document,
        everyDocument.map((q) => q.data),
      ),
    [document.data, everyDocument],
  );
  const report = useQuery({
    ...trpc.analytics.flow.queryOptions({
      flowId,
      versionId,
      ...range,
      ...(filters.channel ? { channel: filters.channel as (typeof FILTERS.channel)[number] } : {}),
      ...(filters.priority ? { priority: filters.priority as (typeof FILTERS.priority)[number] } : {}),
      ...(filters.tier ? { tier: filters.tier as (typeof FILTERS.tier)[number] } : {}),
    }),
    placeholderData: keepPreviousData,
  });

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value === null || value === '') next.delete(key);
    else next.set(key, value);
    setSearch(next, { replace: true });
  };

  if (flow.isPending || versions.isPending) return <Loading label="Loading analytics…" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  const sorted = [...versions.data].sort((a, b) => b.number - a.number);

  return (
    <>
      <div className="page-head">
        <div>
          <Link to={`/flows/${flowId}`} className="back-link">
            <ArrowLeft size={14} aria-hidden="true" /> {flow.data.name}
          </Link>
          <h1>Analytics</h1>
          <p className="page-sub">How the flow performs on the tickets it ran, measured from every move.</p>
        </div>
      </div>

      <form className="analytics-filters" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.range}>Period</label>
          <select id={ids.range} value={String(days)} onChange={(e) => set('range', e.target.value)}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.version}>Version</label>
          <select id={ids.version} value={versionId ?? ''} onChange={(e) => set('version', e.target.value)}>
            <option value="">All versions</option>
            <VersionOptions versions={sorted} />
          </select>
        </div>
        {(['channel', 'priority', 'tier'] as const).map((key) => (
          <div className="field" key={key}>
            <label htmlFor={ids[key]}>{key === 'tier' ? 'Customer tier' : humanize(key)}</label>
            <select id={ids[key]} value={filters[key] ?? ''} onChange={(e) => set(key, e.target.value)}>
              <option value="">Any</option>
              {FILTERS[key].map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </div>
        ))}
      </form>

      {report.isPending ? (
        <Loading label="Measuring…" />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} />
      ) : report.data.started === 0 && report.data.finished === 0 && report.data.openNow === 0 ? (
        <EmptyState title="Nothing to measure yet">
          No ticket ran on this flow in the period{versionId ? ' on this version' : ''}. Figures appear as
          soon as tickets arrive.
        </EmptyState>
      ) : (
        <ReportView report={report.data} document={naming} flowName={flow.data.name} />
      )}
      {sorted.some((v) => v.isPilot) && (
        <div className="analytics-section">
          <PilotBar flowId={flowId} />
          <PilotReadout flowId={flowId} />
        </div>
      )}
      {sorted.length >= 2 && (
        <ComparePanel flowId={flowId} versions={sorted} input={{ ...range, ...filters }} />
      )}
      {shown && document.data && (
        <HeatmapPanel
          flowId={flowId}
          versionId={shown.id}
          versionNumber={shown.number}
          document={document.data.document}
          input={{ ...range, ...filters }}
          mode={heatMode}
          onMode={(mode) => {
            setHeatMode(mode);
            set('heat', mode === 'waiting' ? null : mode);
          }}
          selected={pickedNode}
          onSelect={setPickedNode}
          teams={teams.data}
          flows={flows.data}
        />
      )}
      {sorted.length > 0 && (
        <BacktestPanel
          flowId={flowId}
          draft={flow.data.draft as FlowDocument}
          versions={sorted}
          initialSource={search.get('backtest')}
          teams={teams.data}
          flows={flows.data}
        />
      )}
    </>
  );
}

function ReportView({
  report,
  document,
  flowName,
}: {
  report: Report;
  document: Parameters<typeof nodeName>[0];
  flowName: string;
}) {
  const csat = report.csat;
  const slug =
    flowName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'flow';
  const endRows = Object.entries(report.endStatuses).sort((a, b) => b[1] - a[1]);
  return (
    <div className="analytics">
      <section className="kpis" aria-label="Key figures">
        <Kpi label="Tickets started" value={String(report.started)} />
        <Kpi label="Finished" value={String(report.finished)} />
        <Kpi label="Open now" value={String(report.openNow)} />
        <Kpi
          label="Resolution time p50"
          value={duration(report.resolution.p50)}
          detail={`p90 ${duration(report.resolution.p90)} · mean ${duration(report.resolution.mean)}`}
        />
        <Kpi
          label="First response p50"
          value={duration(report.firstResponse.p50)}
          detail={`p90 ${duration(report.firstResponse.p90)} · ${report.firstResponse.n} answered`}
        />
        <Kpi
          label="SLA breach rate"
          value={percent(report.breachRate)}
          detail={`${report.breached} of ${report.finished} finished`}
          tone={report.breachRate !== null && report.breachRate > 0.1 ? 'warning' : undefined}
        />
        <Kpi
          label="CSAT"
          value={csat.mean === null ? '—' : `${csat.mean.toFixed(2)} / 5`}
          detail={`${csat.rated} ratings · ${percent(csat.responseRate)} of ${csat.asked} asked`}
        />
      </section>

      <div className="analytics-grid">
        <figure className="panel chart-panel">
          <figcaption className="panel-head">
            <h2>Tickets per day</h2>
            <CsvButton
              name={`${slug}-per-day.csv`}
              header={['Day', 'Started', 'Finished']}
              rows={report.perDay.map((d) => [d.day, d.started, d.finished])}
              label="Download tickets per day as CSV"
            />
          </figcaption>
          <div className="chart" role="img" aria-label={perDaySummary(report)}>
            <ResponsiveContainer width="100%" height={240} minWidth={0}>
              <BarChart data={report.perDay} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis
                  dataKey="day"
                  tickFormatter={(d: string) => d.slice(5)}
                  fontSize={12}
                  minTickGap={16}
                />
                <YAxis allowDecimals={false} fontSize={12} />
                <Tooltip />
                <Legend />
                <Bar dataKey="started" name="Started" fill="var(--accent)" />
                <Bar dataKey="finished" name="Finished" fill="var(--success)" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </figure>

        <figure className="panel chart-panel">
          <figcaption className="panel-head">
            <h2>Customer ratings</h2>
            <CsvButton
              name={`${slug}-ratings.csv`}
              header={['Score', 'Ratings']}
              rows={csat.distribution.map((n, i) => [i + 1, n])}
              label="Download ratings as CSV"
            />
          </figcaption>
          {csat.rated === 0 ? (
            <p className="muted">
              No rating yet in this period{csat.asked > 0 ? ` (${csat.asked} customers were asked)` : ''}.
            </p>
          ) : (
            <div
              className="chart"
              role="img"
              aria-label={`Ratings: ${csat.distribution.map((n, i) => `${n} × ${i + 1}`).join(', ')}`}
            >
              <ResponsiveContainer width="100%" height={240} minWidth={0}>
                <BarChart
                  data={csat.distribution.map((n, i) => ({ score: `${i + 1} ★`, ratings: n }))}
                  margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
                >
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="score" fontSize={12} />
                  <YAxis allowDecimals={false} fontSize={12} />
                  <Tooltip />
                  <Bar dataKey="ratings" name="Ratings" fill="var(--accent)" />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </figure>
      </div>

      <StepsTable steps={report.steps} document={document} slug={slug} />

      <section className="panel" aria-labelledby="end-statuses">
        <div className="panel-head">
          <h2 id="end-statuses">How tickets ended</h2>
          <CsvButton
            name={`${slug}-end-statuses.csv`}
            header={['End status', 'Tickets']}
            rows={endRows.map(([status, n]) => [status, n])}
            label="Download end statuses as CSV"
          />
        </div>
        <FiguresTable
          columns={[
            { label: 'End status' },
            { label: 'Tickets', numeric: true },
            { label: 'Share', numeric: true },
          ]}
          rows={endRows.map(([status, n]) => ({
            key: status,
            cells: [humanize(status), n, percent(report.finished > 0 ? n / report.finished : null)],
          }))}
          empty="No ticket finished in this period."
        />
      </section>
    </div>
  );
}

function perDaySummary(report: Report): string {
  const busiest = report.perDay.reduce<Report['perDay'][number] | undefined>(
    (best, d) => (!best || d.started > best.started ? d : best),
    undefined,
  );
  return `Tickets per day: ${report.started} started and ${report.finished} finished over ${report.perDay.length} days${
    busiest && busiest.started > 0 ? `; busiest day ${busiest.day} with ${busiest.started} started` : ''
  }.`;
}

function StepsTable({
  steps,
  document,
  slug,
}: {
  steps: Step[];
  document: Parameters<typeof nodeName>[0];
  slug: string;
}) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'visits',
    descending: true,
  });
  const rows = steps.map((s) => ({ ...s, name: nodeName(document, s.nodeId) }));
  rows.sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    const order =
      typeof x === 'string' || typeof y === 'string'
        ? String(x).localeCompare(String(y))
        : (x ?? Number.NEGATIVE_INFINITY) - (y ?? Number.NEGATIVE_INFINITY);
    return sort.descending ? -order : order;
  });
  return (
    <section className="panel" aria-labelledby="per-step">
      <div className="panel-head">
        <h2 id="per-step">Per step</h2>
        <CsvButton
          name={`${slug}-steps.csv`}
          header={[
            'Node',
            'Node id',
            'Visits',
            'SLA breached',
            'Breach rate',
            'Time p50 (s)',
            'Time p90 (s)',
          ]}
          rows={rows.map((r) => [
            r.name,
            r.nodeId,
            r.visits,
            r.breached,
            r.breachRate,
            r.p50 === null ? null : Math.round(r.p50 / 1000),
            r.p90 === null ? null : Math.round(r.p90 / 1000),
          ])}
          label="Download per-step figures as CSV"
        />
      </div>
      {rows.length === 0 ? (
        <p className="muted">No ticket left a node in this period.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                {STEP_COLUMNS.map((c) => {
                  const active = sort.key === c.key;
                  return (
                    <th
                      key={c.key}
                      scope="col"
                      className={c.numeric ? 'num' : undefined}
                      aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                    >
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() =>
                          setSort({ key: c.key, descending: active ? !sort.descending : c.key !== 'name' })
                        }
                      >
                        {c.label}
                        <span aria-hidden="true">{active ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.nodeId}>
                  <td>{r.name}</td>
                  <td className="num">{r.visits}</td>
                  <td className="num">
                    {percent(r.breachRate)} <span className="muted">({r.breached})</span>
                  </td>
                  <td className="num">{duration(r.p50)}</td>
                  <td className="num">{duration(r.p90)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * A document to name report rows by: the version shown, plus the nodes only other versions have (the
 * newest first), so "All versions" names a node a later version added or an earlier one removed.
 */
function namingDocument(
  shown: FlowDocument | undefined,
  others: ReadonlyArray<{ number: number; document: FlowDocument } | undefined>,
): FlowDocument | undefined {
  const rest = others
    .filter((v): v is { number: number; document: FlowDocument } => v !== undefined)
    .sort((a, b) => b.number - a.number);
  if (rest.length === 0) return shown;
  const base = shown ?? rest[0]?.document;
  if (!base) return undefined;
  const seen = new Set(base.nodes.map((n) => n.id));
  const nodes = [...base.nodes];
  for (const v of rest)
    for (const node of v.document.nodes)
      if (!seen.has(node.id)) {
        seen.add(node.id);
        nodes.push(node);
      }
  return { ...base, nodes };
}
