import { randomUUID } from 'node:crypto';
import type { Database } from '@stepwise/db';
import {
  type Channel,
  initialState,
  type Priority,
  type ScalarValue,
  type TicketData,
  type Tier,
  type TrailEntry,
  startTriggerOf,
  transition,
  triggerMatches,
  visitsOfMove,
} from '@stepwise/flow';
import { noteChange } from '../live/hub.ts';
import { type IntakeKey, KEY_CONSTRAINT, pendingIntake, replayIntake, settleIntake } from './intakeKeys.ts';
import { refuse } from './runtimeError.ts';
import { withPilot } from './chooseVersion.ts';
import { notificationsOfMove } from './notifyUsers.ts';
import { type OutboxEffect, planEffects } from './planEffects.ts';
import { storedEventOf } from './prepareMove.ts';
import { constraintOf, isUuid, poolQuery, type Query, sqlState } from './sql.ts';
import { columnsOf, FORBIDDEN_KEYS, type TicketStatus } from './ticketState.ts';
import { type TicketCache, ticketCache } from './ticketCache.ts';
import { getTicketDetail, type TicketDetail } from './ticketView.ts';
import { type CreationWrite, writeCreation } from './writeMove.ts';
import { type CachedVersion, type VersionCache, versionCache } from './versionCache.ts';

export type CreateTicketInput = {
  channel: Channel;
  subject: string;
  description: string;
  customer: { name: string; email: string; tier: Tier };
  category: string;
  priority: Priority;
  tags?: string[] | undefined;
  fields?: Record<string, ScalarValue | null> | undefined;
  /** Start this flow by hand (its manual start) instead of routing by the start filters. */
  flowId?: string | undefined;
  /**
   * The id another system knows the ticket by (a help desk's ticket id, an email's Message-ID): unique per
   * organization and `source`, so a create retried with it returns the ticket instead of making another.
   */
  externalId?: string | undefined;
  /** The system `externalId` comes from (`zendesk`, `mail-gateway`…); default: the channel. */
  source?: string | undefined;
};

export type CreateTicketOptions = {
  orgId: string;
  /** The user creating it; null for the system or an API token. */
  actorId: string | null;
  now: Date;
  cache?: VersionCache;
  /** Filled with the new ticket, so the first step's completion needs no read (default: the shared cache). */
  tickets?: TicketCache;
  /**
   * A subflow's run: the parent ticket and its sequence when it entered the subflow node. Written with
   * the ticket (one child per entry: a second start for the same entry fails on the unique key).
   */
  parent?: { ticketId: string; seq: number };
  /**
   * The new ticket's id (a UUID), chosen by the caller — a seeded history's, so its pilot buckets, which
   * are keyed by the id, come out the same on every run. Default: a random UUID.
   */
  ticketId?: string;
  /**
   * An idempotency key (`intakeHash` of the request): a retry gets the first response and writes nothing;
   * the key on another request is refused.
   */
  key?: IntakeKey;
};

type FlowCandidate = {
  id: string;
  name: string;
  active_version_id: string;
  pilot_version_id: string | null;
  pilot_percent: number;
};

/** The flow a ticket is routed to, its active version, and its pilot (read by the same query). */
export type Route = {
  flowId: string;
  version: CachedVersion;
  pilot: { versionId: string; percent: number } | null;
};

function pilotOf(flow: Pick<FlowCandidate, 'pilot_version_id' | 'pilot_percent'>): Route['pilot'] {
  return flow.pilot_version_id === null
    ? null
    : { versionId: flow.pilot_version_id, percent: flow.pilot_percent };
}

/**
 * Picks the flow a new ticket enters: with `flowId`, that flow's active version (its manual start);
 * otherwise the first flow, in route order then name, with an active version whose start is automatic
 * and whose filters match. Null when none does (the ticket is stored unrouted).
 */
export async function routeTicket(
  query: Query,
  cache: VersionCache,
  orgId: string,
  ticket: TicketData,
  flowId: string | undefined,
): Promise<Route | null> {
  if (flowId !== undefined) {
    if (!isUuid(flowId)) refuse('not_found', 'This flow does not exist in your organization.');
    const rows = await query<FlowCandidate & { active_version_id: string | null }>(
      `SELECT id, name, active_version_id, pilot_version_id, pilot_percent FROM flows
        WHERE id = $1::uuid AND org_id = $2::uuid AND archived_at IS NULL`,
      [flowId, orgId],
    );
    const flow = rows[0];
    if (!flow) refuse('not_found', 'This flow does not exist in your organization.');
    if (!flow.active_version_id) {
      refuse('precondition', `The flow "${flow.name}" has no published version yet: publish it first.`);
    }
    const version = await cache.get(query, orgId, flow.active_version_id);
    if (!version)
      throw new Error(`Flow ${flow.id} names active version ${flow.active_version_id}, which is missing`);
    return { flowId: flow.id, version, pilot: pilotOf(flow) };
  }
  const flows = await query<FlowCandidate>(
    `SELECT id, name, active_version_id, pilot_version_id, pilot_percent FROM flows
      WHERE org_id = $1::uuid AND active_version_id IS NOT NULL AND archived_at IS NULL
      ORDER BY route_order, name, id`,
    [orgId],
  );
  // The same match as the Routing page's tester and shadowing checks (`triggerMatches` of @stepwise/flow).
  const attributes = {
    channel: ticket.channel,
    category: ticket.category,
    priority: ticket.priority,
    tier: ticket.customer.tier,
  };
  for (const flow of flows) {
    const version = await cache.get(query, orgId, flow.active_version_id);
    if (!version) continue;
    const trigger = startTriggerOf(version.document);
    if (trigger && triggerMatches(trigger, attributes))
      return { flowId: flow.id, version, pilot: pilotOf(flow) };
  }
  return null;
}

function ticketDataOf(input: CreateTicketInput): TicketData {
  const fields: Record<string, ScalarValue | null> = {};
  for (const [key, value] of Object.entries(input.fields ?? {})) {
    if (!FORBIDDEN_KEYS.has(key)) fields[key] = value;
  }
  const tags: string[] = [];
  for (const tag of input.tags ?? []) {
    const t = tag.trim();
    if (t !== '' && !tags.some((x) => x.toLowerCase() === t.toLowerCase())) tags.push(t);
  }
  return {
    channel: input.channel,
    priority: input.priority,
    category: input.category.trim(),
    subject: input.subject,
    customer: { name: input.customer.name, email: input.customer.email, tier: input.customer.tier },
    tags,
    fields,
  };
}

/**
 * Intake: routes the ticket, runs the flow's start (automatic nodes until a step, a wait or an end),
 * and writes everything in one statement — the ticket number from the organization's counter, the
 * ticket at sequence 1, its `ticket.created` event, timers, messages and the outbox row of its
 * after-commit effects. Returns the ticket's view.
 */
export async function createTicket(
  database: Database,
  input: CreateTicketInput,
  options: CreateTicketOptions,
): Promise<TicketDetail> {
  const cache = options.cache ?? versionCache;
  const query = poolQuery(database);
  const tickets = options.tickets ?? ticketCache;
  const intake = { query, cache, tickets, orgId: options.orgId, key: options.key };
  const external =
    input.externalId === undefined ? null : { source: input.source ?? input.channel, id: input.externalId };
  // A retry answered without routing or running anything: the key's first response, or the ticket
  // already made for this external id.
  const earlier = (await replayedCreation(intake)) ?? (await externalTicket(intake, external));
  if (earlier) return earlier;
  const ticket = ticketDataOf(input);
  if (options.ticketId !== undefined && !isUuid(options.ticketId))
    throw new Error(`A ticket id must be a UUID, got "${options.ticketId}"`);
  const ticketId = options.ticketId ?? randomUUID();
  // The flow's pilot, if any, takes its share of new tickets (keyed by the ticket's id).
  const route = await withPilot(
    query,
    cache,
    options.orgId,
    await routeTicket(query, cache, options.orgId, ticket, input.flowId),
    ticketId,
  );
  const nowIso = options.now.toISOString();

  let status: TicketStatus = 'unrouted';
  let columns = columnsOf(initialState(ticket));
  let slaDueAt: string | null = null;
  let closedAt: string | null = null;
  let trail: TrailEntry[] = [];
  let pickedAssigneeId: string | null = null;
  let timers: Array<{ kind: string; node_id: string; due_at: string }> = [];
  let messages: Array<{ id: string; body: string }> = [];
  let touch: { teamId: string; userId: string } | null = null;
  let effects: OutboxEffect[] = [];
  if (route) {
    const result = transition(
      route.version.document,
      initialState(ticket),
      { type: 'start' },
      { now: options.now.getTime() },
    );
    if (!result.ok)
      throw new Error(
        `The engine refused to start a ticket on version ${route.version.id}: ${result.error.message}`,
      );
    const planned = await planEffects(query, options.orgId, result.state, result.effects);
    columns = columnsOf(planned.state);
    status = planned.state.status;
    trail = result.events;
    pickedAssigneeId = planned.picked?.userId ?? null;
    timers = planned.timers.map((t) => ({ kind: t.kind, node_id: t.nodeId, due_at: t.dueAt }));
    slaDueAt = planned.timers.find((t) => t.kind === 'sla')?.dueAt ?? null;
    closedAt = planned.state.status === 'ended' ? nowIso : null;
    messages = planned.messages;
    touch = planned.touchMember;
    effects = [
      ...planned.afterCommit,
      ...notificationsOfMove({
        assigneeBefore: null,
        assigneeAfter: columns.assigneeId,
        trail,
        actorId: options.actorId,
      }),
    ];
    // A subflow's child that ends on its first transition resumes its parent at once.
    if (options.parent && result.events.some((entry) => entry.type === 'ended')) {
      effects.push({ type: 'resume_parent', ticketId: options.parent.ticketId, seq: options.parent.seq });
    }
  }

  const data = storedEventOf({
    input: {
      type: 'created',
      ticket,
      route: route ? { flowId: route.flowId, versionId: route.version.id } : null,
    },
    trail,
    pickedAssigneeId,
    key: undefined,
    fromNode: null,
    toNode: columns.nodeId,
  });
  // Analytics: the nodes the start passed through, and the visit it leaves open.
  const visits = visitsOfMove(null, {
    seq: 1,
    at: nowIso,
    actorId: options.actorId,
    versionId: route ? route.version.id : null,
    data,
  });
  const ref: CreationRef = { ticketId };
  const creation: CreationWrite = {
    orgId: options.orgId,
    ticketId,
    now: nowIso,
    actorId: options.actorId,
    route: route ? { flowId: route.flowId, versionId: route.version.id } : null,
    status,
    columns,
    description: input.description,
    slaDueAt,
    closedAt,
    parent: options.parent ?? null,
    data,
    timers,
    messages,
    effects,
    touch,
    visits: visits.closed,
    nodeEnteredAt: visits.open?.enteredAt ?? null,
    external,
    key: options.key ? { ...options.key, response: pendingIntake(ref) } : null,
  };
  let written: boolean;
  try {
    written = await writeCreation(query, creation);
  } catch (error) {
    // A concurrent retry landed first (the statement wrote nothing): answer as it did — by the key
    // when one was given (whichever unique index refused the row first), else by the external id.
    const constraint = sqlState(error) === '23505' ? constraintOf(error) : null;
    if (constraint === KEY_CONSTRAINT || constraint === EXTERNAL_CONSTRAINT) {
      const earlierOne = (await replayedCreation(intake)) ?? (await externalTicket(intake, external));
      if (earlierOne) return earlierOne;
    }
    throw error;
  }
  if (!written) refuse('not_found', 'This organization does not exist.');
  noteChange(database, { orgId: options.orgId, ticketId, seq: 1 });
  const detail = await detailOf(intake, ticketId);
  if (options.key) await settleIntake(query, options.orgId, options.key, ref, storedDetailOf(detail));
  return detail;
}

const EXTERNAL_CONSTRAINT = 'tickets_external_key';

type Intake = {
  query: Query;
  cache: VersionCache;
  tickets: TicketCache;
  orgId: string;
  key: IntakeKey | undefined;
};

/** What a create's key refers to while its response is being read back. */
type CreationRef = { ticketId: string };

async function detailOf(intake: Intake, ticketId: string): Promise<TicketDetail> {
  const detail = await getTicketDetail(
    intake.query,
    intake.cache,
    { ticketId, orgId: intake.orgId },
    intake.tickets,
  );
  if (!detail) throw new Error(`Ticket ${ticketId} was written but cannot be read back`);
  return detail;
}

/**
 * The first response as a key stores it: the version's document (immutable, and most of the bytes) is
 * left out and put back from the version cache on replay.
 */
function storedDetailOf(detail: TicketDetail): TicketDetail {
  return detail.version ? { ...detail, version: { ...detail.version, document: null as never } } : detail;
}

/** The first response to the key, or null when the key is unused (or none was given). */
async function replayedCreation(intake: Intake): Promise<TicketDetail | null> {
  if (!intake.key) return null;
  const stored = await replayIntake<TicketDetail, CreationRef>(
    intake.query,
    intake.orgId,
    intake.key,
    (ref) => detailOf(intake, ref.ticketId),
  );
  if (!stored?.version) return stored;
  const version = await intake.cache.get(intake.query, intake.orgId, stored.version.id);
  if (!version) throw new Error(`A stored response names version ${stored.version.id}, which is missing`);
  return { ...stored, version: { ...stored.version, document: version.document } };
}

/** The ticket already made for this external id, as it is now; null when there is none. */
async function externalTicket(
  intake: Intake,
  external: { source: string; id: string } | null,
): Promise<TicketDetail | null> {
  if (!external) return null;
  const rows = await intake.query<{ id: string }>(
    `SELECT id FROM tickets WHERE org_id = $1::uuid AND external_source = $2 AND external_id = $3
       AND external_id IS NOT NULL`,
    [intake.orgId, external.source, external.id],
  );
  const row = rows[0];
  return row ? detailOf(intake, row.id) : null;
}
