import { errorDetails } from '../../trpc.ts';

/**
 * Field problems the API attaches to a refusal as `details.fields` (`{ email: '…' }`), keyed like the
 * form's input; empty when there are none.
 */
export function fieldProblemsOf(error: unknown): Record<string, string> {
  const details = errorDetails(error);
  if (!details || typeof details !== 'object' || !('fields' in details)) return {};
  const fields: unknown = details.fields;
  if (!fields || typeof fields !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (typeof value === 'string') out[key] = value;
  return out;
}
