export {
  backfillAnalytics,
  type RebuildResult,
  rebuildAnalytics,
  rebuildEveryOrganization,
} from './analytics/rebuild.ts';
export { audit, type AuditEntry } from './audit.ts';
export { hashPassword, verifyPassword } from './auth/password.ts';
export {
  FEEDBACK_LIMIT,
  LOGIN_LIMITS,
  pruneRateLimits,
  type TooManyRequests,
} from './auth/rateLimits.ts';
export {
  API_SCOPES,
  type ApiScope,
  LEGACY_SCOPES,
  SCOPE_OF_PROCEDURE,
  scopeOf,
} from './auth/tokenScopes.ts';
export {
  type ContextFactory,
  type ContextRequest,
  createContextFactory,
  parseCookies,
  type RequestContext,
} from './createContext.ts';
export { type OpenApiDocument, openApiDocument, tokenMayCall } from './openapi/openApiDocument.ts';
export { AddMessageOutput, PROCEDURE_OUTPUTS, TicketDetailOutput } from './openapi/outputs.ts';
export { type AppRouter, appRouter, createCaller } from './router.ts';
export { type LiveHub, liveHubOf, noteChange, TICKET_CHANNEL, type TicketChange } from './live/hub.ts';
export { fireDueTimers } from './runtime/fireDueTimers.ts';
export { deliverDueMail, type MailMessage, type SendMail } from './mail/outgoingMail.ts';
export type { OutboxEffect } from './runtime/planEffects.ts';
export { runDueEffects } from './runtime/runDueEffects.ts';
export {
  type RuntimeLoop,
  type RuntimeLoopOptions,
  type RuntimeStep,
  startRuntimeLoop,
} from './runtime/runtimeLoop.ts';
export { deliverDueWebhooks, RETRY_DELAYS_MS } from './webhooks/deliverDueWebhooks.ts';
export { signWebhook, verifyWebhook } from './webhooks/sign.ts';
export {
  DEMO_HISTORY_SEED,
  type DemoHistoryOptions,
  type DemoHistoryResult,
  seedDemoHistory,
} from './seed/demoHistory.ts';
export { FAST_TRACK_LIMIT, FAST_TRACK_NODES } from './seed/refundFastTrack.ts';
export { demoHistoryStart, markSeededDemo, type SeedOptions, seedDemo } from './seed/seedDemo.ts';
export type { Me } from './services/accounts.ts';
export {
  DatabaseUnavailableError,
  isConnectionError,
  RETRY_AFTER_SECONDS,
  retryAfterOf,
} from './services/dbUnavailable.ts';
export { type PublishedVersion, type PublishInput, publishVersion } from './services/publishVersion.ts';
export type { Access, Caller, Context, Meta } from './trpc.ts';
