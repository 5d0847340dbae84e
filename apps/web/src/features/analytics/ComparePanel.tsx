import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTRPC, type VersionComparison, type VersionSummary } from '../../trpc.ts';
import { humanize } from '../../ui/Badge.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { VersionOptions } from './parts.tsx';
import { duration, percent } from './report.ts';

type Side = VersionComparison['a'];
type Interval = { low: number; high: number } | null | undefined;

const signed = (x: number, digits = 0) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(digits)}`;
const change = (c: { change: number; interval: { low: number; high: number } } | null) =>
  c
    ? `${signed(c.change * 100)}% (${signed(c.interval.low * 100)}% to ${signed(c.interval.high * 100)}%)`
    : '—';
const rateCi = (i: Interval) => (i ? ` (${percent(i.low)}–${percent(i.high)})` : '');

/** Two versions side by side on the same measures, with 95% intervals, the mix of tickets and a verdict. */
export function ComparePanel({
  flowId,
  versions,
  input,
}: {
  flowId: string;
  versions: readonly VersionSummary[];
  input: { from: string; to: string } & Record<string, string | undefined>;
}) {
  const trpc = useTRPC();
  const ids = { a: useId(), b: useId() };
  const sorted = [...versions].sort((x, y) => y.number - x.number);
  const [a, setA] = useState(sorted[1]?.id ?? '');
  const [b, setB] = useState(sorted[0]?.id ?? '');
  const result = useQuery({
    ...trpc.analytics.compare.queryOptions({ flowId, a, b, ...input }),
    enabled: a !== '' && b !== '' && a !== b,
  });
  const picker = (id: string, label: string, value: string, onChange: (v: string) => void) => (
    <div className="field field-inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <VersionOptions versions={sorted} />
      </select>
    </div>
  );
  return (
    <section className="panel analytics-section" aria-labelledby="compare-versions">
      <div className="panel-head">
        <h2 id="compare-versions">Version against version</h2>
      </div>
      <div className="heat-controls">
        {picker(ids.a, 'Compare', a, setA)}
        {picker(ids.b, 'with', b, setB)}
      </div>
      {a === b ? (
        <p className="muted">Pick two different versions.</p>
      ) : result.isPending ? (
        <Loading label="Comparing…" />
      ) : result.isError ? (
        <ErrorState error={result.error} onRetry={() => void result.refetch()} />
      ) : (
        <ComparisonView result={result.data} />
      )}
    </section>
  );
}

export function ComparisonView({ result }: { result: VersionComparison }) {
  const { a, b } = result;
  const va = `v${a.number}`;
  const vb = `v${b.number}`;
  return (
    <>
      <ul className="verdicts" aria-label="Verdict">
        {result.verdicts.map((v) => (
          <li key={v}>{v}</li>
        ))}
      </ul>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">
            {va} against {vb}, 95% confidence intervals in brackets
          </caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col" className="num">
                {va}
              </th>
              <th scope="col" className="num">
                {vb}
              </th>
              <th scope="col" className="num">
                {vb} against {va} (95% CI)
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Finished tickets</th>
              <td className="num">{a.n}</td>
              <td className="num">{b.n}</td>
              <td className="num">—</td>
            </tr>
            <tr>
              <th scope="row">Resolution time p50</th>
              <td className="num">{duration(a.resolution.p50)}</td>
              <td className="num">{duration(b.resolution.p50)}</td>
              <td className="num">{change(result.resolution)}</td>
            </tr>
            <tr>
              <th scope="row">First response p50</th>
              <td className="num">{duration(a.firstResponse.p50)}</td>
              <td className="num">{duration(b.firstResponse.p50)}</td>
              <td className="num">{change(result.firstResponse)}</td>
            </tr>
            <tr>
              <th scope="row">SLA breach rate</th>
              <td className="num">
                {percent(a.breach.rate)}
                <span className="muted">{rateCi(a.breach.interval)}</span>
              </td>
              <td className="num">
                {percent(b.breach.rate)}
                <span className="muted">{rateCi(b.breach.interval)}</span>
              </td>
              <td className="num">
                {result.breachRate
                  ? `${signed(result.breachRate.difference * 100, 1)} pts (${signed(result.breachRate.interval.low * 100, 1)} to ${signed(result.breachRate.interval.high * 100, 1)})`
                  : '—'}
              </td>
            </tr>
            <tr>
              <th scope="row">CSAT (ratings)</th>
              <td className="num">
                {a.csat.mean === null ? '—' : a.csat.mean.toFixed(2)}{' '}
                <span className="muted">({a.csat.n})</span>
              </td>
              <td className="num">
                {b.csat.mean === null ? '—' : b.csat.mean.toFixed(2)}{' '}
                <span className="muted">({b.csat.n})</span>
              </td>
              <td className="num">
                {result.csat
                  ? `${signed(result.csat.difference, 2)} (${signed(result.csat.interval.low, 2)} to ${signed(result.csat.interval.high, 2)})`
                  : '—'}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <MixTable a={a} b={b} />
    </>
  );
}

/** The share of each channel, priority and category on each side: did one side get easier tickets? */
function MixTable({ a, b }: { a: Side; b: Side }) {
  const rows: Array<{ dimension: string; value: string; a: number; b: number }> = [];
  for (const dimension of ['channel', 'priority', 'category'] as const) {
    const values = new Set([...Object.keys(a.mix[dimension]), ...Object.keys(b.mix[dimension])]);
    for (const value of [...values].sort())
      rows.push({ dimension, value, a: a.mix[dimension][value] ?? 0, b: b.mix[dimension][value] ?? 0 });
  }
  if (rows.length === 0) return null;
  return (
    <details className="mix">
      <summary>The mix of tickets on each side</summary>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Tickets by</th>
              <th scope="col">Value</th>
              <th scope="col" className="num">
                v{a.number}
              </th>
              <th scope="col" className="num">
                v{b.number}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.dimension}:${r.value}`}>
                <td>{humanize(r.dimension)}</td>
                <td>{r.value === '' ? '(none)' : humanize(r.value)}</td>
                <td className="num">
                  {percent(a.n ? r.a / a.n : null)} <span className="muted">({r.a})</span>
                </td>
                <td className="num">
                  {percent(b.n ? r.b / b.n : null)} <span className="muted">({r.b})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** The running pilot read as an experiment: pilot against control since it began, and what to do next. */
export function PilotReadout({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const readout = useQuery(trpc.analytics.pilot.queryOptions({ flowId }));
  if (readout.isPending) return <Loading label="Reading the pilot…" />;
  if (readout.isError) return <ErrorState error={readout.error} onRetry={() => void readout.refetch()} />;
  const data = readout.data;
  if (!data) return null;
  const tone =
    data.recommendation.action === 'promote'
      ? 'success'
      : data.recommendation.action === 'roll_back'
        ? 'danger'
        : 'info';
  return (
    <section className="panel analytics-section" aria-labelledby="pilot-readout">
      <div className="panel-head">
        <h2 id="pilot-readout">
          Pilot: v{data.pilot.number} against v{data.control.number}
        </h2>
        <span className="muted">
          {data.pilot.percent}% of new tickets, bucketed at random, since {formatDateTime(data.since)}
        </span>
      </div>
      <p className={`recommendation is-${tone}`}>
        <strong>{data.recommendation.reason}</strong>
      </p>
      <ComparisonView result={data.comparison} />
    </section>
  );
}
