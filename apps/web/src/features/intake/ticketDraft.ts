import { type Channel, FieldKey, type Priority, type Tier } from '@stepwise/flow';

/** One custom field row of the form: a key and what was typed for it. */
export type FieldRow = { id: number; key: string; value: string };

/** What the new-ticket form holds (all strings, as the inputs give them). */
export type TicketDraft = {
  channel: Channel;
  customerName: string;
  customerEmail: string;
  tier: Tier;
  subject: string;
  description: string;
  category: string;
  priority: Priority;
  tags: string;
  /** '' = route automatically by the flows' start filters. */
  flowId: string;
  fields: FieldRow[];
};

/** What `tickets.create` takes. */
export type CreateTicketPayload = {
  channel: Channel;
  subject: string;
  description: string;
  customer: { name: string; email: string; tier: Tier };
  category: string;
  priority: Priority;
  tags: string[];
  fields: Record<string, string | number | boolean>;
  flowId?: string;
};

export const EMPTY_DRAFT: TicketDraft = {
  channel: 'email',
  customerName: '',
  customerEmail: '',
  tier: 'existing',
  subject: '',
  description: '',
  category: '',
  priority: 'normal',
  tags: '',
  flowId: '',
  fields: [],
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_TEXT = 10_000;

/**
 * The problems of a draft, keyed like the API's input paths (`subject`, `customer.email`,
 * `fields.<row id>.key`…), so the server's and the form's own messages land on the same controls.
 */
export function draftProblems(draft: TicketDraft): Record<string, string> {
  const out: Record<string, string> = {};
  const name = draft.customerName.trim();
  if (name === '') out['customer.name'] = 'Enter the customer’s name.';
  else if (name.length > 200) out['customer.name'] = 'A name is at most 200 characters.';
  const email = draft.customerEmail.trim();
  if (email === '') out['customer.email'] = 'Enter the customer’s email address.';
  else if (!EMAIL.test(email) || email.length > 254) out['customer.email'] = 'Enter a valid email address.';
  const subject = draft.subject.trim();
  if (subject === '') out.subject = 'Enter a subject.';
  else if (subject.length > 500) out.subject = 'The subject is at most 500 characters.';
  if (draft.description.length > MAX_TEXT) out.description = 'The description is at most 10,000 characters.';
  if (draft.category.trim().length > 200) out.category = 'A category is at most 200 characters.';
  const tags = splitTags(draft.tags);
  if (tags.length > 50) out.tags = 'At most 50 tags.';
  else if (tags.some((t) => t.length > 100)) out.tags = 'A tag is at most 100 characters.';

  const seen = new Set<string>();
  for (const row of draft.fields) {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') continue;
    if (key === '') out[`fields.${row.id}.key`] = 'Enter a field key.';
    else if (!FieldKey.safeParse(key).success)
      out[`fields.${row.id}.key`] = 'Use letters, digits and “_”, starting with a letter.';
    else if (seen.has(key)) out[`fields.${row.id}.key`] = 'This key is already used above.';
    if (row.value.length > MAX_TEXT) out[`fields.${row.id}.value`] = 'A value is at most 10,000 characters.';
    seen.add(key);
  }
  if (draft.fields.length > 200) out.fields = 'At most 200 custom fields.';
  return out;
}

export function splitTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

/** A typed value as the ticket should store it: numbers and yes/no as such, the rest as text. */
export function fieldValue(raw: string): string | number | boolean {
  const text = raw.trim();
  if (text === 'true') return true;
  if (text === 'false') return false;
  // Codes with leading zeros (zip codes, account numbers) stay text: a number would lose them.
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text) && text.length <= 15) return Number(text);
  return text;
}

/** The request for a valid draft. */
export function toPayload(draft: TicketDraft): CreateTicketPayload {
  const fields: Record<string, string | number | boolean> = {};
  for (const row of draft.fields) {
    const key = row.key.trim();
    if (key !== '') fields[key] = fieldValue(row.value);
  }
  return {
    channel: draft.channel,
    subject: draft.subject.trim(),
    description: draft.description,
    customer: { name: draft.customerName.trim(), email: draft.customerEmail.trim(), tier: draft.tier },
    category: draft.category.trim(),
    priority: draft.priority,
    tags: splitTags(draft.tags),
    fields,
    ...(draft.flowId ? { flowId: draft.flowId } : {}),
  };
}

/**
 * Moves the server's input problems onto the form's keys: `fields.<key>` (the API's path) becomes the
 * row holding that key.
 */
export function serverProblems(
  draft: TicketDraft,
  issues: Record<string, string>,
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  const known = new Set([
    'subject',
    'description',
    'category',
    'tags',
    'channel',
    'priority',
    'customer.name',
    'customer.email',
    'customer.tier',
  ]);
  for (const [path, message] of Object.entries(issues)) {
    if (known.has(path)) byField[path] = message;
    else if (path.startsWith('tags.')) byField.tags = message;
    else if (path.startsWith('fields.')) {
      const key = path.slice('fields.'.length);
      const row = draft.fields.find((r) => r.key.trim() === key);
      if (row) byField[`fields.${row.id}.value`] = message;
      else general.push(message);
    } else general.push(message);
  }
  return { byField, general };
}
