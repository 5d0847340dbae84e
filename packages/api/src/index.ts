export { audit, type AuditEntry } from './audit.ts';
export { hashPassword, verifyPassword } from './auth/password.ts';
export {
  type ContextFactory,
  type ContextRequest,
  createContextFactory,
  parseCookies,
  type RequestContext,
} from './createContext.ts';
export { type AppRouter, appRouter, createCaller } from './router.ts';
export { type LiveHub, liveHubOf, TICKET_CHANNEL, type TicketChange } from './live/hub.ts';
export { type JobWorker, runDueJobs, startJobWorker } from './runtime/jobs.ts';
export { fireDueTimers, startTimerPoller } from './runtime/timerPoller.ts';
export { signWebhook, verifyWebhook } from './webhooks/sign.ts';
export { deliverDueWebhooks, RETRY_DELAYS_MS, startWebhookWorker } from './webhooks/worker.ts';
export { markSeededDemo, seedDemo } from './seed/seedDemo.ts';
export type { Me } from './services/accounts.ts';
export { type PublishedVersion, type PublishInput, publishVersion } from './services/publishVersion.ts';
export type { Access, Caller, Context, Meta } from './trpc.ts';
