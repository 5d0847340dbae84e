import { z } from 'zod';
import { audit } from '../audit.ts';
import { clearedSessionCookie, endSessions, listSessions, type SessionView } from '../auth/sessions.ts';
import { userOf } from '../services/callerOf.ts';
import { RowId } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';

const SESSION_NOT_FOUND = 'This session has already ended, or is not one of yours.';
const MEMBER_NOT_FOUND = 'This person is not a member of your organization.';

/**
 * A person's sign-ins to this organization: the browsers they are signed in on, and signing out of one
 * or all of them (a lost laptop, a shared computer). An admin can sign a member out everywhere.
 */
export const sessionsRouter = router({
  /** The caller's unexpired sessions in this organization, theirs first, then the most recently seen. */
  list: procedure('authenticated').query(({ ctx }): Promise<SessionView[]> => {
    const { orgId, userId } = userOf(ctx);
    return listSessions(ctx.db, { orgId, userId, currentToken: ctx.sessionToken, now: ctx.now() });
  }),

  /** Signs one of the caller's sessions out (the current one too: that is logging out here). */
  revoke: procedure('authenticated')
    .input(z.strictObject({ sessionId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ ended: number; signedOut: boolean }> => {
      const { orgId, userId } = userOf(ctx);
      const result = await endSessions(ctx.db, {
        orgId,
        userId,
        sessionId: input.sessionId,
        currentToken: ctx.sessionToken,
      });
      if (result.ended === 0) fail('NOT_FOUND', SESSION_NOT_FOUND);
      if (result.endedCurrent) ctx.setCookie(clearedSessionCookie());
      return { ended: result.ended, signedOut: result.endedCurrent };
    }),

  /**
   * Signs the caller out everywhere in this organization: every other session, and this one too unless
   * `keepCurrent` (the default: "sign out of all other browsers").
   */
  revokeAll: procedure('authenticated')
    .input(z.strictObject({ keepCurrent: z.boolean().default(true) }).default({ keepCurrent: true }))
    .mutation(async ({ ctx, input }): Promise<{ ended: number; signedOut: boolean }> => {
      const { orgId, userId } = userOf(ctx);
      const result = await endSessions(ctx.db, {
        orgId,
        userId,
        keepToken: input.keepCurrent ? ctx.sessionToken : null,
        currentToken: ctx.sessionToken,
      });
      if (result.endedCurrent) ctx.setCookie(clearedSessionCookie());
      return { ended: result.ended, signedOut: result.endedCurrent };
    }),

  /** An admin signs a member of their organization out of every session here (audited). */
  revokeMember: procedure(['admin'])
    .input(z.strictObject({ userId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ ended: number; signedOut: boolean }> => {
      const admin = userOf(ctx);
      const members = await ctx.db.query<{ name: string }>(
        `SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.org_id = $1::uuid AND m.user_id = $2::uuid`,
        [admin.orgId, input.userId],
      );
      const member = members[0];
      if (!member) fail('NOT_FOUND', MEMBER_NOT_FOUND);
      const result = await endSessions(ctx.db, {
        orgId: admin.orgId,
        userId: input.userId,
        currentToken: ctx.sessionToken,
      });
      await audit(ctx.db, {
        orgId: admin.orgId,
        actorId: admin.userId,
        action: 'user.signed_out_everywhere',
        targetType: 'user',
        targetId: input.userId,
        data: { name: member.name, sessions: result.ended },
        at: ctx.now(),
      });
      if (result.endedCurrent) ctx.setCookie(clearedSessionCookie());
      return { ended: result.ended, signedOut: result.endedCurrent };
    }),
});
