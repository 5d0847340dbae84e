import type { inferOutput } from '@trpc/tanstack-react-query';
import type { useTRPC } from '../../trpc.ts';

type Api = ReturnType<typeof useTRPC>;
export type EventType = inferOutput<Api['admin']['webhooks']['list']>[number]['eventTypes'][number];

/** Every event type an endpoint can choose, in the order the server lists them, with what it means. */
export const EVENT_TYPES: ReadonlyArray<{ type: EventType; label: string }> = (
  [
    ['ticket.created', 'A ticket came in'],
    ['flow.started', 'A flow was started by hand'],
    ['step.completed', 'A step was completed'],
    ['timer.fired', 'An SLA, wait or timeout passed'],
    ['sla.breached', 'An SLA was breached'],
    ['customer.replied', 'The customer replied at a wait'],
    ['subflow.completed', 'A subflow finished'],
    ['ticket.assigned', 'A ticket was assigned'],
    ['ticket.migrated', 'A ticket moved to another version'],
    ['feedback.received', 'The customer rated the ticket'],
    ['message.created', 'A reply or flow message to the customer'],
  ] as const satisfies ReadonlyArray<readonly [EventType, string]>
).map(([type, label]) => ({ type, label }));

/** The event types, each a labelled checkbox (its code shown too: receivers switch on it). */
export function EventTypesPicker({
  value,
  onChange,
  legend = 'Event types',
  error,
}: {
  value: ReadonlySet<EventType>;
  onChange: (next: Set<EventType>) => void;
  legend?: string;
  error?: string | undefined;
}) {
  const all = value.size === EVENT_TYPES.length;
  return (
    <fieldset className="event-types" aria-describedby={error ? 'event-types-error' : undefined}>
      <legend>{legend}</legend>
      <label className="member-option event-types-all">
        <input
          type="checkbox"
          checked={all}
          onChange={() => onChange(all ? new Set() : new Set(EVENT_TYPES.map((e) => e.type)))}
        />
        <span>All events</span>
      </label>
      <div className="event-types-grid">
        {EVENT_TYPES.map((e) => (
          <label key={e.type} className="member-option">
            <input
              type="checkbox"
              checked={value.has(e.type)}
              onChange={() => {
                const next = new Set(value);
                if (next.has(e.type)) next.delete(e.type);
                else next.add(e.type);
                onChange(next);
              }}
            />
            <span>
              {e.label} <code className="muted">{e.type}</code>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" id="event-types-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A short summary of an endpoint's event types for its row. */
export function describeEventTypes(types: readonly string[]): string {
  if (types.length === EVENT_TYPES.length) return 'All events';
  if (types.length === 0) return 'No events';
  if (types.length <= 2) return types.join(', ');
  return `${types.length} event types`;
}
