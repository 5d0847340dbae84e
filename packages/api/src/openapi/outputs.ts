import { FlowDocument, FlowNode } from '@stepwise/flow';
import { z } from 'zod';
import type { AddMessageResult } from '../runtime/operations.ts';
import type { TicketDetail } from '../runtime/ticketView.ts';

/**
 * The answers of the procedures an API token calls, as zod schemas: the OpenAPI document's response
 * schemas come from them. They are strict (an answer with a key they do not name fails to parse) and
 * typed against the runtime's answer types below, and tests parse real answers with them, so the
 * document cannot drift from what the server sends.
 */
const Nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const Time = z.string().meta({ description: 'ISO-8601 UTC time, e.g. 2030-03-04T09:00:00.000Z' });

const TicketView = z.strictObject({
  id: z.string(),
  number: z.number().int().meta({ description: 'The ticket number people use (#1042), per organization.' }),
  seq: z.number().int().meta({ description: 'Counts the ticket’s moves: send it back as expectedSeq.' }),
  subject: z.string(),
  description: z.string(),
  channel: z.string(),
  priority: z.string(),
  category: z.string(),
  status: z.string(),
  endStatus: Nullable(z.string()),
  nodeId: Nullable(z.string()),
  customer: z.strictObject({ name: z.string(), email: z.string(), tier: z.string() }),
  tags: z.array(z.string()),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  teamId: Nullable(z.string()),
  teamName: Nullable(z.string()),
  assigneeId: Nullable(z.string()),
  assigneeName: Nullable(z.string()),
  breached: z.boolean(),
  slaBreachedAt: Nullable(Time),
  slaDueAt: Nullable(Time),
  createdAt: Time,
  updatedAt: Time,
  external: Nullable(
    z.strictObject({ id: z.string(), source: z.string() }).meta({
      description: 'The id another system gave the ticket (`externalId` at creation) and that system.',
    }),
  ),
});

const EventView = z.strictObject({
  seq: z.number().int(),
  type: z.string(),
  actorName: Nullable(z.string()),
  fromNode: Nullable(z.string()),
  toNode: Nullable(z.string()),
  // Stored events carry their schema version and kind-specific keys (older events, older shapes).
  data: z.looseObject({ input: z.unknown(), trail: z.array(z.unknown()) }).meta({
    description:
      'The event as recorded: what was asked (input), what the engine did (trail), and more by kind.',
  }),
  createdAt: Time,
});

const MessageView = z.strictObject({
  id: z.string(),
  authorKind: z.enum(['customer', 'agent', 'system']),
  authorName: Nullable(z.string()),
  body: z.string(),
  createdAt: Time,
});

/** A ticket with its pinned flow version, current step, history and conversation (`tickets.create`). */
export const TicketDetailOutput = z
  .strictObject({
    ticket: TicketView,
    flow: Nullable(z.strictObject({ id: z.string(), name: z.string() })),
    version: Nullable(z.strictObject({ id: z.string(), number: z.number().int(), document: FlowDocument })),
    currentStep: Nullable(FlowNode),
    nextByOutcome: z.record(z.string(), z.strictObject({ nodeId: z.string(), label: z.string() })),
    events: z.array(EventView),
    messages: z.array(MessageView),
    path: z.array(z.string()),
  })
  .meta({ id: 'TicketDetail' });

/** What adding a message answers (`tickets.addMessage`). */
export const AddMessageOutput = z
  .strictObject({
    messageId: z.string(),
    ticketId: z.string().meta({ description: 'The ticket the message was added to.' }),
    seq: z.number().int().meta({ description: 'The ticket’s sequence after the message.' }),
    movedOn: z.boolean().meta({ description: 'The ticket was waiting for this reply and moved on.' }),
  })
  .meta({ id: 'AddMessageResult' });

/**
 * The documented answer of each procedure that has one, by path. A procedure without one is listed
 * with an open `data` schema.
 */
export const PROCEDURE_OUTPUTS: Readonly<Record<string, z.ZodType>> = {
  'tickets.create': TicketDetailOutput,
  'tickets.addMessage': AddMessageOutput,
};

// Compile-time: every answer the runtime gives is one the schemas describe.
type Describes<Schema extends z.ZodType, Answer> = Answer extends z.output<Schema> ? true : never;
const describes: [
  Describes<typeof TicketDetailOutput, TicketDetail>,
  Describes<typeof AddMessageOutput, AddMessageResult>,
] = [true, true];
void describes;
