import type {
  Channel,
  EndStatus,
  OpenVisit,
  Priority,
  RunState,
  RunStatus,
  ScalarValue,
  TicketData,
  Tier,
} from '@stepwise/flow';

/** A ticket's status column: the engine's RunStatus, or `unrouted` (no flow matched at intake). */
export type TicketStatus = RunStatus | 'unrouted';

/** The run and attribute columns of a `tickets` row, as the runtime reads them (timestamps as ISO text). */
export type TicketRow = {
  id: string;
  org_id: string;
  number: number;
  flow_id: string | null;
  version_id: string | null;
  node_id: string | null;
  seq: number;
  status: string;
  end_status: string | null;
  channel: string;
  priority: string;
  category: string;
  subject: string;
  description: string;
  customer_name: string;
  customer_email: string;
  customer_tier: string;
  tags: unknown;
  fields: unknown;
  team_id: string | null;
  assignee_id: string | null;
  breached: boolean;
  sla_due_at: string | null;
  /** When an SLA of the ticket first passed; null if none ever did (sticky). */
  sla_breached_at: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** When the ticket entered the node it is at (its visit in progress began). */
  node_entered_at: string | null;
  /** When a person first completed a step of it. */
  first_response_at: string | null;
  /** The id another system knows the ticket by, and that system (both or neither). */
  external_id: string | null;
  external_source: string | null;
};

/** Just the row's columns (reads carry more: membership, key, history), so the cache holds only the row. */
export function rowOf(row: TicketRow): TicketRow {
  return {
    id: row.id,
    org_id: row.org_id,
    number: row.number,
    flow_id: row.flow_id,
    version_id: row.version_id,
    node_id: row.node_id,
    seq: row.seq,
    status: row.status,
    end_status: row.end_status,
    channel: row.channel,
    priority: row.priority,
    category: row.category,
    subject: row.subject,
    description: row.description,
    customer_name: row.customer_name,
    customer_email: row.customer_email,
    customer_tier: row.customer_tier,
    tags: row.tags,
    fields: row.fields,
    team_id: row.team_id,
    assignee_id: row.assignee_id,
    breached: row.breached,
    sla_due_at: row.sla_due_at,
    sla_breached_at: row.sla_breached_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    closed_at: row.closed_at,
    node_entered_at: row.node_entered_at,
    first_response_at: row.first_response_at,
    external_id: row.external_id,
    external_source: row.external_source,
  };
}

/** The columns of TicketRow, selected with ISO timestamps (prefix with a table alias). */
export function ticketColumns(alias: string): string {
  const a = `${alias}.`;
  const ts = (c: string) => `to_char(${a}${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${c}`;
  return [
    `${a}id`,
    `${a}org_id`,
    `${a}number`,
    `${a}flow_id`,
    `${a}version_id`,
    `${a}node_id`,
    `${a}seq`,
    `${a}status`,
    `${a}end_status`,
    `${a}channel`,
    `${a}priority`,
    `${a}category`,
    `${a}subject`,
    `${a}description`,
    `${a}customer_name`,
    `${a}customer_email`,
    `${a}customer_tier`,
    `${a}tags`,
    `${a}fields`,
    `${a}team_id`,
    `${a}assignee_id`,
    `${a}breached`,
    ts('sla_due_at'),
    ts('sla_breached_at'),
    ts('created_at'),
    ts('updated_at'),
    ts('closed_at'),
    ts('node_entered_at'),
    ts('first_response_at'),
    `${a}external_id`,
    `${a}external_source`,
  ].join(', ');
}

const RUN_STATUSES: ReadonlySet<string> = new Set([
  'new',
  'at_step',
  'waiting',
  'in_subflow',
  'ended',
  'parked',
]);
const END_STATUSES: ReadonlySet<string> = new Set(['resolved', 'closed_unresolved', 'transferred']);

/** Keys that must never reach an object prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tags as stored (jsonb array of strings); anything else reads as none. */
export function tagsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}

/** Custom and captured fields as stored; only scalar (or null) values, copied onto a prototype-less record. */
export function fieldsOf(value: unknown): Record<string, ScalarValue | null> {
  const out: Record<string, ScalarValue | null> = {};
  if (!isRecord(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    if (
      v === null ||
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v))
    ) {
      out[key] = v;
    }
  }
  return out;
}

/** The ticket's visit in progress: the node of an open run it sits at, since when (null outside a run). */
export function openVisitOf(row: TicketRow): OpenVisit | null {
  if (!OPEN_STATUSES.has(row.status) || !row.version_id || !row.node_id || !row.node_entered_at) return null;
  return {
    versionId: row.version_id,
    nodeId: row.node_id,
    enteredAt: row.node_entered_at,
    breached: row.breached,
  };
}

/** The statuses of a run that sits at a node. */
export const OPEN_STATUSES: ReadonlySet<string> = new Set(['at_step', 'waiting', 'in_subflow', 'parked']);

/** What the engine sees of the ticket. */
export function ticketDataOf(row: TicketRow): TicketData {
  return {
    channel: row.channel as Channel,
    priority: row.priority as Priority,
    category: row.category,
    subject: row.subject,
    customer: { name: row.customer_name, email: row.customer_email, tier: row.customer_tier as Tier },
    tags: tagsOf(row.tags),
    fields: fieldsOf(row.fields),
  };
}

/** The engine's state of a routed ticket; null for an unrouted one (it has no flow to run). */
export function runStateOf(row: TicketRow): RunState | null {
  if (!RUN_STATUSES.has(row.status)) return null;
  return {
    status: row.status as RunStatus,
    nodeId: row.node_id,
    ticket: ticketDataOf(row),
    teamId: row.team_id,
    assigneeId: row.assignee_id,
    breached: row.breached,
    everBreached: row.sla_breached_at !== null,
    endStatus:
      row.end_status !== null && END_STATUSES.has(row.end_status) ? (row.end_status as EndStatus) : null,
  };
}

/**
 * The columns a state writes back. The ticket attributes a flow can change (priority, category, tags,
 * fields, channel, subject, customer) are written with the run columns, so the row always equals the
 * state that replaying its events rebuilds.
 */
export type StateColumns = {
  status: TicketStatus;
  nodeId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  breached: boolean;
  /** Sticky: the move sets `sla_breached_at` (keeping the first time) while this holds. */
  everBreached: boolean;
  endStatus: string | null;
  channel: string;
  priority: string;
  category: string;
  subject: string;
  customerName: string;
  customerEmail: string;
  customerTier: string;
  /** JSON text (jsonb parameters go as text on both drivers). */
  tags: string;
  fields: string;
};

export function columnsOf(state: RunState): StateColumns {
  return {
    status: state.status,
    nodeId: state.nodeId,
    teamId: state.teamId,
    assigneeId: state.assigneeId,
    breached: state.breached,
    everBreached: state.everBreached === true,
    endStatus: state.endStatus,
    channel: state.ticket.channel,
    priority: state.ticket.priority,
    category: state.ticket.category,
    subject: state.ticket.subject,
    customerName: state.ticket.customer.name,
    customerEmail: state.ticket.customer.email,
    customerTier: state.ticket.customer.tier,
    tags: JSON.stringify(state.ticket.tags),
    fields: JSON.stringify(state.ticket.fields),
  };
}

/** A state in a canonical shape (fixed key order, fields sorted), for comparing a replayed state with the stored one. */
export function comparableState(state: RunState): RunState {
  return {
    status: state.status,
    nodeId: state.nodeId,
    ticket: {
      channel: state.ticket.channel,
      priority: state.ticket.priority,
      category: state.ticket.category,
      subject: state.ticket.subject,
      customer: {
        name: state.ticket.customer.name,
        email: state.ticket.customer.email,
        tier: state.ticket.customer.tier,
      },
      tags: [...state.ticket.tags],
      fields: Object.fromEntries(
        Object.entries(state.ticket.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
    },
    teamId: state.teamId,
    assigneeId: state.assigneeId,
    breached: state.breached,
    everBreached: state.everBreached === true,
    endStatus: state.endStatus,
  };
}
