import { CHANNELS, FieldRecord, Id, PRIORITIES, TicketIntake, TicketText } from '@stepwise/flow';
import { z } from 'zod';
import { completeStep, type StepCompletion } from '../runtime/completeStep.ts';
import { createTicket } from '../runtime/createTicket.ts';
import { listTickets, queueOf, type QueueRow, type TicketListPage } from '../runtime/queue.ts';
import {
  cursorFits,
  MANAGER_VIEWS,
  PERSONAL_VIEWS,
  TICKET_SORTS,
  TICKET_VIEWS,
  type TicketSort,
  type TicketView,
} from '../runtime/ticketFilters.ts';
import { isUuid, poolQuery } from '../runtime/sql.ts';
import { ticketCache } from '../runtime/ticketCache.ts';
import { getTicketDetail, type TicketDetail } from '../runtime/ticketView.ts';
import { versionCache } from '../runtime/versionCache.ts';
import {
  type AddMessageResult,
  addMessage,
  assignTicket,
  listUnrouted,
  pageOf,
  readPage,
  startFlowOn,
  type TicketPage,
  ticketExtras,
  type UnroutedRow,
} from '../runtime/operations.ts';
import { idempotencyHeaderOf } from '../createContext.ts';
import { intakeHash } from '../runtime/intakeKeys.ts';
import { callerOf, userOf } from '../services/callerOf.ts';
import { IsoDateTime, RowId, SafeString } from '../services/inputs.ts';
import { type Caller, type Context, fail, procedure, router } from '../trpc.ts';

const TICKET_NOT_FOUND = 'This ticket does not exist in your organization.';
const Text = TicketText;

/** 8–128 characters, unique per request (a UUID does): a retry with it gets the first response. */
export const IdempotencyKey = SafeString.min(8, 'An idempotency key is 8 to 128 characters.').max(
  128,
  'An idempotency key is 8 to 128 characters.',
);

const ExternalId = SafeString.trim()
  .min(1, 'An external id is 1 to 200 characters.')
  .max(200, 'An external id is 1 to 200 characters.');
const Source = SafeString.trim().regex(
  /^[a-z0-9][a-z0-9._-]{0,63}$/,
  'A source is 1 to 64 lowercase letters, digits, ".", "_" or "-".',
);

export const CreateTicketInput = TicketIntake.extend({
  flowId: RowId.optional(),
  /**
   * The id the sending system knows the ticket by (a help desk's ticket id, an email's Message-ID): unique
   * per organization and `source`; a create with one already used returns that ticket.
   */
  externalId: ExternalId.optional(),
  /** The system the external id comes from (`zendesk`, `mail-gateway`…); default: the channel. */
  source: Source.optional(),
  /** Same as the `Idempotency-Key` header (give either, or both alike). */
  idempotencyKey: IdempotencyKey.optional(),
})
  .refine((input) => input.source === undefined || input.externalId !== undefined, {
    path: ['source'],
    message: 'A source names where the externalId comes from: give externalId with it.',
  })
  .meta({
    title: 'Create a ticket',
    description:
      'Routes the ticket to the first flow, in route order, whose start filters match (or to `flowId`) and runs the flow to its first stop; with no match it waits unrouted. A create with an `externalId` already used (per `source`) returns that ticket instead of making another.',
  });

export const AddMessageInput = z
  .strictObject({
    /** The ticket, by exactly one of: its id, its number (#1042), or the id another system gave it. */
    ticketId: SafeString.min(1).max(64, 'an id is at most 64 characters').optional(),
    ticketNumber: z.number().int().min(1).max(2_147_483_647).optional(),
    externalId: ExternalId.optional(),
    /** With `externalId`: the system it comes from (needed only when two systems used the same id). */
    source: Source.optional(),
    body: Text('The message', 1),
    from: z.enum(['agent', 'customer']),
    /** Same as the `Idempotency-Key` header (give either, or both alike). */
    idempotencyKey: IdempotencyKey.optional(),
  })
  .refine(
    (input) =>
      [input.ticketId, input.ticketNumber, input.externalId].filter((v) => v !== undefined).length === 1,
    {
      path: ['ticketId'],
      message: 'Name the ticket by exactly one of ticketId, ticketNumber or externalId.',
    },
  )
  .refine((input) => input.source === undefined || input.externalId !== undefined, {
    path: ['source'],
    message: 'A source names where the externalId comes from: give externalId with it.',
  })
  .meta({
    title: 'Add a message',
    description:
      'A customer’s message (`from: "customer"`) or an agent’s reply (from a token: signed by its bot). Name the ticket by `ticketId`, by `ticketNumber` (#1042, as in the subject line of a mail), or by the `externalId` (and `source`) it was created with. A ticket waiting for the customer’s reply moves on.',
  });

export const CompleteInput = z.strictObject({
  ticketId: SafeString.min(1).max(64, 'an id is at most 64 characters'),
  expectedSeq: z.number().int().min(0).max(2_147_483_647),
  nodeId: Id,
  outcomeId: Id,
  form: FieldRecord.default({}),
  checklist: z.array(Id).max(200, 'At most 200 checklist items.').default([]),
  idempotencyKey: IdempotencyKey,
  /**
   * A reply to the customer sent with the completion ("Reply and mark Done"): written by the same
   * statement as the move, so the ticket never has one without the other.
   */
  reply: Text('The reply', 1).optional(),
});

export const QueueInput = z
  .strictObject({
    scope: z.enum(['mine', 'teams', 'all']).default('teams'),
    status: z.array(SafeString.min(1).max(32)).max(10).optional(),
    priority: z.array(z.enum(PRIORITIES)).max(10).optional(),
    flowId: RowId.optional(),
    nodeId: Id.optional(),
    /** Only tickets that have breached an SLA, at this step or an earlier one (the mark stays). */
    breachedOnly: z.boolean().optional(),
    limit: z.number().int().min(1).max(200).default(100),
  })
  .default({ scope: 'teams', limit: 100 });

export const ListInput = z
  .strictObject({
    /**
     * A built-in view: `mine`, `teams`, `all` (open tickets), `unassigned`, `breached`, `waiting` (on the
     * customer), `closed` (in the last 7 days), `unrouted` (managers and admins). None: every ticket.
     */
    view: z.enum(TICKET_VIEWS).optional(),
    /** Statuses to include (ended ones too); none = every ticket (of the view). */
    status: z.array(SafeString.min(1).max(32)).max(10).optional(),
    priority: z.array(z.enum(PRIORITIES)).max(10).optional(),
    channel: z.array(z.enum(CHANNELS)).max(10).optional(),
    flowId: RowId.optional(),
    nodeId: Id.optional(),
    teamId: RowId.optional(),
    assigneeId: RowId.optional(),
    breachedOnly: z.boolean().optional(),
    /**
     * Words to find (each as a word prefix) in the subject, description, customer name or email and the
     * conversation; or a ticket number (`#42`; a bare `42` also finds text).
     */
    search: SafeString.max(200, 'A search is at most 200 characters.').optional(),
    createdFrom: IsoDateTime('createdFrom is a date-time such as 2030-03-01T00:00:00Z.', true).optional(),
    createdBefore: IsoDateTime('createdBefore is a date-time such as 2030-03-01T00:00:00Z.', true).optional(),
    /** `newest` (default), `oldest`, `sla` (soonest due first), `priority` (urgent first), `updated` (last changed first). */
    sort: z.enum(TICKET_SORTS).default('newest'),
    limit: z.number().int().min(1).max(200).default(50),
    /** The previous page's `nextCursor` (same filters and sort); none for the first page. */
    cursor: SafeString.max(400, 'This cursor is not valid.').nullish(),
    /** Sent by tRPC's infinite queries; pages only go forward. */
    direction: z.literal('forward').optional(),
  })
  .default({ sort: 'newest', limit: 50 });

const BAD_CURSOR =
  'This page cursor is not one tickets.list gave out for this sort: start again from the first page.';

/** A page position as an opaque token: the sort and the sort keys of the page's last ticket. */
function ticketCursorOf(sort: TicketSort, keys: readonly string[]): string {
  return Buffer.from(JSON.stringify({ s: sort, k: keys }), 'utf8').toString('base64url');
}

function parseTicketCursor(cursor: string, sort: TicketSort): string[] {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // The first form, by number only (newest first), is still read.
  const legacy = /^n:(\d{1,10})$/.exec(text)?.[1];
  let keys: unknown = legacy !== undefined && sort === 'newest' ? [legacy] : undefined;
  if (keys === undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        's' in parsed &&
        'k' in parsed &&
        parsed.s === sort
      )
        keys = parsed.k;
    } catch {
      keys = undefined;
    }
  }
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string') || !cursorFits(sort, keys))
    fail('BAD_REQUEST', BAD_CURSOR);
  return keys;
}

/** The caller may use this view: FORBIDDEN for an agent asking for a managers' one, BAD_REQUEST for a token asking for a person's. */
export function checkView(caller: Caller, view: TicketView | undefined): void {
  if (view === undefined) return;
  if (
    MANAGER_VIEWS.has(view) &&
    caller.role !== 'admin' &&
    caller.role !== 'manager' &&
    caller.role !== 'api'
  )
    fail('FORBIDDEN', `The ${view} view is for managers and admins.`);
  if (PERSONAL_VIEWS.has(view) && caller.userId === null)
    fail('BAD_REQUEST', `The ${view} view is a person's: an API token has no tickets or teams of its own.`);
}

const WORKERS = ['admin', 'manager', 'agent'] as const;

/**
 * The request's idempotency key: the `Idempotency-Key` header or the input's `idempotencyKey` (both
 * given, they must agree); undefined when neither is.
 */
function intakeKeyOf(ctx: Context, fromInput: string | undefined): string | undefined {
  const header = idempotencyHeaderOf(ctx);
  if (header === null) return fromInput;
  const parsed = IdempotencyKey.safeParse(header);
  if (!parsed.success)
    fail('BAD_REQUEST', `Invalid Idempotency-Key header: ${parsed.error.issues[0]?.message ?? 'not a key'}`);
  if (fromInput !== undefined && fromInput !== parsed.data)
    fail(
      'BAD_REQUEST',
      "The Idempotency-Key header and the input's idempotencyKey differ: give one, or both alike.",
    );
  return parsed.data;
}
const TicketId = SafeString.min(1).max(64, 'an id is at most 64 characters');

/**
 * The ticket a message names: by its id, by its number (#1042, as a mail's subject line carries it) or by
 * the external id (and source) it was created with; NOT_FOUND when the organization has none such.
 */
async function ticketIdOf(
  db: Context['db'],
  orgId: string,
  by: { ticketId?: string; ticketNumber?: number; externalId?: string; source?: string },
): Promise<string> {
  if (by.ticketId !== undefined) {
    if (!isUuid(by.ticketId)) fail('NOT_FOUND', TICKET_NOT_FOUND);
    return by.ticketId.toLowerCase();
  }
  const query = poolQuery(db);
  if (by.ticketNumber !== undefined) {
    const [row] = await query<{ id: string }>(
      'SELECT id FROM tickets WHERE org_id = $1::uuid AND number = $2::int',
      [orgId, by.ticketNumber],
    );
    return row?.id ?? fail('NOT_FOUND', `There is no ticket #${by.ticketNumber} in your organization.`);
  }
  const rows = await query<{ id: string; source: string }>(
    `SELECT id, external_source AS source FROM tickets
      WHERE org_id = $1::uuid AND external_id = $2 AND ($3::text IS NULL OR external_source = $3::text)
      ORDER BY external_source LIMIT 2`,
    [orgId, by.externalId ?? '', by.source ?? null],
  );
  const [first, second] = rows;
  if (!first) {
    fail(
      'NOT_FOUND',
      `No ticket in your organization has the external id "${by.externalId}"${by.source ? ` from ${by.source}` : ''}.`,
    );
  }
  if (second) {
    fail(
      'BAD_REQUEST',
      `Tickets from ${first.source} and ${second.source} both have the external id "${by.externalId}": give its source too.`,
    );
  }
  return first.id;
}

export const ticketsRouter = router({
  /**
   * Intake (the UI, or an organization API token: `Authorization: Bearer sw_…`): routes the ticket to
   * the first matching flow in route order (or the one given) and runs it to its first stop; no match →
   * status `unrouted`.
   */
  create: procedure([...WORKERS])
    .input(CreateTicketInput)
    .mutation(({ ctx, input }): Promise<TicketDetail> => {
      const caller = callerOf(ctx);
      const { idempotencyKey, ...request } = input;
      const key = intakeKeyOf(ctx, idempotencyKey);
      return createTicket(ctx.db, request, {
        orgId: caller.orgId,
        actorId: caller.userId,
        now: ctx.now(),
        ...(key ? { key: { key, hash: intakeHash('tickets.create', caller.userId, request) } } : {}),
      });
    }),

  /** The work queue: open tickets of my teams and assigned to me (or all, for managers), soonest SLA first. */
  queue: procedure([...WORKERS])
    .input(QueueInput)
    .query(
      ({ ctx, input }): Promise<QueueRow[]> => queueOf(poolQuery(ctx.db), versionCache, callerOf(ctx), input),
    ),

  /**
   * The organization's tickets (or a built-in view of them) with filters and a full-text search, in a
   * chosen order (newest first by default), a page at a time: pass the page's `nextCursor` for the next
   * one (null on the last). Each ticket appears on exactly one page, even as tickets arrive meanwhile.
   */
  list: procedure([...WORKERS])
    .input(ListInput)
    .query(async ({ ctx, input }): Promise<TicketListPage> => {
      const { cursor, direction: _forward, ...filters } = input;
      const caller = callerOf(ctx);
      checkView(caller, filters.view);
      const page = await listTickets(poolQuery(ctx.db), versionCache, caller, ctx.now(), {
        ...filters,
        after: cursor ? parseTicketCursor(cursor, filters.sort) : undefined,
      });
      return {
        tickets: page.rows,
        nextCursor: page.more && page.lastKeys !== null ? ticketCursorOf(filters.sort, page.lastKeys) : null,
      };
    }),

  /**
   * One ticket with its pinned version, current step, what comes next, timeline and conversation, its
   * CSAT answer, its parent and child runs (subflows) and the pending feedback link.
   */
  get: procedure([...WORKERS])
    .input(z.strictObject({ ticketId: TicketId }))
    .query(async ({ ctx, input }): Promise<TicketPage> => {
      if (!isUuid(input.ticketId)) fail('NOT_FOUND', TICKET_NOT_FOUND);
      const ticketId = input.ticketId.toLowerCase();
      const { orgId } = callerOf(ctx);
      const [detail, extras] = await Promise.all([
        getTicketDetail(poolQuery(ctx.db), versionCache, { ticketId, orgId }, ticketCache),
        ticketExtras(poolQuery(ctx.db), ticketId, orgId, ctx.now()),
      ]);
      if (!detail || !extras) fail('NOT_FOUND', TICKET_NOT_FOUND);
      const page = pageOf(detail, extras);
      // Internal notes are for the organization's people: another system reading with a token (a chat
      // widget showing the conversation) never gets them.
      if (ctx.caller?.token) page.events = page.events.filter((e) => e.type !== 'note.added');
      return page;
    }),

  /** Tickets no flow took at intake (start one by hand with `startFlow`), newest first. */
  unrouted: procedure(['admin', 'manager'])
    .input(z.strictObject({ limit: z.number().int().min(1).max(200).default(100) }).default({ limit: 100 }))
    .query(
      ({ ctx, input }): Promise<UnroutedRow[]> =>
        listUnrouted(poolQuery(ctx.db), callerOf(ctx).orgId, input.limit),
    ),

  /**
   * Starts a flow by hand (its active version) on an unrouted or ended ticket: onboarding, a proactive
   * check-in, a follow-up. CONFLICT when the ticket is in a flow or moved meanwhile.
   */
  startFlow: procedure([...WORKERS])
    .input(z.strictObject({ ticketId: TicketId, flowId: RowId }))
    .mutation(async ({ ctx, input }): Promise<TicketPage> => {
      const caller = userOf(ctx);
      if (!isUuid(input.ticketId)) fail('NOT_FOUND', TICKET_NOT_FOUND);
      const ticketId = input.ticketId.toLowerCase();
      await startFlowOn(ctx.db, versionCache, {
        ticketId,
        orgId: caller.orgId,
        flowId: input.flowId,
        mover: caller,
        now: ctx.now(),
      });
      return readPage(ctx.db, ticketId, caller.orgId, ctx.now());
    }),

  /**
   * Take, hand over or release a ticket (`assigneeId` null): a compare-and-set on its sequence (pass
   * `expectedSeq` to refuse if it moved since you looked) and a `ticket.assigned` event. An agent may
   * take a ticket of their team or release their own; managers and admins assign any enabled member.
   */
  assign: procedure([...WORKERS])
    .input(
      z.strictObject({
        ticketId: TicketId,
        assigneeId: RowId.nullable(),
        expectedSeq: z.number().int().min(0).max(2_147_483_647).optional(),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<TicketPage> => {
      const caller = userOf(ctx);
      if (!isUuid(input.ticketId)) fail('NOT_FOUND', TICKET_NOT_FOUND);
      const ticketId = input.ticketId.toLowerCase();
      await assignTicket(ctx.db, caller, { ...input, ticketId }, ctx.now());
      return readPage(ctx.db, ticketId, caller.orgId, ctx.now());
    }),

  /**
   * Adds to the conversation. `from: 'agent'`: a reply by the calling agent (or, from an API token, by
   * its bot). `from: 'customer'`: the customer's message (an API token from an email gateway or chat
   * widget, or an agent logging a phone call); when the ticket waits for a reply, it moves on
   * (`customer_replied`, same compare-and-set).
   */
  addMessage: procedure([...WORKERS])
    .input(AddMessageInput)
    .mutation(async ({ ctx, input }): Promise<AddMessageResult> => {
      const caller = callerOf(ctx);
      const {
        idempotencyKey,
        ticketId: _byId,
        ticketNumber: _byNumber,
        externalId: _byExternal,
        source: _source,
        ...rest
      } = input;
      const key = intakeKeyOf(ctx, idempotencyKey);
      const request = { ...rest, ticketId: await ticketIdOf(ctx.db, caller.orgId, input) };
      return addMessage(
        ctx.db,
        versionCache,
        caller,
        request,
        ctx.now(),
        key ? { key, hash: intakeHash('tickets.addMessage', caller.userId, request) } : undefined,
      );
    }),

  /**
   * Completes the ticket's current step (the hot path). Answers only what the move changed (the ticket,
   * its step, the move's event and messages: the page holds the rest); CONFLICT with the whole fresh
   * ticket in `details.fresh` when it moved first. An API token with `tickets:work` completes it as its
   * bot: the event names the token, and the same checks (step, outcome, form, checklist, key) apply.
   */
  complete: procedure([...WORKERS])
    .input(CompleteInput)
    .mutation(
      ({ ctx, input }): Promise<StepCompletion> =>
        completeStep(ctx.db, callerOf(ctx), { ...input, ticketId: input.ticketId.toLowerCase() }, ctx.now()),
    ),
});
