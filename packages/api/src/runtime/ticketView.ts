import type { FlowDocument, FlowNode, StepNode, TrailEntry } from '@stepwise/flow';
import { iso, type Query } from './sql.ts';
import { fieldsOf, rowOf, type TicketRow, tagsOf, ticketColumns } from './ticketState.ts';
import type { TicketCache } from './ticketCache.ts';
import type { CachedVersion, VersionCache } from './versionCache.ts';

export type TicketEventView = {
  seq: number;
  type: string;
  actorName: string | null;
  fromNode: string | null;
  toNode: string | null;
  data: { input: unknown; trail: TrailEntry[] };
  createdAt: string;
};

export type TicketMessageView = {
  id: string;
  authorKind: 'customer' | 'agent' | 'system';
  authorName: string | null;
  body: string;
  createdAt: string;
};

/** Everything the ticket page shows: the ticket, its pinned version, the step to do now, history. */
export type TicketDetail = {
  ticket: {
    id: string;
    number: number;
    seq: number;
    subject: string;
    description: string;
    channel: string;
    priority: string;
    category: string;
    status: string;
    endStatus: string | null;
    /** The node of the pinned version the ticket is at (null when unrouted). */
    nodeId: string | null;
    customer: { name: string; email: string; tier: string };
    tags: string[];
    fields: Record<string, string | number | boolean | null>;
    teamId: string | null;
    teamName: string | null;
    assigneeId: string | null;
    assigneeName: string | null;
    /** The current step's SLA has passed. */
    breached: boolean;
    /** When an SLA of the ticket first passed; null if none ever did (it stays set for good). */
    slaBreachedAt: string | null;
    slaDueAt: string | null;
    createdAt: string;
    updatedAt: string;
    /** The id another system gave the ticket (`externalId` at creation), and that system; null when none. */
    external: { id: string; source: string } | null;
  };
  flow: { id: string; name: string } | null;
  version: { id: string; number: number; document: FlowDocument } | null;
  /** The node of the pinned version the ticket is at, when it waits at a step. */
  currentStep: StepNode | null;
  /** For each outcome of the current step, the node it leads to. */
  nextByOutcome: Record<string, { nodeId: string; label: string }>;
  events: TicketEventView[];
  messages: TicketMessageView[];
  /** Node ids visited, in order, from the events' trails. */
  path: string[];
};

/** A ticket row with what the view and the hot path need, read in one round trip. */
export type TicketReadRow = TicketRow & {
  flow_name: string | null;
  team_name: string | null;
  assignee_name: string | null;
  /** Names of the organization's teams by id (a move may hand the ticket to another team). */
  team_names: Record<string, string> | null;
  /** The caller is a member of the ticket's team. */
  on_team: boolean;
  events: TicketEventView[];
  messages: TicketMessageView[];
  /** The idempotency key row, when a key was given and exists. */
  key_hash: string | null;
  key_response: unknown;
};

/**
 * The one read of a ticket: the row, the names the view shows, the events and messages, the caller's
 * team membership and (when a key is given) the idempotency key row. Parameters: ticket id, org id,
 * caller user id (or null), idempotency key (or null).
 */
/**
 * A ticket's events as the view shows them (`orgId`, `ticketId`: SQL expressions; `upTo`: an optional
 * bound). Every read of a tenant table names the organization: it routes to one shard (docs/scale-out.md).
 */
function eventsSql(orgId: string, ticketId: string, upTo = ''): string {
  return `(SELECT coalesce(json_agg(json_build_object(
      'seq', e.seq, 'type', e.type, 'actorName', coalesce(ua.name, 'Bot: ' || at.name), 'fromNode', e.from_node, 'toNode', e.to_node,
      'data', e.data || jsonb_build_object('trail', coalesce(e.data->'trail', '[]'::jsonb)), 'createdAt', ${iso('e.created_at')}) ORDER BY e.seq), '[]'::json)
     FROM ticket_events e LEFT JOIN users ua ON ua.id = e.actor_id
     LEFT JOIN api_tokens at ON at.org_id = e.org_id AND at.id = e.actor_token_id
     WHERE e.org_id = ${orgId} AND e.ticket_id = ${ticketId}${upTo})`;
}

/**
 * A system message's one-time feedback link as people in the app see it: `…/feedback/••••3f2a` (the
 * token's last four characters). The link is the customer's: an agent who clicked it would spend it.
 */
export const MASKED_FEEDBACK_LINK_SQL = `regexp_replace(mg.body,
  '(https?://[^[:space:]]*)?/feedback/[A-Za-z0-9_-]{39}([A-Za-z0-9_-]{4})', '…/feedback/••••\\2', 'g')`;

/** A ticket's messages as the view shows them, in conversation order (time, then id). */
function messagesSql(orgId: string, ticketId: string, only = ''): string {
  return `(SELECT coalesce(json_agg(json_build_object(
      'id', mg.id, 'authorKind', mg.author_kind,
      'authorName', CASE mg.author_kind WHEN 'customer' THEN tk.customer_name ELSE coalesce(um.name, 'Bot: ' || am.name) END,
      'body', CASE mg.author_kind WHEN 'system' THEN ${MASKED_FEEDBACK_LINK_SQL} ELSE mg.body END,
      'createdAt', ${iso('mg.created_at')}) ORDER BY mg.created_at, mg.id), '[]'::json)
     FROM ticket_messages mg JOIN tickets tk ON tk.org_id = mg.org_id AND tk.id = mg.ticket_id
     LEFT JOIN users um ON um.id = mg.author_id
     LEFT JOIN api_tokens am ON am.org_id = mg.org_id AND am.id = mg.author_token_id
     WHERE mg.org_id = ${orgId} AND mg.ticket_id = ${ticketId}${only})`;
}

/**
 * The one read of a ticket: the row, the names the view shows, the events and messages, the caller's
 * team membership and (when a key is given) the idempotency key row. Parameters: ticket id, org id,
 * caller user id (or null), idempotency key (or null).
 */
export const READ_TICKET_SQL = `SELECT ${ticketColumns('t')},
  f.name AS flow_name, tm.name AS team_name, u.name AS assignee_name,
  (SELECT json_object_agg(x.id, x.name) FROM teams x WHERE x.org_id = t.org_id) AS team_names,
  EXISTS (SELECT 1 FROM team_members m WHERE m.org_id = t.org_id AND m.team_id = t.team_id AND m.user_id = $3::uuid) AS on_team,
  ${eventsSql('t.org_id', 't.id')} AS events,
  ${messagesSql('t.org_id', 't.id')} AS messages,
  k.request_hash AS key_hash, k.response AS key_response
FROM tickets t
LEFT JOIN flows f ON f.org_id = t.org_id AND f.id = t.flow_id
LEFT JOIN teams tm ON tm.org_id = t.org_id AND tm.id = t.team_id
LEFT JOIN users u ON u.id = t.assignee_id
LEFT JOIN idempotency_keys k ON k.org_id = t.org_id AND k.key = $4::text
WHERE t.id = $1::uuid AND t.org_id = $2::uuid`;

/**
 * The read of a move: the row, the caller's team membership and (when a key is given) the idempotency
 * key row — no history and no names (the page that shows the ticket holds its history; the move
 * statement returns the names). Parameters: ticket id, org id, caller user id (or null), key (or null).
 */
export const LEAN_READ_SQL = `SELECT ${ticketColumns('t')},
  EXISTS (SELECT 1 FROM team_members m WHERE m.org_id = t.org_id AND m.team_id = t.team_id AND m.user_id = $3::uuid) AS on_team,
  k.request_hash AS key_hash, k.response AS key_response
FROM tickets t
LEFT JOIN idempotency_keys k ON k.org_id = t.org_id AND k.key = $4::text
WHERE t.id = $1::uuid AND t.org_id = $2::uuid`;

export type LeanReadRow = TicketRow & {
  on_team: boolean;
  key_hash: string | null;
  key_response: unknown;
};

/**
 * What one move recorded, for replaying its answer: its event (at `seq`), its messages (by id, or — for
 * an answer stored before ids were kept — the system messages written at the move's time) and today's
 * team and assignee names. Parameters: ticket id, seq, message ids (or null), move time (or null), team
 * id, assignee id, org id.
 */
const MOVE_RECORD_SQL = `SELECT ${eventsSql('$7::uuid', '$1::uuid', ' AND e.seq = $2::int')} AS events,
  ${messagesSql(
    '$7::uuid',
    '$1::uuid',
    ` AND CASE WHEN $3::uuid[] IS NULL
      THEN mg.author_kind = 'system' AND mg.created_at = $4::timestamptz
      ELSE mg.id = ANY($3::uuid[]) END`,
  )} AS messages,
  (SELECT name FROM teams WHERE org_id = $7::uuid AND id = $5::uuid) AS team_name,
  (SELECT name FROM users WHERE id = $6::uuid) AS assignee_name`;

export async function readMoveRecord(
  query: Query,
  input: {
    orgId: string;
    ticketId: string;
    seq: number;
    messages: { ids: string[] } | { at: string };
    teamId: string | null;
    assigneeId: string | null;
  },
): Promise<{
  events: TicketEventView[];
  messages: TicketMessageView[];
  teamName: string | null;
  assigneeName: string | null;
}> {
  const rows = await query<{
    events: TicketEventView[];
    messages: TicketMessageView[];
    team_name: string | null;
    assignee_name: string | null;
  }>(MOVE_RECORD_SQL, [
    input.ticketId,
    input.seq,
    'ids' in input.messages ? input.messages.ids : null,
    'at' in input.messages ? input.messages.at : null,
    input.teamId,
    input.assigneeId,
    input.orgId,
  ]);
  const row = rows[0];
  return {
    events: row?.events ?? [],
    messages: row?.messages ?? [],
    teamName: row?.team_name ?? null,
    assigneeName: row?.assignee_name ?? null,
  };
}

/** Reads a ticket of an organization (null when there is none with that id in it). */
export async function readTicket(
  query: Query,
  input: { ticketId: string; orgId: string; userId: string | null; key: string | null },
): Promise<TicketReadRow | null> {
  const rows = await query<TicketReadRow>(READ_TICKET_SQL, [
    input.ticketId,
    input.orgId,
    input.userId,
    input.key,
  ]);
  return rows[0] ?? null;
}

/** How a node is named in "what happens next" and in messages: its title or label, else its id. */
export function nodeLabel(node: FlowNode): string {
  const label = node.type === 'step' ? node.data.title : node.data.label;
  return label.trim() !== '' ? label.trim() : node.id;
}

export function findNode(document: FlowDocument, nodeId: string | null): FlowNode | undefined {
  if (nodeId === null) return undefined;
  return document.nodes.find((n) => n.id === nodeId);
}

/** Node ids visited, in order, from the events' trails. */
export function pathOf(events: readonly TicketEventView[]): string[] {
  const path: string[] = [];
  for (const event of events) {
    const trail = event.data?.trail;
    if (!Array.isArray(trail)) continue;
    for (const entry of trail) if (entry.type === 'node_entered') path.push(entry.nodeId);
  }
  return path;
}

export type TicketView = TicketDetail['ticket'];

/** The `ticket` part of the view, from a row and the names it shows. */
export function ticketViewOf(
  row: TicketRow,
  names: { teamName: string | null; assigneeName: string | null },
): TicketView {
  return {
    id: row.id,
    number: row.number,
    seq: row.seq,
    subject: row.subject,
    description: row.description,
    channel: row.channel,
    priority: row.priority,
    category: row.category,
    status: row.status,
    endStatus: row.end_status,
    nodeId: row.node_id,
    customer: { name: row.customer_name, email: row.customer_email, tier: row.customer_tier },
    tags: tagsOf(row.tags),
    fields: fieldsOf(row.fields),
    teamId: row.team_id,
    teamName: names.teamName,
    assigneeId: row.assignee_id,
    assigneeName: names.assigneeName,
    breached: row.breached,
    slaBreachedAt: row.sla_breached_at,
    slaDueAt: row.sla_due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    external:
      row.external_id === null ? null : { id: row.external_id, source: row.external_source ?? row.channel },
  };
}

/** The parts a view is made of. */
export type ViewParts = {
  ticket: TicketView;
  flow: { id: string; name: string } | null;
  version: CachedVersion | null;
  events: TicketEventView[];
  messages: TicketMessageView[];
};

export type StepView = Pick<TicketDetail, 'currentStep' | 'nextByOutcome'>;

/** The step card and what comes next, read off the pinned version. */
export function stepViewOf(ticket: TicketView, version: CachedVersion | null): StepView {
  const document = version?.document ?? null;
  const node = document ? findNode(document, ticket.nodeId) : undefined;
  const currentStep = ticket.status === 'at_step' && node?.type === 'step' ? node : null;
  const nextByOutcome: Record<string, { nodeId: string; label: string }> = {};
  if (currentStep && document) {
    for (const outcome of currentStep.data.outcomes) {
      const handle = `outcome:${outcome.id}`;
      const edge = document.edges.find((e) => e.source === currentStep.id && e.sourceHandle === handle);
      const target = edge ? findNode(document, edge.target) : undefined;
      if (edge && target) nextByOutcome[outcome.id] = { nodeId: target.id, label: nodeLabel(target) };
    }
  }
  return { currentStep, nextByOutcome };
}

/** Assembles the view. */
export function buildTicketDetail(parts: ViewParts): TicketDetail {
  const { ticket, version } = parts;
  const { currentStep, nextByOutcome } = stepViewOf(ticket, version);
  return {
    ticket,
    flow: parts.flow,
    version: version ? { id: version.id, number: version.number, document: version.document } : null,
    currentStep,
    nextByOutcome,
    events: parts.events,
    messages: parts.messages,
    path: pathOf(parts.events),
  };
}

/** The view of a ticket as read (no move); the read also refreshes the ticket cache, when given. */
export async function detailFromRead(
  query: Query,
  cache: VersionCache,
  read: TicketReadRow,
  tickets?: TicketCache,
): Promise<TicketDetail> {
  tickets?.observe(rowOf(read));
  const version = read.version_id ? await cache.get(query, read.org_id, read.version_id) : null;
  return buildTicketDetail({
    ticket: ticketViewOf(read, { teamName: read.team_name, assigneeName: read.assignee_name }),
    flow:
      read.flow_id !== null && read.flow_name !== null ? { id: read.flow_id, name: read.flow_name } : null,
    version,
    events: read.events,
    messages: read.messages,
  });
}

/** Reads and builds the view of a ticket; null when it is not in the organization. */
export async function getTicketDetail(
  query: Query,
  cache: VersionCache,
  input: { ticketId: string; orgId: string },
  tickets?: TicketCache,
): Promise<TicketDetail | null> {
  const read = await readTicket(query, { ...input, userId: null, key: null });
  return read ? detailFromRead(query, cache, read, tickets) : null;
}

/** Where a ticket is, in words, for conflict messages: the step title, or the status. */
export function whereIs(detail: TicketDetail): string {
  const document = detail.version?.document;
  const node = document ? findNode(document, detail.ticket.nodeId) : undefined;
  if (node) return `"${nodeLabel(node)}"`;
  switch (detail.ticket.status) {
    case 'ended':
      return 'the end of its flow';
    case 'parked':
      return 'a stop that needs a person';
    case 'unrouted':
      return 'intake, not in a flow';
    default:
      return detail.ticket.status;
  }
}
