export { flows, flowVersions } from './flows.ts';
export {
  auditLog,
  memberships,
  organizations,
  ROLES,
  type Role,
  sessions,
  teamMembers,
  teams,
  users,
} from './organizations.ts';
export {
  analyticsBackfill,
  idempotencyKeys,
  ticketEvents,
  ticketMessages,
  tickets,
  ticketVisits,
  timers,
} from './tickets.ts';
export {
  apiTokens,
  channelDeliveries,
  feedbackRequests,
  notificationChannels,
  runtimeJobs,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
  webhookDeliveries,
  webhookEndpoints,
} from './integrations.ts';
export { invitations, outgoingMail, signUpRequests } from './invitations.ts';
export { macros } from './macros.ts';
export { rateLimits } from './rateLimits.ts';
export { savedViews, ticketSearch } from './search.ts';
export { NOTIFICATION_KINDS, type NotificationKind, notifications } from './notifications.ts';
