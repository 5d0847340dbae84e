import type { AppRouter } from '@stepwise/api';
import { QueryCache, QueryClient } from '@tanstack/react-query';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import { createTRPCContext, type inferOutput, type TRPCOptionsProxy } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

type Api = TRPCOptionsProxy<AppRouter>;

/** What the API answers, as the client receives it (no transformer: dates arrive as ISO strings). */
export type Me = NonNullable<inferOutput<Api['auth']['me']>>;
export type Role = Me['role'];
export type FlowSummary = inferOutput<Api['flows']['list']>[number];
export type FlowInfo = inferOutput<Api['flows']['get']>;
export type VersionSummary = inferOutput<Api['versions']['list']>[number];
export type VersionDetail = inferOutput<Api['versions']['get']>;
export type Team = inferOutput<Api['teams']['list']>[number];
export type QueueScope = 'mine' | 'teams' | 'all';
export type QueueRow = inferOutput<Api['tickets']['queue']>[number];
export type TicketListRow = inferOutput<Api['tickets']['list']>['tickets'][number];
export type ViewList = inferOutput<Api['views']['list']>;
export type SavedView = ViewList['saved'][number];
export type TicketDetail = inferOutput<Api['tickets']['get']>;
export type TicketEvent = TicketDetail['events'][number];
export type TicketMessage = TicketDetail['messages'][number];
export type FlowReport = inferOutput<Api['analytics']['flow']>;
export type VersionComparison = inferOutput<Api['analytics']['compare']>;
export type ApiTokenRow = inferOutput<Api['admin']['tokens']['list']>[number];
export type ApiScope = ApiTokenRow['scopes'][number];

export type ApiError = TRPCClientError<AppRouter>;

/** The tRPC error code of a failed call (`CONFLICT`, `BAD_REQUEST`…), or null for a network failure. */
export function errorCode(error: unknown): string | null {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'code' in data && typeof data.code === 'string') return data.code;
  }
  return null;
}

/** The structured `details` the API attaches to an error (fresh state on CONFLICT, field errors…). */
export function errorDetails(error: unknown): unknown {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'details' in data) return data.details;
  }
  return undefined;
}

/** True when the request never got an answer from the API (offline, server restarting): worth retrying. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TRPCClientError ? errorCode(error) === null : error instanceof TypeError;
}

/** A readable message for any failed call. */
export function errorMessage(error: unknown): string {
  if (isNetworkError(error)) return 'Could not reach Stepwise. Check your connection and try again.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

const NO_RETRY = new Set([
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_REQUEST',
  'CONFLICT',
  'PARSE_ERROR',
  // A refusal by a limit says when to come back (minutes, usually): asking again at once only repeats it.
  'TOO_MANY_REQUESTS',
]);

export function makeQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        // The session ended (expired, logged out elsewhere): ask who is logged in again, and the app
        // shell sends the user to the login page.
        if (errorCode(error) === 'UNAUTHORIZED')
          void client.invalidateQueries({ queryKey: [['auth', 'me']] });
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: true,
        // A client error will not get better by asking again.
        retry: (failures, error) => failures < 2 && !NO_RETRY.has(errorCode(error) ?? ''),
      },
      mutations: { retry: false },
    },
  });
  return client;
}

export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      // Live updates (tickets, queue) arrive over server-sent events. Queries are batched (a page asks
      // for several things at once); a mutation goes alone, so the server answers it on its unbatched
      // path and one slow write never holds up reads batched with it.
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: '/trpc' }),
        false: splitLink({
          condition: (op) => op.type === 'mutation',
          true: httpLink({ url: '/trpc' }),
          false: httpBatchLink({ url: '/trpc' }),
        }),
      }),
    ],
  });
}
