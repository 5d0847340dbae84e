/**
 * Migration step v0 → v1. Version 0 is every document saved before `schemaVersion` existed: early
 * drafts had no canvas notes and no custom field list, so both may be absent. The step fills them with
 * empty lists (absent or null) and stamps `schemaVersion: 1`; everything else passes through unchanged (the schema
 * checks it afterwards).
 *
 * Input is untrusted JSON: object spread defines own properties, so a `__proto__` key is copied as
 * plain data and never becomes a prototype. The input is not modified.
 */
export function v0ToV1(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields = Object.hasOwn(document, 'fields') ? document.fields : undefined;
  const notes = Object.hasOwn(document, 'notes') ? document.notes : undefined;
  return { ...document, schemaVersion: 1, fields: fields ?? [], notes: notes ?? [] };
}
