import type { FlowDocument } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { Link } from 'react-router';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import {
  type CanvasOverlay,
  type EdgeTraffic,
  HEAT_GRADIENT,
  type NodeHeatMark,
} from '../../canvas/overlay.ts';
import { type FlowReport, useTRPC } from '../../trpc.ts';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { duration, nodeName, percent } from './report.ts';

export const HEAT_MODES = [
  { value: 'waiting', label: 'Waiting now' },
  { value: 'time', label: 'Time spent' },
  { value: 'breach', label: 'SLA breaches' },
] as const;
export type HeatMode = (typeof HEAT_MODES)[number]['value'];

type Heat = {
  waiting: Array<{ nodeId: string; tickets: number; breached: number }>;
  nodes: FlowReport['steps'];
  edges: Array<{ source: string; handle: string | null; target: string; count: number }>;
};

/** The overlay of one mode: a colour and a figure per node, traffic on every edge. */
export function overlayOf(
  document: FlowDocument,
  heat: Heat,
  mode: HeatMode,
): Pick<CanvasOverlay, 'nodes' | 'edges'> {
  const nodes = new Map<string, NodeHeatMark>();
  if (mode === 'waiting') {
    const max = Math.max(0, ...heat.waiting.map((w) => w.tickets));
    for (const w of heat.waiting)
      nodes.set(w.nodeId, {
        level: max > 0 ? w.tickets / max : 0,
        text: `${w.tickets} waiting`,
        label: `${w.tickets} tickets waiting here now${w.breached ? `, ${w.breached} past their SLA` : ''}`,
      });
  } else if (mode === 'time') {
    const max = Math.max(0, ...heat.nodes.map((n) => n.p50 ?? 0));
    for (const n of heat.nodes)
      nodes.set(n.nodeId, {
        level: max > 0 ? (n.p50 ?? 0) / max : 0,
        text: `p50 ${duration(n.p50)}`,
        label: `Time spent here: p50 ${duration(n.p50)}, p90 ${duration(n.p90)} over ${n.visits} stays`,
      });
  } else {
    for (const n of heat.nodes)
      if (n.breached > 0 || document.nodes.some((d) => d.id === n.nodeId && d.type === 'step'))
        nodes.set(n.nodeId, {
          level: n.breachRate ?? 0,
          text: `${percent(n.breachRate)} breached`,
          label: `${n.breached} of ${n.visits} stays here breached their SLA`,
        });
  }
  const leaving = new Map<string, number>();
  for (const e of heat.edges) leaving.set(e.source, (leaving.get(e.source) ?? 0) + e.count);
  const edges = new Map<string, EdgeTraffic>();
  for (const edge of document.edges) {
    const count = heat.edges
      .filter(
        (e) =>
          e.source === edge.source &&
          (e.handle !== null ? e.handle === edge.sourceHandle : e.target === edge.target),
      )
      .reduce((sum, e) => sum + e.count, 0);
    const total = leaving.get(edge.source) ?? 0;
    if (count > 0 && total > 0)
      edges.set(edge.id, { share: count / total, text: `${count} (${percent(count / total)})` });
  }
  return { nodes, edges };
}

/** The version's canvas with the heatmap laid over it, a legend, and the figures of the node picked. */
export function HeatmapPanel({
  flowId,
  versionId,
  versionNumber,
  document,
  input,
  mode,
  onMode,
  selected,
  onSelect,
  teams,
  flows,
}: {
  flowId: string;
  versionId: string;
  versionNumber: number;
  document: FlowDocument;
  input: Record<string, string | undefined>;
  mode: HeatMode;
  onMode: (mode: HeatMode) => void;
  selected: string | null;
  onSelect: (nodeId: string | null) => void;
  teams?: ReadonlyArray<{ id: string; name: string }> | undefined;
  flows?: ReadonlyArray<{ id: string; name: string }> | undefined;
}) {
  const trpc = useTRPC();
  const nodePicker = useId();
  const heat = useQuery(
    trpc.analytics.nodes.queryOptions({ flowId, versionId, ...(input as { from: string; to: string }) }),
  );
  const waiting = useQuery({
    ...trpc.analytics.waiting.queryOptions({ flowId, versionId, nodeId: selected ?? '' }),
    enabled: selected !== null,
  });
  const overlay: CanvasOverlay | undefined = useMemo(
    () =>
      heat.data
        ? { ...overlayOf(document, heat.data, mode), selected, onNodeClick: (id: string) => onSelect(id) }
        : undefined,
    [heat.data, document, mode, selected, onSelect],
  );
  const nodes = document.nodes.map((n) => ({ id: n.id, name: nodeName(document, n.id) }));
  const picked = selected ? heat.data?.nodes.find((n) => n.nodeId === selected) : undefined;
  const waitingHere = selected ? heat.data?.waiting.find((w) => w.nodeId === selected) : undefined;

  return (
    <section className="panel analytics-section" aria-labelledby="heatmap">
      <div className="panel-head">
        <h2 id="heatmap">Heatmap of version {versionNumber}</h2>
      </div>
      <div className="heat-controls">
        <fieldset className="heat-modes">
          <legend className="sr-only">Show on the canvas</legend>
          {HEAT_MODES.map((m) => (
            <label key={m.value}>
              <input
                className="sr-only"
                type="radio"
                name="heat-mode"
                value={m.value}
                checked={mode === m.value}
                onChange={() => onMode(m.value)}
              />
              {m.label}
            </label>
          ))}
        </fieldset>
        <div className="heat-legend" aria-hidden="true">
          <span>{mode === 'breach' ? '0%' : 'low'}</span>
          <span className="heat-legend-bar" style={{ background: HEAT_GRADIENT }} />
          <span>{mode === 'breach' ? '100%' : 'high'}</span>
        </div>
        <div className="field field-inline">
          <label htmlFor={nodePicker}>Node</label>
          <select id={nodePicker} value={selected ?? ''} onChange={(e) => onSelect(e.target.value || null)}>
            <option value="">Pick a node…</option>
            {nodes.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {heat.isPending ? (
        <Loading label="Measuring the nodes…" />
      ) : heat.isError ? (
        <ErrorState error={heat.error} onRetry={() => void heat.refetch()} />
      ) : (
        <div className="heat-layout">
          <FlowCanvas
            document={document}
            label={`Heatmap of version ${versionNumber}: ${HEAT_MODES.find((m) => m.value === mode)?.label}`}
            teams={teams}
            flows={flows}
            overlay={overlay}
            height={520}
          />
          <aside className="heat-detail" aria-live="polite" aria-label="The node picked">
            {selected === null ? (
              <p className="muted">
                Click a node (or pick one above) for its figures and the tickets waiting there.
              </p>
            ) : (
              <>
                <h3>{nodeName(document, selected)}</h3>
                <dl>
                  <dt>Waiting now</dt>
                  <dd>{waitingHere?.tickets ?? 0}</dd>
                  <dt>Stays ended</dt>
                  <dd>{picked?.visits ?? 0}</dd>
                  <dt>Time p50 / p90</dt>
                  <dd>
                    {duration(picked?.p50 ?? null)} / {duration(picked?.p90 ?? null)}
                  </dd>
                  <dt>SLA breached</dt>
                  <dd>
                    {percent(picked?.breachRate ?? null)} ({picked?.breached ?? 0})
                  </dd>
                </dl>
                {waiting.isPending ? (
                  <Loading label="Loading the tickets…" />
                ) : waiting.isError ? (
                  <ErrorState error={waiting.error} onRetry={() => void waiting.refetch()} />
                ) : waiting.data.length === 0 ? (
                  <p className="muted">No ticket is waiting here.</p>
                ) : (
                  <ul aria-label="Tickets waiting here">
                    {waiting.data.map((t) => (
                      <li key={t.id}>
                        <Link to={`/tickets/${t.id}`}>
                          #{t.number} {t.subject}
                        </Link>
                        {t.breached && <span className="sla-overdue"> · SLA breached</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </aside>
        </div>
      )}
    </section>
  );
}
