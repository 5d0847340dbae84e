import type { TicketCore } from './ticketCore.ts';

function isTicketCore(value: unknown): value is TicketCore {
  return (
    typeof value === 'object' &&
    value !== null &&
    'ticket' in value &&
    typeof value.ticket === 'object' &&
    value.ticket !== null &&
    'events' in value &&
    Array.isArray(value.events)
  );
}

/** The fresh ticket a CONFLICT carries in `details.fresh`, if it looks like one. */
export function freshOf(details: unknown): TicketCore | null {
  if (details && typeof details === 'object' && 'fresh' in details && isTicketCore(details.fresh))
    return details.fresh;
  return null;
}

/**
 * Per-field (or per-checklist-item) messages of a refused step: `details.issues` as the runtime sends
 * them (`{ code, issues: { amount: 'Enter a number' } }`), or a flat `{ key: message }` record.
 */
export function fieldErrorsOf(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!details || typeof details !== 'object' || Array.isArray(details)) return out;
  const issues: unknown = 'issues' in details ? details.issues : details;
  if (!issues || typeof issues !== 'object' || Array.isArray(issues)) return out;
  for (const [key, value] of Object.entries(issues)) if (typeof value === 'string') out[key] = value;
  return out;
}
