import { adminRouter } from './routers/admin.ts';
import { analyticsRouter } from './routers/analytics.ts';
import { authRouter } from './routers/auth.ts';
import { feedbackRouter } from './routers/feedback.ts';
import { flowsRouter } from './routers/flows.ts';
import { interopRouter } from './routers/interop.ts';
import { invitationsRouter } from './routers/invitations.ts';
import { liveRouter } from './routers/live.ts';
import { macrosRouter } from './routers/macros.ts';
import { notificationsRouter } from './routers/notifications.ts';
import { routingRouter } from './routers/routing.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { teamsRouter } from './routers/teams.ts';
import { ticketsRouter } from './routers/tickets.ts';
import { usersRouter } from './routers/users.ts';
import { versionsRouter } from './routers/versions.ts';
import { viewsRouter } from './routers/views.ts';
import { workRouter } from './routers/work.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  invitations: invitationsRouter,
  sessions: sessionsRouter,
  teams: teamsRouter,
  flows: flowsRouter,
  routing: routingRouter,
  versions: versionsRouter,
  interop: interopRouter,
  tickets: ticketsRouter,
  views: viewsRouter,
  work: workRouter,
  macros: macrosRouter,
  admin: adminRouter,
  feedback: feedbackRouter,
  live: liveRouter,
  notifications: notificationsRouter,
  analytics: analyticsRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
