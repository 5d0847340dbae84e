import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The organization a piece of work acts for. Every statement the application sends runs with it as the
 * session's `app.org_id`, the setting the row-level security policies compare each row's `org_id` with:
 * inside `withOrg(id, …)` a statement sees and writes that organization's rows only; inside
 * `withOrg(null, …)` (work that acts for no organization yet: resolving a session, a public link, the
 * background loops before they pick a row) it sees no tenant rows at all, and reaches them only through
 * the narrowly granted functions of the `stepwise_system` role.
 */
type Scope = { readonly orgId: string | null };

const storage = new AsyncLocalStorage<Scope>();

/**
 * Runs `work` acting for `orgId` (null: for no organization). A lazy thenable it returns (a drizzle query
 * builder runs only when awaited) is started here, inside the scope, not where the caller awaits it.
 */
export function withOrg<T>(orgId: string | null, work: () => T): T {
  return storage.run({ orgId }, () => {
    const result = work();
    if (result instanceof Promise || !isThenable(result)) return result;
    return new Promise((resolve, reject) => {
      result.then(resolve, reject);
    }) as T;
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The organization the current work acts for: a uuid, null (none), or undefined (outside any scope). */
export function currentOrg(): string | null | undefined {
  return storage.getStore()?.orgId;
}
