import { z } from 'zod';
import { v0ToV1 } from './eventMigrations/v0ToV1.ts';
import { Channel, END_STATUSES, Priority, Tier } from './schema.ts';
import type { EngineEvent, RunState, TicketData, TrailEntry } from './types.ts';

/**
 * What a ticket event stores (the `data` of a `ticket_events` row): the input the move was made with,
 * the engine's trail, and the runtime's own decisions, so that replaying the inputs rebuilds the state.
 * One variant per kind of input:
 *
 * - `created`: the ticket as it came in (the `ticket.created` event; its trail is the flow's start,
 *   empty when no flow took it);
 * - `start`: a flow started by hand on an unrouted or ended ticket (a new run on `flowId`/`versionId`);
 * - `complete_step`, `timer_fired`, `customer_replied`, `subflow_completed`: the engine's own inputs,
 *   as given to `transition`;
 * - `assign`: a hand assignment (take, release, reassign);
 * - `migrate`: a move to another version, with the whole state it landed in (replay starts again there);
 * - `feedback`: the customer's rating (changes no run state);
 * - `note`: an internal note by an agent (agents only: never part of the customer's conversation; changes
 *   no run state);
 * - `edit`: a hand edit of the ticket's priority, category, tags or custom fields (`previous` holds what
 *   they were, for the timeline); decisions after it see the new values;
 * - `reassign`: the ticket handed to a named agent or team, with the reason.
 *
 * Every variant has a `trail` (the ticket page reads it), may carry `runtime.assigneeId` (the agent the
 * runtime picked for an `assign_agent` effect: replay applies it as recorded) and `key` (the
 * idempotency key the move was made with).
 */

/**
 * 1: every event names its kind (`created` is no longer a `start`), has a trail, and a migration
 * records the versions and nodes it moved between. Events stored before (no `schemaVersion`) are
 * version 0 and are migrated on read (see `EVENT_MIGRATIONS`).
 */
export const CURRENT_EVENT_SCHEMA_VERSION = 1 as const;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const ConditionValue = z.union([Scalar, z.array(Scalar)]);

const StoredTicket = z.object({
  channel: Channel,
  priority: Priority,
  category: z.string(),
  subject: z.string(),
  customer: z.object({ name: z.string(), email: z.string(), tier: Tier }),
  tags: z.array(z.string()),
  fields: z.record(z.string(), Scalar.nullable()),
});

const StoredRunState = z.object({
  status: z.enum(['new', 'at_step', 'waiting', 'in_subflow', 'ended', 'parked']),
  nodeId: z.string().nullable(),
  ticket: StoredTicket,
  teamId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  breached: z.boolean(),
  everBreached: z.boolean(),
  endStatus: z.enum(END_STATUSES).nullable(),
});

const TimerKind = z.enum(['sla', 'wait', 'timeout']);
const skipped = z.literal(true).optional();

const ActionChange = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set_field'), field: z.string(), value: Scalar, skipped }),
  z.object({ op: z.literal('add_tag'), tag: z.string(), skipped }),
  z.object({
    op: z.literal('assign'),
    teamId: z.string(),
    strategy: z.enum(['team', 'round_robin', 'least_loaded']),
  }),
  z.object({ op: z.literal('send_message') }),
  z.object({ op: z.literal('webhook'), url: z.string() }),
]);

const StoredTrailEntry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('node_entered'), nodeId: z.string(), nodeType: z.string() }),
  z.object({
    type: z.literal('decision_evaluated'),
    nodeId: z.string(),
    branchId: z.string().nullable(),
    handle: z.string(),
    tried: z.array(
      z.object({
        branchId: z.string(),
        matched: z.boolean(),
        comparisons: z.array(
          z.object({
            field: z.string(),
            operator: z.string(),
            // Absent (not null) when the comparison has no expected value (`is_set`, `is_empty`).
            expected: z.union([ConditionValue, z.undefined()]),
            actual: z.unknown(),
            result: z.boolean(),
          }),
        ),
      }),
    ),
  }),
  z.object({
    type: z.literal('step_completed'),
    nodeId: z.string(),
    outcomeId: z.string(),
    values: z.record(z.string(), Scalar.nullable()),
    checklist: z.array(z.string()),
  }),
  z.object({
    type: z.literal('action_performed'),
    nodeId: z.string(),
    ops: z.array(z.string()),
    changes: z.array(ActionChange).optional(),
  }),
  z.object({ type: z.literal('timer_fired'), nodeId: z.string(), kind: TimerKind }),
  z.object({
    type: z.literal('sla_breached'),
    nodeId: z.string(),
    escalatedBy: z.enum(['edge', 'priority']),
  }),
  z.object({ type: z.literal('customer_replied'), nodeId: z.string() }),
  z.object({ type: z.literal('ended'), nodeId: z.string(), status: z.enum(END_STATUSES) }),
  z.object({ type: z.literal('parked'), nodeId: z.string().nullable(), reason: z.string() }),
]);

const common = {
  schemaVersion: z.literal(CURRENT_EVENT_SCHEMA_VERSION),
  trail: z.array(StoredTrailEntry),
  runtime: z.object({ assigneeId: z.string() }).optional(),
  key: z.string().optional(),
};

const CreatedEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('created'), ticket: StoredTicket }),
  /** The flow and version the ticket started on; absent when no flow took it (or on older events). */
  flowId: z.string().optional(),
  versionId: z.string().optional(),
});
const StartEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('start'), ticket: StoredTicket }),
  flowId: z.string(),
  versionId: z.string(),
});
const CompleteStepEvent = z.object({
  ...common,
  input: z.object({
    type: z.literal('complete_step'),
    nodeId: z.string(),
    outcomeId: z.string(),
    form: z.record(z.string(), z.unknown()),
    checklist: z.array(z.string()),
    actorId: z.string().nullable(),
  }),
});
const TimerFiredEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('timer_fired'), kind: TimerKind, nodeId: z.string() }),
});
const CustomerRepliedEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('customer_replied') }),
});
const SubflowCompletedEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('subflow_completed') }),
});
const AssignEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('assign'), assigneeId: z.string().nullable() }),
});
const MigrateEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('migrate'), toVersion: z.string(), state: StoredRunState }),
  /** Null only on migrations stored before the version moved from was recorded. */
  fromVersion: z.string().nullable(),
  toVersion: z.string(),
  fromNode: z.string().nullable(),
  toNode: z.string().nullable(),
});
const FeedbackEvent = z.object({
  ...common,
  input: z.object({
    type: z.literal('feedback'),
    score: z.number(),
    comment: z.string().nullable(),
  }),
});

const NoteEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('note'), body: z.string() }),
});

/** What a hand edit sets: any of the ticket's priority, category, tags and custom fields (merged by key). */
const TicketEdit = z.object({
  priority: Priority.optional(),
  category: z.string().optional(),
  tags: z.array(z.string()).optional(),
  fields: z.record(z.string(), Scalar.nullable()).optional(),
});
export type TicketEdit = z.infer<typeof TicketEdit>;

const EditEvent = z.object({
  ...common,
  input: z.object({ type: z.literal('edit'), set: TicketEdit }),
  /** The values the edit replaced (the same keys as `input.set`), for the timeline. */
  previous: TicketEdit,
});
const ReassignEvent = z.object({
  ...common,
  input: z.object({
    type: z.literal('reassign'),
    /** The team and agent the ticket has after the move (an agent reassigned keeps the ticket's team). */
    teamId: z.string().nullable(),
    assigneeId: z.string().nullable(),
    reason: z.string(),
  }),
});

/** The schema of each kind of event, by its input's `type`. */
const EVENT_KINDS = {
  created: CreatedEvent,
  start: StartEvent,
  complete_step: CompleteStepEvent,
  timer_fired: TimerFiredEvent,
  customer_replied: CustomerRepliedEvent,
  subflow_completed: SubflowCompletedEvent,
  assign: AssignEvent,
  migrate: MigrateEvent,
  feedback: FeedbackEvent,
  note: NoteEvent,
  edit: EditEvent,
  reassign: ReassignEvent,
} as const;

export type StoredEventKind = keyof typeof EVENT_KINDS;
export const STORED_EVENT_KINDS = Object.keys(EVENT_KINDS) as StoredEventKind[];

/** The schema of any stored event (at the current version). */
export const StoredEvent = z.union([
  CreatedEvent,
  StartEvent,
  CompleteStepEvent,
  TimerFiredEvent,
  CustomerRepliedEvent,
  SubflowCompletedEvent,
  AssignEvent,
  MigrateEvent,
  FeedbackEvent,
  NoteEvent,
  EditEvent,
  ReassignEvent,
]);
export type StoredEvent = z.infer<typeof StoredEvent>;
export type StoredEventOf<K extends StoredEventKind> = z.infer<(typeof EVENT_KINDS)[K]>;
/** The input an event records. */
export type StoredInput = StoredEvent['input'];

// The stored shapes are the engine's own: a state, ticket, trail entry or engine input read back from an
// event is the type the engine takes (checked at compile time).
type Assert<T extends true> = T;
export type _StoredShapesAreEngineShapes = Assert<
  [
    z.infer<typeof StoredRunState> extends RunState ? true : false,
    z.infer<typeof StoredTicket> extends TicketData ? true : false,
    z.infer<typeof StoredTrailEntry> extends TrailEntry ? true : false,
    StoredEventOf<
      'complete_step' | 'timer_fired' | 'customer_replied' | 'subflow_completed'
    >['input'] extends EngineEvent
      ? true
      : false,
  ] extends [true, true, true, true]
    ? true
    : false
>;

/**
 * The ticket after a hand edit: each attribute the edit names is replaced, custom fields are merged by
 * key (a null value clears one). The runtime's move and replay both apply an edit with this function.
 */
export function applyTicketEdit(ticket: TicketData, set: TicketEdit): TicketData {
  return {
    ...ticket,
    ...(set.priority !== undefined ? { priority: set.priority } : {}),
    ...(set.category !== undefined ? { category: set.category } : {}),
    ...(set.tags !== undefined ? { tags: [...set.tags] } : {}),
    fields: set.fields !== undefined ? { ...ticket.fields, ...set.fields } : ticket.fields,
  };
}

/** Why stored data is not an event: not one at all, or written by a newer Stepwise. */
export type StoredEventError = {
  code: 'INVALID_EVENT' | 'UNSUPPORTED_EVENT_VERSION';
  message: string;
};

export type StoredEventParse = { ok: true; event: StoredEvent } | { ok: false; error: StoredEventError };

type EventMigration = {
  /** The step's name, after its file in `eventMigrations/`. */
  name: string;
  from: number;
  migrate: (event: Readonly<Record<string, unknown>>) => Record<string, unknown>;
};

/** Migration steps of stored events, one per schema version, applied in order from the event's version. */
export const EVENT_MIGRATIONS: readonly EventMigration[] = [{ name: 'v0ToV1', from: 0, migrate: v0ToV1 }];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): StoredEventParse {
  return { ok: false, error: { code: 'INVALID_EVENT', message } };
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

function parseUnsafe(data: unknown): StoredEventParse {
  if (!isRecord(data)) return invalid('Event data is a JSON object with an input and a trail.');
  const raw = Object.hasOwn(data, 'schemaVersion') ? data.schemaVersion : 0;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0)
    return invalid('schemaVersion must be a whole number: this is not a Stepwise event.');
  if (raw > CURRENT_EVENT_SCHEMA_VERSION)
    return {
      ok: false,
      error: {
        code: 'UNSUPPORTED_EVENT_VERSION',
        message: `This event uses schema version ${raw}, newer than this Stepwise understands (${CURRENT_EVENT_SCHEMA_VERSION}).`,
      },
    };
  let event: Record<string, unknown> = data;
  for (const step of EVENT_MIGRATIONS) {
    if (step.from >= raw && step.from < CURRENT_EVENT_SCHEMA_VERSION) event = step.migrate(event);
  }
  const input = Object.hasOwn(event, 'input') ? event.input : undefined;
  const type = isRecord(input) && Object.hasOwn(input, 'type') ? input.type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_KINDS, type))
    return invalid(
      `The event's input has ${typeof type === 'string' ? `the unknown type "${type}"` : 'no type'}: one of ${STORED_EVENT_KINDS.join(', ')} was expected.`,
    );
  const parsed = EVENT_KINDS[type as StoredEventKind].safeParse(event);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue ? pathOf(issue.path) : '';
  return invalid(
    `A ${type} event ${where === '' ? 'is malformed' : `has a bad ${where}`}: ${issue?.message ?? 'invalid'}.`,
  );
}

/**
 * Reads stored event data (a `ticket_events.data` value) as a typed event. Events of an older schema
 * version (no `schemaVersion`: version 0) are migrated on the way (see `EVENT_MIGRATIONS`). Never
 * throws: data that is not an event comes back as a typed error.
 */
export function parseStoredEvent(data: unknown): StoredEventParse {
  try {
    return parseUnsafe(data);
  } catch {
    return invalid('The event could not be read: it is not plain JSON.');
  }
}
