/**
 * A `{{name}}` or `{{group.name}}` placeholder (letters, digits and underscores; spaces inside the braces
 * allowed). Templates are data: a placeholder names a value, nothing is evaluated.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?)\s*\}\}/g;

/** A value as text in a message: lists joined by commas, anything else that is not a scalar empty. */
export function templateText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(templateText).join(', ');
  return '';
}

/**
 * Fills a template's placeholders with the values `lookup` gives for their names (an unknown name
 * becomes empty text). Used by the action node's customer messages and the notify node's channel
 * messages, so both read the same placeholders the same way.
 */
export function fillTemplate(template: string, lookup: (name: string) => unknown): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => templateText(lookup(name)));
}

/** The placeholder names a template uses, in order, each once (for the inspector's hints and checks). */
export function placeholdersOf(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}
