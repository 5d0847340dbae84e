import { type Channel, FieldKey, type Priority, type Tier, TicketIntake } from '@stepwise/flow';

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

/**
 * The problems of a draft, keyed like the API's input paths (`subject`, `customer.email`,
 * `fields.<row id>.key`…), so the server's and the form's own messages land on the same controls. The
 * draft is checked with the API's own schema (`TicketIntake`), so the form says what the server would;
 * the rows are also checked one by one (a value without a key, a key twice, each key's format).
 */
export function draftProblems(draft: TicketDraft): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const row of draft.fields) {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') continue;
    const keyCheck = FieldKey.safeParse(key);
    if (key === '') out[`fields.${row.id}.key`] = 'Enter a field key.';
    // Every row's key, not only the first wrong one (the record's own check stops at a reserved key).
    else if (!keyCheck.success) out[`fields.${row.id}.key`] = sentence(keyCheck.error.issues[0]!.message);
    else if (seen.has(key)) out[`fields.${row.id}.key`] = 'This key is already used above.';
    seen.add(key);
  }
  const { flowId: _chosenFlow, ...intake } = toPayload(draft);
  const checked = TicketIntake.safeParse(intake);
  if (checked.success) return out;
  for (const issue of checked.error.issues) {
    const [head, second] = issue.path;
    let at: string;
    let message = issue.message;
    if (head === 'fields' && typeof second === 'string') {
      const row = draft.fields.find((r) => r.key.trim() === second);
      // A key the schema refuses (its format, or a reserved name) is the key's problem, not the value's.
      const aboutKey = issue.code === 'invalid_key' || (issue.path.length === 2 && issue.code === 'custom');
      if (issue.code === 'invalid_key') message = issue.issues[0]?.message ?? message;
      at = row ? `fields.${row.id}.${aboutKey ? 'key' : 'value'}` : 'fields';
    } else if (head === 'tags') at = 'tags';
    else at = issue.path.filter((p) => typeof p !== 'symbol').join('.') || 'general';
    out[at] ??= sentence(message);
  }
  return out;
}

/** A schema message as the form shows it: a capital first letter and a full stop. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
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
  // Own properties whatever the key (`__proto__` included), so the schema sees and refuses a reserved one.
  const fields: Record<string, string | number | boolean> = Object.fromEntries(
    draft.fields.filter((row) => row.key.trim() !== '').map((row) => [row.key.trim(), fieldValue(row.value)]),
  );
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
