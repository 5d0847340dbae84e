import {
  type BacktestSummary,
  type EndingKey,
  emptyBacktest,
  type FlowDocument,
  mergeBacktest,
} from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { Play, Square } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import { type CanvasOverlay, HEAT_GRADIENT, type NodeHeatMark } from '../../canvas/overlay.ts';
import { errorMessage, useTRPC, useTRPCClient, type VersionSummary } from '../../trpc.ts';
import { humanize } from '../../ui/Badge.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { CsvButton, FiguresTable, Kpi, VersionOptions } from './parts.tsx';
import { nodeName, percent } from './report.ts';

/** Tickets a backtest may replay, and per call (the API's bounds: 10,000 in all, 1,000 a call). */
const MAX_TICKETS = 10_000;
const BATCH = 500;

type Sampled = Record<string, { number: number; subject: string }>;
type Run =
  | { state: 'idle' }
  | {
      state: 'running' | 'done' | 'cancelled' | 'failed';
      source: string;
      done: number;
      total: number;
      summary: BacktestSummary;
      sampled: Sampled;
      unreadable: number;
      error?: string;
    };

const ENDING_WORDS: Record<string, string> = {
  waiting: 'would wait',
  parked: 'stopped by the flow',
  open: 'not ended',
};
const ending = (key: string) => ENDING_WORDS[key] ?? humanize(key);

/**
 * Backtest: the draft (or any version) replayed over the flow's last N finished tickets on the server, a
 * batch at a time, with progress; the builder and this page stay responsive while it runs. Shows how
 * many tickets would take another path and where paths first part, where tickets would wait for an
 * answer they never gave, traffic per node before and after on the canvas, changed endings, and a
 * sample of changed tickets to open.
 */
export function BacktestPanel({
  flowId,
  draft,
  versions,
  initialSource,
  teams,
  flows,
}: {
  flowId: string;
  draft: FlowDocument | null;
  versions: readonly VersionSummary[];
  initialSource: string | null;
  teams?: ReadonlyArray<{ id: string; name: string }> | undefined;
  flows?: ReadonlyArray<{ id: string; name: string }> | undefined;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const ids = { source: useId(), limit: useId(), heading: useId() };
  const [source, setSource] = useState(() =>
    initialSource && (initialSource === 'draft' || versions.some((v) => v.id === initialSource))
      ? initialSource
      : 'draft',
  );
  const [limit, setLimit] = useState('1000');
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const current = useRef(0);
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (initialSource) section.current?.scrollIntoView({ block: 'start' });
  }, [initialSource]);
  useEffect(
    () => () => {
      // Leaving the page stops the batches still to come.
      current.current++;
    },
    [],
  );

  const version = useQuery({
    ...trpc.versions.get.queryOptions({ versionId: source }),
    enabled: source !== 'draft',
    staleTime: Number.POSITIVE_INFINITY,
  });
  const ranSource = run.state === 'idle' ? source : run.source;
  const ranDocument =
    ranSource === 'draft' ? draft : ranSource === source ? (version.data?.document ?? null) : null;

  const n = Number(limit);
  const limitProblem =
    !Number.isInteger(n) || n < 1 || n > MAX_TICKETS
      ? `Enter a whole number of tickets from 1 to ${MAX_TICKETS.toLocaleString()}.`
      : null;

  async function start() {
    if (limitProblem) return;
    const id = ++current.current;
    let summary = emptyBacktest();
    const sampled: Sampled = {};
    let unreadable = 0;
    let total = n;
    let after: { closedAt: string; id: string } | null = null;
    const base = { source, summary, sampled, unreadable, done: 0, total };
    setRun({ state: 'running', ...base });
    try {
      do {
        const take = Math.min(BATCH, total - summary.tickets - unreadable);
        if (take <= 0) break;
        const batch = await client.analytics.backtest.query({ flowId, source, take, after });
        if (current.current !== id) return;
        if (batch.available !== null) total = Math.min(n, batch.available);
        summary = mergeBacktest(summary, batch.summary);
        Object.assign(sampled, batch.sampled);
        unreadable += batch.unreadable;
        after = batch.next;
        setRun({
          state: 'running',
          source,
          summary,
          sampled: { ...sampled },
          unreadable,
          done: summary.tickets + unreadable,
          total,
        });
      } while (after !== null);
      setRun({
        state: 'done',
        source,
        summary,
        sampled,
        unreadable,
        done: summary.tickets + unreadable,
        total,
      });
    } catch (error) {
      if (current.current !== id) return;
      setRun((r) => (r.state === 'idle' ? r : { ...r, state: 'failed', error: errorMessage(error) }));
    }
  }

  function cancel() {
    current.current++;
    setRun((r) => (r.state === 'running' ? { ...r, state: 'cancelled' } : r));
  }

  const sorted = [...versions].sort((a, b) => b.number - a.number);
  const sourceLabel = (value: string) => {
    if (value === 'draft') return 'the draft';
    const v = sorted.find((x) => x.id === value);
    return v ? `v${v.number}` : 'the version';
  };

  return (
    <section ref={section} id="backtest" className="panel analytics-section" aria-labelledby={ids.heading}>
      <div className="panel-head">
        <h2 id={ids.heading}>Backtest</h2>
      </div>
      <p className="muted backtest-intro">
        Replays a draft or a version over the flow’s most recently finished tickets: each ticket starts again
        as it came in, and every agent outcome, form, reply and SLA it recorded is given again at the same
        node. Decisions run afresh, so changed conditions send tickets elsewhere. Where the flow asks for an
        answer a ticket never gave, it stops there and counts as “would wait”.
      </p>
      <form
        className="heat-controls"
        aria-label="Backtest settings"
        onSubmit={(e) => {
          e.preventDefault();
          if (run.state === 'running') cancel();
          else void start();
        }}
      >
        <div className="field field-inline">
          <label htmlFor={ids.source}>Replay</label>
          <select
            id={ids.source}
            value={source}
            onChange={(e) => setSource(e.target.value)}
            disabled={run.state === 'running'}
          >
            <option value="draft">The draft</option>
            <VersionOptions versions={sorted} />
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.limit}>over the last</label>
          <input
            id={ids.limit}
            className="backtest-limit"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_TICKETS}
            step={1}
            value={limit}
            onChange={(e) => setLimit(e.target.value)}
            disabled={run.state === 'running'}
            aria-invalid={limitProblem !== null}
            aria-describedby={limitProblem ? `${ids.limit}-problem` : undefined}
          />
          <span>finished tickets</span>
        </div>
        {run.state === 'running' ? (
          <button type="submit" className="btn btn-secondary">
            <Square size={14} aria-hidden="true" /> Stop
          </button>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={limitProblem !== null}>
            <Play size={14} aria-hidden="true" /> Run backtest
          </button>
        )}
      </form>
      {limitProblem && (
        <p id={`${ids.limit}-problem`} className="field-error" role="alert">
          {limitProblem}
        </p>
      )}
      {run.state !== 'idle' && (
        <div className="backtest-progress" aria-live="polite">
          <progress max={Math.max(1, run.total)} value={run.done} aria-label="Backtest progress" />
          <span>
            {run.state === 'running'
              ? `Replaying ${sourceLabel(run.source)}: ${run.done.toLocaleString()} of ${run.total.toLocaleString()} tickets…`
              : run.state === 'cancelled'
                ? `Stopped after ${run.done.toLocaleString()} of ${run.total.toLocaleString()} tickets.`
                : run.state === 'failed'
                  ? `The backtest failed after ${run.done.toLocaleString()} tickets: ${run.error}`
                  : `Replayed ${sourceLabel(run.source)} over ${run.summary.tickets.toLocaleString()} finished tickets${run.unreadable > 0 ? ` (${run.unreadable} with unreadable events left out)` : ''}.`}
          </span>
        </div>
      )}
      {run.state === 'done' && run.summary.tickets === 0 && (
        <p className="muted">This flow has no finished ticket to replay yet.</p>
      )}
      {run.state !== 'idle' && run.summary.tickets > 0 && (
        <BacktestResult
          summary={run.summary}
          sampled={run.sampled}
          document={ranDocument}
          loadingDocument={ranSource !== 'draft' && version.isPending}
          documentError={ranSource !== 'draft' ? version.error : null}
          label={sourceLabel(run.source)}
          teams={teams}
          flows={flows}
        />
      )}
    </section>
  );
}

/** The figures, the canvas and the tables of a backtest (so far, while it runs). */
function BacktestResult({
  summary,
  sampled,
  document,
  loadingDocument,
  documentError,
  label,
  teams,
  flows,
}: {
  summary: BacktestSummary;
  sampled: Sampled;
  document: FlowDocument | null;
  loadingDocument: boolean;
  documentError: unknown;
  label: string;
  teams?: ReadonlyArray<{ id: string; name: string }> | undefined;
  flows?: ReadonlyArray<{ id: string; name: string }> | undefined;
}) {
  const name = (id: string) => (id === '' ? 'the start' : nodeName(document, id));
  const share = (k: number) => percent(summary.tickets > 0 ? k / summary.tickets : null);
  const byCount = (counts: Record<string, number>) =>
    Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const diverged = byCount(summary.divergedAfter);
  const waiting = byCount(summary.waitingAt);
  const endings = byCount(summary.endings).map(([key, count]) => {
    const [before = '', after = ''] = key.split('→');
    return { before: before as EndingKey, after: after as EndingKey, count };
  });
  const traffic = useMemo(
    () =>
      [...new Set([...Object.keys(summary.before), ...Object.keys(summary.after)])]
        .map((id) => ({ id, before: summary.before[id] ?? 0, after: summary.after[id] ?? 0 }))
        .sort((a, b) => b.after - a.after || b.before - a.before || a.id.localeCompare(b.id)),
    [summary],
  );
  const inDocument = (id: string) => document?.nodes.some((n) => n.id === id) ?? false;

  const overlay: CanvasOverlay | undefined = useMemo(() => {
    if (!document) return undefined;
    const max = Math.max(1, ...traffic.map((t) => t.after));
    const nodes = new Map<string, NodeHeatMark>();
    for (const t of traffic) {
      if (!document.nodes.some((n) => n.id === t.id)) continue;
      nodes.set(t.id, {
        level: t.after / max,
        text: `${t.before} → ${t.after}`,
        label: `${t.before} tickets came here; ${t.after} would on ${label}`,
      });
    }
    return { nodes, edges: new Map() };
  }, [document, traffic, label]);

  return (
    <>
      <section className="kpis" aria-label="Backtest figures">
        <Kpi label="Tickets replayed" value={summary.tickets.toLocaleString()} />
        <Kpi
          label="Take another path"
          value={summary.differentPath.toLocaleString()}
          detail={`${share(summary.differentPath)} of the tickets`}
        />
        <Kpi
          label="End differently"
          value={summary.endsDifferently.toLocaleString()}
          detail={`${share(summary.endsDifferently)} reach another end`}
        />
        <Kpi
          label="Would wait"
          value={summary.waiting.toLocaleString()}
          detail="for an answer they never gave"
          tone={summary.waiting > 0 ? 'warning' : undefined}
        />
      </section>

      <div className="backtest-tables">
        <div className="backtest-table">
          <div className="panel-head">
            <h3>Where paths first part</h3>
            <CsvButton
              name="backtest-divergence.csv"
              header={['Node', 'Tickets', 'Share']}
              rows={diverged.map(([id, k]) => [name(id), k, share(k)])}
              label="Download where paths part as CSV"
            />
          </div>
          <FiguresTable
            columns={[
              { label: 'After' },
              { label: 'Tickets', numeric: true },
              { label: 'Share', numeric: true },
            ]}
            rows={diverged.map(([id, k]) => ({ key: id, cells: [name(id), k, share(k)] }))}
            empty="Every ticket takes the path it took."
          />
        </div>
        <div className="backtest-table">
          <div className="panel-head">
            <h3>Would wait at</h3>
            <CsvButton
              name="backtest-waiting.csv"
              header={['Node', 'Tickets']}
              rows={waiting.map(([id, k]) => [name(id), k])}
              label="Download where tickets would wait as CSV"
            />
          </div>
          <FiguresTable
            columns={[{ label: 'Node' }, { label: 'Tickets', numeric: true }]}
            rows={waiting.map(([id, k]) => ({ key: id, cells: [name(id), k] }))}
            empty="No ticket would wait for an answer it never gave."
          />
        </div>
        <div className="backtest-table">
          <div className="panel-head">
            <h3>Endings</h3>
            <CsvButton
              name="backtest-endings.csv"
              header={['Ended', `On ${label}`, 'Tickets']}
              rows={endings.map((e) => [ending(e.before), ending(e.after), e.count])}
              label="Download endings as CSV"
            />
          </div>
          <FiguresTable
            columns={[{ label: 'Ended' }, { label: `On ${label}` }, { label: 'Tickets', numeric: true }]}
            rows={endings.map((e) => ({
              key: `${e.before}-${e.after}`,
              cells: [ending(e.before), ending(e.after), e.count],
              emphasis: e.before !== e.after,
            }))}
            empty="No ticket was replayed."
          />
        </div>
      </div>

      <div className="heat-layout">
        <div>
          <div className="heat-legend" aria-hidden="true">
            <span>fewer</span>
            <span className="heat-legend-bar" style={{ background: HEAT_GRADIENT }} />
            <span>more tickets on {label}</span>
          </div>
          {loadingDocument ? (
            <Loading label="Loading the flow…" />
          ) : documentError ? (
            <ErrorState error={documentError} />
          ) : document ? (
            <FlowCanvas
              document={document}
              label={`Traffic per node before and on ${label}`}
              teams={teams}
              flows={flows}
              overlay={overlay}
              height={460}
            />
          ) : null}
        </div>
        <aside className="heat-detail" aria-label="Traffic per node">
          <div className="panel-head">
            <h3>Traffic per node</h3>
            <CsvButton
              name="backtest-traffic.csv"
              header={['Node', 'Before', `On ${label}`]}
              rows={traffic.map((t) => [name(t.id), t.before, t.after])}
              label="Download traffic per node as CSV"
            />
          </div>
          <FiguresTable
            columns={[
              { label: 'Node' },
              { label: 'Before', numeric: true },
              { label: 'After', numeric: true },
            ]}
            rows={traffic.map((t) => ({
              key: t.id,
              cells: [
                <>
                  {name(t.id)}
                  {!inDocument(t.id) && <span className="muted"> (not in {label})</span>}
                </>,
                t.before,
                t.after,
              ],
            }))}
            empty="No ticket was replayed."
          />
        </aside>
      </div>

      <div className="backtest-samples">
        <div className="panel-head">
          <h3 id="backtest-samples">Tickets that change</h3>
          <CsvButton
            name="backtest-tickets.csv"
            header={['Ticket', 'Subject', 'Parts after', 'Ended', `On ${label}`, 'Would wait at']}
            rows={summary.samples.map((s) => [
              sampled[s.ticketId]?.number ?? null,
              sampled[s.ticketId]?.subject ?? null,
              s.divergedAfter === null ? null : name(s.divergedAfter),
              ending(s.before),
              ending(s.after),
              s.waitingAt === null ? null : name(s.waitingAt),
            ])}
            label="Download the tickets that change as CSV"
          />
        </div>
        {summary.samples.length === 0 ? (
          <p className="muted">No ticket changes its path or its ending.</p>
        ) : (
          // Scrolls; its links take the keyboard through it.
          <div className="table-wrap backtest-sample-list">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Ticket</th>
                  <th scope="col">Parts after</th>
                  <th scope="col">Ended</th>
                  <th scope="col">On {label}</th>
                </tr>
              </thead>
              <tbody>
                {summary.samples.map((s) => {
                  const info = sampled[s.ticketId];
                  return (
                    <tr key={s.ticketId}>
                      <td>
                        <Link to={`/tickets/${s.ticketId}`}>
                          {info ? `#${info.number} ${info.subject}` : 'Open the ticket'}
                        </Link>
                      </td>
                      <td>{s.divergedAfter === null ? '—' : name(s.divergedAfter)}</td>
                      <td>{ending(s.before)}</td>
                      <td>{s.waitingAt !== null ? `would wait at ${name(s.waitingAt)}` : ending(s.after)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {summary.samples.length > 0 && (
          <p className="muted backtest-note">
            The first {summary.samples.length} changed tickets, most recently closed first
            {summary.differentPath + summary.waiting > summary.samples.length
              ? '; the counts above cover them all'
              : ''}
            .
          </p>
        )}
      </div>
    </>
  );
}
