import { Timer } from 'lucide-react';
import { formatDueAt, formatSla } from './time.ts';
import { useNow } from './useNow.ts';

/**
 * A live SLA countdown (`due in 12 min 05 s`). The deadline itself, in the person's time zone with the
 * zone named, is its tooltip, and is written out beside the countdown where there is room (`showDue`).
 */
export function SlaClock({
  dueAt,
  breached,
  now,
  showDue = false,
}: {
  dueAt: string | null;
  breached: boolean;
  now?: number;
  showDue?: boolean;
}) {
  const at = now ?? Date.now();
  const sla = formatSla(dueAt, at, breached);
  const due = dueAt ? formatDueAt(dueAt, at) : '';
  return (
    <span className={`sla sla-${sla.tone}`} title={due ? `Due ${due}` : undefined}>
      <Timer size={14} aria-hidden="true" />
      <span>{sla.text}</span>
      {showDue && due && <span className="sla-due">· due {due}</span>}
    </span>
  );
}

/** The same clock with its own one-second timer, for places with a single clock (the ticket page). */
export function LiveSlaClock({ dueAt, breached }: { dueAt: string | null; breached: boolean }) {
  const now = useNow(1000);
  return <SlaClock dueAt={dueAt} breached={breached} now={now} showDue />;
}
