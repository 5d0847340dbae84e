import { TRPCClientError } from '@trpc/client';

/**
 * The input problems the API reports for a refused call (`data.zodIssues`: `{ path, message }` with a
 * dotted path such as `customer.email`), keyed by path; the first message per path wins.
 */
export function inputIssuesOf(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof TRPCClientError)) return out;
  const data: unknown = error.data;
  if (!data || typeof data !== 'object' || !('zodIssues' in data) || !Array.isArray(data.zodIssues))
    return out;
  for (const issue of data.zodIssues as unknown[]) {
    if (!issue || typeof issue !== 'object') continue;
    const path = 'path' in issue && typeof issue.path === 'string' ? issue.path : '';
    const message = 'message' in issue && typeof issue.message === 'string' ? issue.message : '';
    // Shown under the field as a sentence of its own ("contains an invisible NUL character…").
    if (message && !(path in out)) out[path] = `${message.charAt(0).toUpperCase()}${message.slice(1)}`;
  }
  return out;
}
