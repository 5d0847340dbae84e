import { Download } from 'lucide-react';
import { downloadCsv, toCsv } from './report.ts';

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
