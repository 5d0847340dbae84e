import type { ReactNode } from 'react';

export type BadgeTone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger' | 'info';

export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  tone?: BadgeTone;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const PRIORITY_TONE: Record<string, BadgeTone> = {
  low: 'neutral',
  normal: 'info',
  high: 'warning',
  urgent: 'danger',
};

export function PriorityBadge({ priority }: { priority: string }) {
  return <Badge tone={PRIORITY_TONE[priority] ?? 'neutral'}>{capitalize(priority)}</Badge>;
}

const STATUS_WORDS: Record<string, { label: string; tone: BadgeTone }> = {
  new: { label: 'New', tone: 'info' },
  at_step: { label: 'Open', tone: 'accent' },
  waiting: { label: 'Waiting', tone: 'neutral' },
  in_subflow: { label: 'In subflow', tone: 'neutral' },
  ended: { label: 'Closed', tone: 'success' },
  parked: { label: 'Needs attention', tone: 'danger' },
  unrouted: { label: 'Unrouted', tone: 'warning' },
};

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS_WORDS[status] ?? { label: humanize(status), tone: 'neutral' as const };
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** `closed_unresolved` → `Closed unresolved`, `step.completed` → `Step completed`. */
export function humanize(s: string): string {
  return capitalize(s.replace(/[._]+/g, ' ').trim());
}
