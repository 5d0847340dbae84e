import type { ReactNode } from 'react';
import { Download } from 'lucide-react';
import type { VersionSummary } from '../../trpc.ts';
import { downloadCsv, toCsv, versionLabel } from './report.ts';

/** A key figure: its label, value and an optional line under it. */
export function Kpi({
  label,
  value,
  detail,
  tone,
}: {
  label: string;
  value: string;
  detail?: string;
  tone?: 'warning' | undefined;
}) {
  return (
    <div className={`kpi${tone ? ` kpi-${tone}` : ''}`}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {detail && <div className="kpi-detail">{detail}</div>}
    </div>
  );
}

/** Downloads a table as CSV. */
export function CsvButton({
  name,
  header,
  rows,
  label,
}: {
  name: string;
  header: string[];
  rows: Array<Array<string | number | null>>;
  label: string;
}) {
  return (
    <button
      type="button"
      className="btn btn-secondary btn-small"
      aria-label={label}
      onClick={() => downloadCsv(name, toCsv(header, rows))}
    >
      <Download size={14} aria-hidden="true" /> CSV
    </button>
  );
}

/** A column of a figures table: numbers are right-aligned. */
export type FigureColumn = { label: ReactNode; numeric?: boolean };
/** A row of a figures table; `emphasis` sets it in bold (a changed row). */
export type FigureRow = { key: string; cells: ReactNode[]; emphasis?: boolean };

/** A plain table of figures (a header row and one row per item), or `empty` when there is no row. */
export function FiguresTable({
  columns,
  rows,
  empty,
}: {
  columns: FigureColumn[];
  rows: FigureRow[];
  empty: string;
}) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} className={row.emphasis ? 'row-changed' : undefined}>
              {row.cells.map((cell, i) => (
                <td key={i} className={columns[i]?.numeric ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The options of a version picker, newest first as given: `v3 (active)`, `v4 (pilot)`. */
export function VersionOptions({ versions }: { versions: readonly VersionSummary[] }) {
  return versions.map((v) => (
    <option key={v.id} value={v.id}>
      {versionLabel(v)}
    </option>
  ));
}
