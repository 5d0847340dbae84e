import type { Channel, ConditionValue, END_STATUSES, Priority, ScalarValue, Tier } from './schema.ts';

/** What the engine sees of a ticket: its attributes, the values captured so far, and where it is. */
export type TicketData = {
  channel: Channel;
  priority: Priority;
  category: string;
  subject: string;
  customer: { name: string; email: string; tier: Tier };
  tags: string[];
  /** Custom fields and captured form values, by key. */
  fields: Record<string, ScalarValue | null>;
};

export type RunStatus =
  /** Not yet started. */
  | 'new'
  /** At a step, waiting for an agent. */
  | 'at_step'
  /** At a wait node, waiting for the customer or a duration. */
  | 'waiting'
  /** At a subflow node, waiting for the child flow to finish. */
  | 'in_subflow'
  /** Reached an end. */
  | 'ended'
  /** Stopped by an error (e.g. a loop of automatic nodes past the bound); needs a person. */
  | 'parked';

export type EndStatus = (typeof END_STATUSES)[number];

/** The engine's state of one ticket on one flow version. Plain JSON. */
export type RunState = {
  status: RunStatus;
  /** Current node; null before start. */
  nodeId: string | null;
  ticket: TicketData;
  teamId: string | null;
  assigneeId: string | null;
  /** The current step's SLA has passed (set when the SLA timer fires without a breach edge). */
  breached: boolean;
  /**
   * Some SLA of this ticket has passed, escalated by a breach edge or in place. Unlike `breached` it
   * never clears: the ticket stays marked for the rest of its life (queues filter on it).
   */
  everBreached: boolean;
  endStatus: EndStatus | null;
};

/** Inputs to `transition`. */
export type EngineEvent =
  | { type: 'start' }
  | {
      type: 'complete_step';
      /** The step the caller believes the ticket is at (refused if it is elsewhere). */
      nodeId: string;
      outcomeId: string;
      /** Form values by field key, as submitted (validated and coerced by the engine). */
      form: Record<string, unknown>;
      /** Ids of ticked checklist items. */
      checklist: string[];
      actorId: string | null;
    }
  | {
      type: 'timer_fired';
      /** `sla`: a step's SLA passed; `wait`: a duration wait ended; `timeout`: a reply wait timed out. */
      kind: 'sla' | 'wait' | 'timeout';
      nodeId: string;
    }
  | { type: 'customer_replied' }
  | { type: 'subflow_completed' };

export type EngineContext = {
  /** Milliseconds since the epoch: the engine never reads a clock. */
  now: number;
};

/** Things the runtime must do; the engine performs nothing. */
export type Effect =
  | { type: 'set_fields'; values: Record<string, ScalarValue | string[] | null> }
  | { type: 'assign_team'; teamId: string }
  /** Pick an agent of the team (the runtime knows who is on it and how loaded they are). */
  | { type: 'assign_agent'; teamId: string; strategy: 'round_robin' | 'least_loaded' }
  | { type: 'send_message'; body: string }
  | { type: 'call_webhook'; url: string; nodeId: string }
  /** Post the template, filled in by the runtime, to the organization's channel with this name or id. */
  | { type: 'notify_channel'; nodeId: string; channel: string; template: string }
  | { type: 'schedule_timer'; kind: 'sla' | 'wait' | 'timeout'; nodeId: string; dueAt: number }
  /** Cancel every pending timer of the ticket (it left the node they were for). */
  | { type: 'cancel_timers' }
  | { type: 'start_subflow'; flowId: string; nodeId: string }
  | { type: 'request_feedback' };

/** Why a comparison matched or not: the value seen, for the "why did it come here" view. */
export type ComparisonTrace = {
  field: string;
  operator: string;
  expected: ConditionValue | undefined;
  actual: unknown;
  result: boolean;
};

/** What one operation of an action node did. `skipped`: the value did not fit, nothing changed. */
export type ActionChange =
  | { op: 'set_field'; field: string; value: ScalarValue; skipped?: true }
  | { op: 'add_tag'; tag: string; skipped?: true }
  | { op: 'assign'; teamId: string; strategy: 'team' | 'round_robin' | 'least_loaded' }
  | { op: 'send_message' }
  | { op: 'webhook'; url: string };

/** Fine-grained record of what one transition did, in order. Stored with the event row. */
export type TrailEntry =
  | { type: 'node_entered'; nodeId: string; nodeType: string }
  | {
      type: 'decision_evaluated';
      nodeId: string;
      /** The branch taken; null when the default branch was taken. */
      branchId: string | null;
      handle: string;
      /** One entry per branch tried, in order, until the first match. */
      tried: Array<{ branchId: string; matched: boolean; comparisons: ComparisonTrace[] }>;
    }
  | {
      type: 'step_completed';
      nodeId: string;
      outcomeId: string;
      values: Record<string, ScalarValue | null>;
      checklist: string[];
    }
  | {
      type: 'action_performed';
      nodeId: string;
      /** One line per operation, in order (ids as written in the flow). */
      ops: string[];
      /**
       * The same operations as data, for views that name teams and show values. Absent on events
       * recorded before it existed: read `ops` then.
       */
      changes?: ActionChange[];
    }
  | { type: 'timer_fired'; nodeId: string; kind: 'sla' | 'wait' | 'timeout' }
  | { type: 'sla_breached'; nodeId: string; escalatedBy: 'edge' | 'priority' }
  | { type: 'customer_replied'; nodeId: string }
  | { type: 'ended'; nodeId: string; status: EndStatus }
  | { type: 'parked'; nodeId: string | null; reason: string };

export type EngineErrorCode =
  | 'NOT_STARTED'
  | 'ALREADY_STARTED'
  | 'TICKET_CLOSED'
  | 'NOT_AT_THIS_STEP'
  | 'UNKNOWN_OUTCOME'
  | 'FORM_INVALID'
  | 'CHECKLIST_INCOMPLETE'
  | 'STALE_TIMER'
  | 'NOT_WAITING'
  | 'BROKEN_FLOW';

export type EngineError = {
  code: EngineErrorCode;
  message: string;
  /** Per-field problems for FORM_INVALID, item ids for CHECKLIST_INCOMPLETE. */
  details?: Record<string, string>;
  /**
   * What an internal failure threw (a `BROKEN_FLOW` from a document or state that is not what the
   * types say, or a bug in the engine): kept so the caller can log or rethrow it with its stack.
   * Absent on every ordinary refusal.
   */
  cause?: unknown;
};

export type TransitionResult =
  | { ok: true; state: RunState; effects: Effect[]; events: TrailEntry[] }
  | { ok: false; error: EngineError };
