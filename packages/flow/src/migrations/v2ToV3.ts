/**
 * Migration step v2 → v3. Version 3 lets a required checklist item or form field be required only for
 * some outcomes (`requiredFor`, a list of outcome ids) and adds the yes/no form field (`boolean`). Both
 * are additions: an item without `requiredFor` is required for every outcome, which is exactly what a
 * version-2 `required: true` meant, so a version-2 document only gains its new version number. The step
 * exists so that every stored version-2 document is read as version 3 while an older Stepwise refuses a
 * version-3 document rather than treating a per-outcome requirement as one for every outcome.
 *
 * Input is untrusted JSON: object spread defines own properties, so a `__proto__` key is copied as
 * plain data and never becomes a prototype. The input is not modified.
 */
export function v2ToV3(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...document, schemaVersion: 3 };
}
