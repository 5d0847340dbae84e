import type { FlowDocument, FlowNode } from '@stepwise/flow';
import { ArrowRight, CircleCheck, CircleX } from 'lucide-react';
import { describeEndStatus, nodeTitle, outputLabel } from '../../canvas/describe.ts';
import { capitalize, humanize } from '../../ui/Badge.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { type ActionNames, actionWords } from '../../canvas/actionWords.ts';
import { fieldNamer, fieldNamesOf } from '../../canvas/types.ts';
import type { TicketEvent } from '../../trpc.ts';

const EVENT_WORDS: Record<string, string> = {
  'ticket.created': 'Ticket created',
  'ticket.started': 'Entered the flow',
  'flow.started': 'Entered the flow',
  'step.completed': 'Step completed',
  'timer.fired': 'Timer fired',
  'sla.breached': 'SLA breached',
  'customer.replied': 'Customer replied',
  'subflow.completed': 'Subflow finished',
  'ticket.migrated': 'Moved to a new version',
  'ticket.parked': 'Stopped: needs attention',
  'ticket.assigned': 'Ticket assigned',
  'feedback.received': 'Customer feedback received',
  'note.added': 'Internal note',
  'ticket.edited': 'Ticket edited',
  'ticket.reassigned': 'Ticket reassigned',
};

/** Events that change a ticket where it stands (no move to show). */
const IN_PLACE = new Set([
  'ticket.assigned',
  'feedback.received',
  'note.added',
  'ticket.edited',
  'ticket.reassigned',
]);

/** A field of an event's recorded input, when it is there. */
function inputField(event: TicketEvent, key: string): unknown {
  const input = isRecord(event.data) ? event.data.input : undefined;
  return isRecord(input) && Object.hasOwn(input, key) ? input[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The trail entries of an event that can be shown. Stored events are immutable and some predate the
 * current shapes, so anything that is not an entry object with a known type is left out here, and each
 * line below reads its fields defensively.
 */
function trailOf(event: TicketEvent): TrailEntry[] {
  const trail: unknown = isRecord(event.data) ? event.data.trail : undefined;
  if (!Array.isArray(trail)) return [];
  return trail.filter((entry): entry is TrailEntry => isRecord(entry) && typeof entry.type === 'string');
}

function eventTitle(event: TicketEvent): string {
  if (event.type === 'ticket.assigned' && inputField(event, 'assigneeId') === null) return 'Ticket released';
  return EVENT_WORDS[event.type] ?? humanize(event.type);
}

/** An edited attribute's value as the timeline shows it. */
function editedValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(String).join(', ');
  return formatValue(value);
}

/** What a hand edit changed: one line per attribute, old → new. */
function EditLines({ event, fieldName }: { event: TicketEvent; fieldName: (key: string) => string }) {
  const set = inputField(event, 'set');
  const data: unknown = event.data;
  const previous = isRecord(data) && isRecord(data.previous) ? data.previous : {};
  if (!isRecord(set)) return null;
  const lines: Array<{ key: string; label: string; from: unknown; to: unknown }> = [];
  for (const key of ['priority', 'category', 'tags'] as const)
    if (Object.hasOwn(set, key))
      lines.push({ key, label: capitalize(key), from: previous[key], to: set[key] });
  const fields = isRecord(set.fields) ? set.fields : {};
  const before = isRecord(previous.fields) ? previous.fields : {};
  for (const [key, value] of Object.entries(fields))
    lines.push({ key: `field-${key}`, label: fieldName(key), from: before[key], to: value });
  return (
    <ul className="trail edit-lines">
      {lines.map((line) => (
        <li key={line.key}>
          {line.label}: <span className="muted">{editedValue(line.from)}</span>{' '}
          <ArrowRight size={12} aria-label="to" /> <strong>{editedValue(line.to)}</strong>
        </li>
      ))}
    </ul>
  );
}

/** What an in-place event recorded: a note's text, a reassignment's reason, the customer's score. */
function InputLine({ event, names }: { event: TicketEvent; names: Names }) {
  if (event.type === 'note.added') {
    const body = inputField(event, 'body');
    return <p className="trail note-text">{typeof body === 'string' ? body : ''}</p>;
  }
  if (event.type === 'ticket.edited') return <EditLines event={event} fieldName={names.field} />;
  if (event.type === 'ticket.reassigned') {
    const teamId = inputField(event, 'teamId');
    const assigneeId = inputField(event, 'assigneeId');
    const reason = inputField(event, 'reason');
    const team = typeof teamId === 'string' ? names.team(teamId) : 'no team';
    const person = typeof assigneeId === 'string' ? names.person(assigneeId) : null;
    return (
      <div className="trail">
        To {person ? `${person} (${team})` : team}
        {typeof reason === 'string' && reason !== '' ? ` — “${reason}”` : ''}
      </div>
    );
  }
  if (event.type !== 'feedback.received') return null;
  const score = inputField(event, 'score');
  const comment = inputField(event, 'comment');
  return (
    <div className="trail">
      Score <strong>{typeof score === 'number' ? `${score}/5` : '—'}</strong>
      {typeof comment === 'string' && comment !== '' ? ` — “${comment}”` : ''}
    </div>
  );
}

const OPERATOR_WORDS: Record<string, string> = {
  equals: 'is',
  not_equals: 'is not',
  in: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  greater_than: 'is greater than',
  less_than: 'is less than',
  is_set: 'is set',
  is_empty: 'is empty',
};

/** A value seen or expected by a condition, as text: `"vip"`, `150`, `yes`, `email, chat`, `(empty)`. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  if (typeof value === 'string') return `“${value}”`;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value) ?? '(empty)';
}

type Lookup = (id: string | null) => FlowNode | undefined;
/** Names for the ids a timeline shows: nodes of the flow, teams of the organization, fields. */
type Names = ActionNames & { node: Lookup; person: (id: string) => string };
/** A trail entry as it arrives over the wire (the engine's `TrailEntry`, JSON-serialised). */
type TrailEntry = TicketEvent['data']['trail'][number];
type ComparisonTrace = Extract<
  TrailEntry,
  { type: 'decision_evaluated' }
>['tried'][number]['comparisons'][number];

function nodeName(lookup: Lookup, id: string | null): string {
  if (typeof id !== 'string') return '—';
  const node = lookup(id);
  return node ? nodeTitle(node) : id;
}

/** One comparison a decision made, its field named by its label (the key shows on hover). */
function Comparison({ c, fieldName }: { c: ComparisonTrace; fieldName: (key: string) => string }) {
  const needsValue = c.operator !== 'is_set' && c.operator !== 'is_empty';
  return (
    <li className={c.result ? 'cmp is-true' : 'cmp is-false'}>
      {c.result ? <CircleCheck size={13} aria-label="true" /> : <CircleX size={13} aria-label="false" />}
      <span>
        <strong title={c.field}>{fieldName(c.field)}</strong> {OPERATOR_WORDS[c.operator] ?? c.operator}
        {needsValue ? ` ${formatValue(c.expected)}` : ''}{' '}
        <span className="muted">— was {formatValue(c.actual)}</span>
      </span>
    </li>
  );
}

function TrailLine({ entry, names }: { entry: TrailEntry; names: Names }) {
  const lookup = names.node;
  switch (entry.type) {
    case 'step_completed': {
      const node = lookup(entry.nodeId);
      const outcome = node ? outputLabel(node, `outcome:${entry.outcomeId}`) : entry.outcomeId;
      const form = node?.type === 'step' ? node.data.form : [];
      const values = isRecord(entry.values) ? Object.entries(entry.values) : [];
      return (
        <div className="trail">
          Outcome <strong>{outcome}</strong>
          {values.length > 0 && (
            <dl className="trail-values">
              {values.map(([key, value]) => (
                <div key={key}>
                  <dt>{form.find((f) => f.key === key)?.label ?? key}</dt>
                  <dd>{formatValue(value)}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      );
    }
    case 'decision_evaluated': {
      const node = lookup(entry.nodeId);
      const taken = node ? outputLabel(node, entry.handle) : entry.handle;
      const branchLabel = (branchId: string) => (node ? outputLabel(node, `branch:${branchId}`) : branchId);
      return (
        <div className="trail">
          Decision <strong>{nodeName(lookup, entry.nodeId)}</strong> went to <strong>{taken}</strong>
          {entry.branchId === null && ' (no branch matched)'}
          {Array.isArray(entry.tried) && entry.tried.length > 0 && (
            <ul className="trail-branches">
              {entry.tried.filter(isRecord).map((t) => (
                <li key={t.branchId}>
                  <span className={t.matched ? 'branch-matched' : 'branch-missed'}>
                    {branchLabel(t.branchId)}: {t.matched ? 'matched' : 'did not match'}
                  </span>
                  {Array.isArray(t.comparisons) && t.comparisons.length > 0 && (
                    <ul className="cmp-list">
                      {t.comparisons.map((c, i) => (
                        // Comparisons of one branch are a fixed, ordered list.
                        <Comparison key={i} c={c} fieldName={names.field} />
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      );
    }
    case 'action_performed': {
      const parts = actionWords(entry, names);
      return parts.length > 0 ? (
        <div className="trail">
          <strong>{nodeName(lookup, entry.nodeId)}</strong>: {parts.join('; ')}
        </div>
      ) : null;
    }
    case 'timer_fired':
      return (
        <div className="trail">
          {entry.kind === 'sla' ? 'SLA' : entry.kind === 'wait' ? 'Wait' : 'Timeout'} timer fired at{' '}
          <strong>{nodeName(lookup, entry.nodeId)}</strong>
        </div>
      );
    case 'sla_breached':
      return (
        <div className="trail trail-danger">
          SLA breached at <strong>{nodeName(lookup, entry.nodeId)}</strong>
          {entry.escalatedBy === 'edge'
            ? ', escalated by its breach path'
            : ', escalated by raising the priority'}
        </div>
      );
    case 'customer_replied':
      return <div className="trail">The customer replied</div>;
    case 'ended':
      return (
        <div className="trail">
          Closed as <strong>{describeEndStatus(entry.status)}</strong>
        </div>
      );
    case 'parked':
      return (
        <div className="trail trail-danger">
          Stopped: {typeof entry.reason === 'string' ? entry.reason : 'the flow could not go on'}
        </div>
      );
    default:
      // node_entered (shown as the move), or an entry of a kind this page does not know.
      return null;
  }
}

/** The ticket's history, newest first: who, when, from → to, the outcome, and why each decision went its way. */
export function Timeline({
  events,
  document,
  now,
  teams,
  people,
}: {
  events: readonly TicketEvent[];
  /** The organization's people, to name whom a ticket was handed to. */
  people?: ReadonlyArray<{ id: string; name: string }> | undefined;
  document: FlowDocument | null;
  now: number;
  /** The organization's teams (ids are never shown: a team no longer there reads "a deleted team"). */
  teams?: ReadonlyArray<{ id: string; name: string }> | undefined;
}) {
  const nodes = new Map((document?.nodes ?? []).map((n) => [n.id, n]));
  const lookup: Lookup = (id) => (typeof id === 'string' ? nodes.get(id) : undefined);
  const teamNames = new Map((teams ?? []).map((t) => [t.id, t.name]));
  const fieldName = fieldNamer(document ? fieldNamesOf(document) : []);
  const personNames = new Map((people ?? []).map((p) => [p.id, p.name]));
  const names: Names = {
    node: lookup,
    person: (id) => personNames.get(id) ?? 'a colleague',
    team: (id) =>
      typeof id === 'string' && teamNames.has(id)
        ? teamNames.get(id)!
        : teams === undefined
          ? 'a team'
          : 'a deleted team',
    field: (key) => (typeof key === 'string' ? fieldName(key) : 'a field'),
  };
  const ordered = [...events].sort((a, b) => b.seq - a.seq);
  if (ordered.length === 0) return <p className="muted">Nothing has happened on this ticket yet.</p>;
  return (
    <ol className="timeline">
      {ordered.map((event) => {
        return (
          <li key={event.seq} className="timeline-item" data-event-type={event.type}>
            <div className="timeline-dot" aria-hidden="true" />
            <div className="timeline-body">
              <div className="timeline-head">
                <span className="timeline-title">{eventTitle(event)}</span>
                <span className="muted">
                  by {event.actorName ?? 'Stepwise'} ·{' '}
                  <time dateTime={event.createdAt} title={formatDateTime(event.createdAt)}>
                    {formatRelative(event.createdAt, now)}
                  </time>
                </span>
              </div>
              {!IN_PLACE.has(event.type) && (event.fromNode !== null || event.toNode !== null) && (
                <div className="timeline-move">
                  <span>{event.fromNode === null ? 'Start' : nodeName(lookup, event.fromNode)}</span>
                  <ArrowRight size={13} aria-label="to" />
                  <span>{event.toNode === null ? '—' : nodeName(lookup, event.toNode)}</span>
                </div>
              )}
              <InputLine event={event} names={names} />
              {trailOf(event).map((entry, i) => (
                // The trail is an ordered, append-only record of one transition.
                <TrailLine key={i} entry={entry} names={names} />
              ))}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
