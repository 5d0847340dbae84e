/**
 * Migration step v1 → v2. Version 2 lets a step keep the ticket's current team
 * (`teamSource: 'current'`) instead of naming one. The new field is optional and absent means what
 * version 1 meant (the step's named `teamId`), so a version-1 document only gains its new version
 * number; the step exists so that every stored version-1 document is read as version 2 while an older
 * Stepwise refuses a version-2 document rather than dropping the setting it does not know.
 *
 * Input is untrusted JSON: object spread defines own properties, so a `__proto__` key is copied as
 * plain data and never becomes a prototype. The input is not modified.
 */
export function v1ToV2(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...document, schemaVersion: 2 };
}
