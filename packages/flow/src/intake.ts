import { z } from 'zod';
import { CHANNELS, FieldKey, PRIORITIES, SafeRecord, SafeString, TIERS } from './schemaBase.ts';

/**
 * What a new ticket is made of, as one schema for both sides: the API (`tickets.create` extends it with
 * its routing and idempotency keys) and the new-ticket form, which checks a draft with it before it
 * sends, so a person sees the server's own words on the control they concern without a request.
 */

/** Longest free text a ticket keeps (a description, a message, a field value): 10,000 characters. */
export const MAX_TICKET_TEXT = 10_000;

/** Free text of a ticket: bounded, and when `min` is 1, not blank. */
export const TicketText = (what: string, min = 0) =>
  SafeString.max(MAX_TICKET_TEXT, `${what} is at most 10,000 characters.`).refine(
    (s) => s.trim().length >= min,
    `${what} is required.`,
  );

/** A value of a custom field or a form field as submitted: a bounded scalar. */
export const FieldValue = z.union([
  SafeString.max(MAX_TICKET_TEXT, 'A field value is at most 10,000 characters.'),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

/** Records keyed by field keys (never `__proto__`), with at most 200 entries. */
export const FieldRecord = SafeRecord(FieldKey, FieldValue).refine(
  (r) => Object.keys(r).length <= 200,
  'at most 200 fields',
);

/** The customer a ticket is for. */
export const TicketCustomer = z.strictObject({
  name: SafeString.trim().min(1, 'Enter the customer’s name.').max(200, 'A name is at most 200 characters.'),
  email: SafeString.trim()
    .toLowerCase()
    .min(1, 'Enter the customer’s email address.')
    .max(254, 'An email address is at most 254 characters.')
    .pipe(z.email('Enter a valid customer email address.')),
  tier: z.enum(TIERS),
});

/** A new ticket's content: who it is for, what it is about, how it is sorted. */
export const TicketIntake = z.strictObject({
  channel: z.enum(CHANNELS),
  subject: TicketText('The subject', 1).pipe(SafeString.max(500, 'The subject is at most 500 characters.')),
  description: TicketText('The description'),
  customer: TicketCustomer,
  category: SafeString.trim().max(200, 'A category is at most 200 characters.'),
  priority: z.enum(PRIORITIES),
  tags: z
    .array(
      SafeString.trim().min(1, 'A tag is 1 to 100 characters.').max(100, 'A tag is 1 to 100 characters.'),
    )
    .max(50, 'At most 50 tags.')
    .optional(),
  fields: FieldRecord.optional(),
});
export type TicketIntake = z.input<typeof TicketIntake>;
