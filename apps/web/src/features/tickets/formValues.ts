import type { FormField } from '@stepwise/flow';

/** A value sent for a step's form field. */
export type FormValue = string | number | boolean;

/**
 * Turns what the inputs hold (strings) into the values sent: numbers as numbers, a yes/no answer
 * ("yes"/"no") as true/false, empty fields (and an unanswered yes/no) left out so that the server
 * reports a missing required field by its key. The server validates and coerces again.
 */
export function formPayload(
  fields: readonly FormField[],
  raw: Readonly<Record<string, string>>,
): Record<string, FormValue> {
  const out: Record<string, FormValue> = {};
  for (const field of fields) {
    const value = (raw[field.key] ?? '').trim();
    if (value === '') continue;
    if (field.type === 'boolean') {
      out[field.key] = value === 'yes' ? true : value === 'no' ? false : value;
    } else if (field.type === 'number') {
      const n = Number(value);
      out[field.key] = Number.isFinite(n) ? n : value;
    } else {
      out[field.key] = value;
    }
  }
  return out;
}

/** A stable text of one submission, so a retry of exactly the same thing can be recognised. */
export function fingerprint(parts: {
  ticketId: string;
  expectedSeq: number;
  nodeId: string;
  outcomeId: string;
  form: Record<string, FormValue>;
  checklist: readonly string[];
  reply?: string;
}): string {
  const form = Object.keys(parts.form)
    .sort()
    .map((k) => [k, parts.form[k]]);
  return JSON.stringify([
    parts.ticketId,
    parts.expectedSeq,
    parts.nodeId,
    parts.outcomeId,
    form,
    [...parts.checklist].sort(),
    // A different reply is a different request: it must not reuse the key of the first.
    ...(parts.reply === undefined ? [] : [parts.reply]),
  ]);
}
