import { Timer } from 'lucide-react';
import { formatSla } from './time.ts';
import { useNow } from './useNow.ts';

/** A live SLA countdown that ticks every second. */
export function SlaClock({
  dueAt,
  breached,
  now,
}: {
  dueAt: string | null;
  breached: boolean;
  now?: number;
}) {
  const sla = formatSla(dueAt, now ?? Date.now(), breached);
  return (
    <span className={`sla sla-${sla.tone}`}>
      <Timer size={14} aria-hidden="true" />
      <span>{sla.text}</span>
    </span>
  );
}

/** The same clock with its own one-second timer, for places with a single clock (the ticket page). */
export function LiveSlaClock({ dueAt, breached }: { dueAt: string | null; breached: boolean }) {
  const now = useNow(1000);
  return <SlaClock dueAt={dueAt} breached={breached} now={now} />;
}
