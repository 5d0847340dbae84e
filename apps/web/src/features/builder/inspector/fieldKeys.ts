import type { FormField } from '@stepwise/flow';
import { itemId } from '../documentOps.ts';

/*
 * A form field's key is taken from its label ("Refund amount" → refund_amount), unique in its form,
 * until the manager edits the key by hand; from then on the label no longer changes it.
 */

/** The key a field labelled `label` gets: the label as a slug, starting with a letter, unique among `fields`. */
export function fieldKeyFor(label: string, fields: readonly FormField[], except?: FormField): string {
  const taken = fields.filter((f) => f !== except).map((f) => f.key);
  const slug = itemId(label, [], 'field');
  const base = /^[a-z]/.test(slug) ? slug : `field_${slug}`.slice(0, 40);
  return itemId(base, taken, 'field');
}

/** Whether `field`'s key is still the one its label gives (so a new label may change it). */
export function keyFollowsLabel(field: FormField, fields: readonly FormField[]): boolean {
  return field.key === fieldKeyFor(field.label, fields, field);
}

/** `field` relabelled; its key follows the label when it did before. */
export function withLabelKey(field: FormField, label: string, fields: readonly FormField[]): FormField {
  if (!keyFollowsLabel(field, fields)) return { ...field, label };
  return { ...field, label, key: fieldKeyFor(label, fields, field) };
}
