/**
 * What an organization API token may do. A token carries one or more scopes; each procedure a token may
 * call needs exactly one of them, named in `SCOPE_OF_PROCEDURE` below. The one check (`procedure()` in
 * trpc.ts) looks the called procedure up here: a procedure without a line is never callable with a
 * token, whatever its roles say. tests/integration/access.test.ts holds the same table and fails when the
 * two differ, so a new procedure gets a decision on tokens too.
 */
export const API_SCOPES = [
  'tickets:create',
  'tickets:read',
  'tickets:reply',
  'tickets:work',
  'analytics:read',
  'flows:read',
] as const;

export type ApiScope = (typeof API_SCOPES)[number];

/** What a token made before scopes existed could do (and what `admin.tokens.create` gives without `scopes`). */
export const LEGACY_SCOPES: readonly ApiScope[] = ['tickets:create', 'tickets:reply'];

/** The scope each procedure needs when an API token calls it (by its path). */
export const SCOPE_OF_PROCEDURE: Readonly<Record<string, ApiScope>> = {
  'tickets.create': 'tickets:create',
  'tickets.get': 'tickets:read',
  'tickets.list': 'tickets:read',
  'tickets.addMessage': 'tickets:reply',
  'tickets.complete': 'tickets:work',
  'analytics.flow': 'analytics:read',
  'analytics.nodes': 'analytics:read',
  'analytics.waiting': 'analytics:read',
  'analytics.compare': 'analytics:read',
  'analytics.pilot': 'analytics:read',
  'analytics.backtest': 'analytics:read',
  'flows.list': 'flows:read',
  'versions.list': 'flows:read',
  'versions.get': 'flows:read',
};

/** The scope a procedure needs from a token, or null when no token may call it. */
export function scopeOf(path: string): ApiScope | null {
  return Object.hasOwn(SCOPE_OF_PROCEDURE, path) ? (SCOPE_OF_PROCEDURE[path] ?? null) : null;
}

/** The known scopes among `values` (a row's column), in the canonical order, each once. */
export function scopesOf(values: readonly string[]): ApiScope[] {
  return API_SCOPES.filter((scope) => values.includes(scope));
}
