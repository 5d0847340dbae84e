import { FieldKey, FieldValue, PRIORITIES } from '@stepwise/flow';
import { z } from 'zod';
import { type CustomerContext, customerContextOf } from '../runtime/customerContext.ts';
import { readPage, type TicketPage } from '../runtime/operations.ts';
import { isUuid, poolQuery } from '../runtime/sql.ts';
import { addNote, type BulkResult, bulkWork, editTicket, reassignTicket } from '../runtime/ticketWork.ts';
import { userOf } from '../services/callerOf.ts';
import { RowId, SafeRecord, SafeString } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';

const TICKET_NOT_FOUND = 'This ticket does not exist in your organization.';
const WORKERS = ['admin', 'manager', 'agent'] as const;

const TicketId = SafeString.min(1).max(64, 'an id is at most 64 characters');
const ExpectedSeq = z.number().int().min(0).max(2_147_483_647);
const Tag = SafeString.trim()
  .min(1, 'A tag is 1 to 100 characters.')
  .max(100, 'A tag is 1 to 100 characters.');

function ticketIdOf(raw: string): string {
  if (!isUuid(raw)) fail('NOT_FOUND', TICKET_NOT_FOUND);
  return raw.toLowerCase();
}

export const EditInput = z
  .strictObject({
    ticketId: TicketId,
    /** Refuse (CONFLICT) if the ticket moved since you looked; without it, the edit applies to it as it is. */
    expectedSeq: ExpectedSeq.optional(),
    priority: z.enum(PRIORITIES).optional(),
    category: SafeString.trim().max(200, 'A category is at most 200 characters.').optional(),
    tags: z.array(Tag).max(50, 'At most 50 tags.').optional(),
    /** Custom fields to set (merged by key; null clears one). */
    fields: SafeRecord(FieldKey, FieldValue)
      .refine((r) => Object.keys(r).length <= 200, 'at most 200 fields')
      .optional(),
  })
  .refine(
    (input) =>
      input.priority !== undefined ||
      input.category !== undefined ||
      input.tags !== undefined ||
      input.fields !== undefined,
    { path: ['priority'], message: 'Name something to change: priority, category, tags or fields.' },
  );

export const ReassignInput = z
  .strictObject({
    ticketId: TicketId,
    expectedSeq: ExpectedSeq.optional(),
    /** The team to hand the ticket to (nobody on it is assigned unless `assigneeId` names someone). */
    teamId: RowId.optional(),
    /** The agent to hand the ticket to (without `teamId` the ticket keeps its team). */
    assigneeId: RowId.optional(),
    reason: SafeString.trim()
      .min(1, 'Say why the ticket is reassigned.')
      .max(500, 'A reason is at most 500 characters.'),
  })
  .refine((input) => input.teamId !== undefined || input.assigneeId !== undefined, {
    path: ['assigneeId'],
    message: 'Name the agent or the team to hand the ticket to.',
  });

const BulkAction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('assign'), assigneeId: RowId }),
  z.strictObject({ kind: z.literal('take') }),
  z.strictObject({ kind: z.literal('priority'), priority: z.enum(PRIORITIES) }),
  z.strictObject({ kind: z.literal('tag'), tag: Tag }),
]);

export const BulkInput = z.strictObject({
  /** The selected tickets, each at the sequence number the queue showed it at. */
  tickets: z
    .array(z.strictObject({ ticketId: RowId, expectedSeq: ExpectedSeq }))
    .min(1, 'Select at least one ticket.')
    .max(200, 'At most 200 tickets at once.')
    .refine(
      (rows) => new Set(rows.map((r) => r.ticketId)).size === rows.length,
      'A ticket is selected twice.',
    ),
  action: BulkAction,
});

/**
 * Working a ticket beyond its step: internal notes, edits of its attributes, reassignment with a reason,
 * bulk actions on queue rows, and the customer's other tickets. Every change is a move of the one
 * pipeline (a compare-and-set and an event), so the timeline shows it and the flow's decisions see it.
 */
export const workRouter = router({
  /**
   * An internal note (agents only): a `note.added` event on the timeline. Never part of the customer's
   * conversation, never sent, never a `message.created` webhook.
   */
  addNote: procedure([...WORKERS])
    .input(
      z.strictObject({
        ticketId: TicketId,
        body: SafeString.max(10_000, 'A note is at most 10,000 characters.').refine(
          (s) => s.trim().length > 0,
          'Write the note.',
        ),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<TicketPage> => {
      const caller = userOf(ctx);
      const ticketId = ticketIdOf(input.ticketId);
      await addNote(ctx.db, caller, { ticketId, body: input.body }, ctx.now());
      return readPage(ctx.db, ticketId, caller.orgId, ctx.now());
    }),

  /** Edits priority, category, tags or custom fields: one `ticket.edited` event with old and new values. */
  edit: procedure([...WORKERS])
    .input(EditInput)
    .mutation(async ({ ctx, input }): Promise<TicketPage> => {
      const caller = userOf(ctx);
      const ticketId = ticketIdOf(input.ticketId);
      const { ticketId: _id, expectedSeq, ...set } = input;
      await editTicket(ctx.db, caller, { ticketId, set, expectedSeq }, ctx.now());
      return readPage(ctx.db, ticketId, caller.orgId, ctx.now());
    }),

  /** Hands the ticket to a named agent or a team, with the reason: one `ticket.reassigned` event. */
  reassign: procedure([...WORKERS])
    .input(ReassignInput)
    .mutation(async ({ ctx, input }): Promise<TicketPage> => {
      const caller = userOf(ctx);
      const ticketId = ticketIdOf(input.ticketId);
      await reassignTicket(ctx.db, caller, { ...input, ticketId }, ctx.now());
      return readPage(ctx.db, ticketId, caller.orgId, ctx.now());
    }),

  /**
   * One action on selected tickets (assign, take, set priority, add a tag): each ticket is its own
   * compare-and-set at the sequence number given; the answer says per ticket whether it was applied.
   */
  bulk: procedure([...WORKERS])
    .input(BulkInput)
    .mutation(({ ctx, input }): Promise<BulkResult> => bulkWork(ctx.db, userOf(ctx), input, ctx.now())),

  /** The organization's active people (id, name, role), to hand a ticket to one of them by name. */
  people: procedure([...WORKERS]).query(
    async ({ ctx }): Promise<Array<{ id: string; name: string; role: string }>> => {
      const { orgId } = userOf(ctx);
      return poolQuery(ctx.db)<{ id: string; name: string; role: string }>(
        `SELECT u.id, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.org_id = $1::uuid AND m.disabled_at IS NULL ORDER BY lower(u.name), u.id`,
        [orgId],
      );
    },
  ),

  /** The ticket's customer: their tier, other open and previous tickets (by email) and CSAT history. */
  customer: procedure([...WORKERS])
    .input(z.strictObject({ ticketId: TicketId }))
    .query(async ({ ctx, input }): Promise<CustomerContext> => {
      const { orgId } = userOf(ctx);
      const context = await customerContextOf(poolQuery(ctx.db), orgId, ticketIdOf(input.ticketId));
      return context ?? fail('NOT_FOUND', TICKET_NOT_FOUND);
    }),
});
