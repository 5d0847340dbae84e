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
export { handleCompleteStep } from './runtime/fastComplete.ts';
export { startTimerPoller } from './runtime/timerPoller.ts';
export { seedDemo } from './seed/seedDemo.ts';
export type { Me } from './services/accounts.ts';
export { type PublishedVersion, type PublishInput, publishVersion } from './services/publishVersion.ts';
export type { Access, Caller, Context, Meta } from './trpc.ts';
