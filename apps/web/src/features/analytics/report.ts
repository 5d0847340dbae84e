import { CHANNELS, type FlowDocument, kindLabel, nameOf, PRIORITIES, TIERS } from '@stepwise/flow';
import { formatDuration } from '../../ui/time.ts';

export const RANGES = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 12 months' },
] as const;

export const FILTERS = { channel: CHANNELS, priority: PRIORITIES, tier: TIERS } as const;

const DAY = 86_400_000;

/** The last `days` whole UTC days, ending with today: [from, to). */
export function rangeOf(days: number, now: number): { from: string; to: string } {
  const tomorrow = Math.floor(now / DAY) * DAY + DAY;
  return { from: new Date(tomorrow - days * DAY).toISOString(), to: new Date(tomorrow).toISOString() };
}

/** A duration for a figure: `—` when there is nothing to measure. */
export function duration(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** A rate as a percentage: `—` when there is no denominator. */
export function percent(rate: number | null, digits = 0): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(digits)}%`;
}

/** How a node is called in reports: its name on the canvas, else its kind and id. */
export function nodeName(document: FlowDocument | null | undefined, nodeId: string): string {
  const node = document?.nodes.find((n) => n.id === nodeId);
  if (!node) return nodeId;
  const name = nameOf(node).trim();
  return name !== '' ? name : `${kindLabel(node.type)} ${node.id}`;
}

/** RFC 4180 CSV: every field quoted when it needs to be, rows ended by CRLF. */
export function toCsv(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): string {
  const field = (value: string | number | null) => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[header, ...rows].map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}

/** Offers a CSV file for download. */
export function downloadCsv(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A version as the pickers name it: `v3`, `v3 (active)`, `v4 (pilot)`. */
export function versionLabel(v: { number: number; isActive: boolean; isPilot: boolean }): string {
  return `v${v.number}${v.isActive ? ' (active)' : ''}${v.isPilot ? ' (pilot)' : ''}`;
}
