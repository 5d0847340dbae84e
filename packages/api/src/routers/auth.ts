import { organizations } from '@stepwise/db';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { LoginRateLimiter, loginRateLimiter } from '../auth/loginRateLimit.ts';
import { verifyDummyPassword, verifyPassword } from '../auth/password.ts';
import { clearedSessionCookie, createSession, deleteSession, sessionCookie } from '../auth/sessions.ts';
import { clientIpOf } from '../createContext.ts';
import { type DemoLogins, findDemoLogins } from '../seed/seedDemo.ts';
import { findAccountByEmail, type Me, pickMembership } from '../services/accounts.ts';
import { userOf } from '../services/callerOf.ts';
import { changeOwnPassword } from '../services/passwords.ts';
import {
  Email,
  GivenPassword,
  LinkToken,
  NewPassword,
  PersonName,
  RowId,
  Title,
} from '../services/inputs.ts';
import { publicUrlOf } from '../services/secretLinks.ts';
import { confirmSignUp, requestSignUp, type SignUpView, signUpByToken } from '../services/signUp.ts';
import { fail, procedure, router } from '../trpc.ts';

const BAD_CREDENTIALS = 'Email or password is incorrect.';

/** The one answer of a sign-up, whatever the address: nothing is created before the mailed link is used. */
export type SignUpAnswer = { next: 'check_inbox' };

export const authRouter = router({
  /**
   * Asks for a new organization with its first admin. The answer is the same for every address ("check
   * your inbox") and no session opens: a new address is mailed a confirmation link; an address that has
   * an account is mailed a link to create the workspace after signing in with its existing password.
   */
  signUp: procedure('public')
    .input(z.strictObject({ orgName: Title, name: PersonName, email: Email, password: NewPassword }))
    .mutation(async ({ ctx, input }): Promise<SignUpAnswer> => {
      await requestSignUp(ctx.db, input, { now: ctx.now(), publicUrl: publicUrlOf(ctx) });
      return { next: 'check_inbox' };
    }),

  /** What a sign-up's confirmation link leads to (for its page). */
  signUpRequest: procedure('public')
    .input(z.strictObject({ token: LinkToken }))
    .query(({ ctx, input }): Promise<SignUpView> => signUpByToken(ctx.db, input.token, ctx.now())),

  /**
   * Uses a sign-up's confirmation link: creates the organization, its admin is logged in. An address that
   * has an account gives its password.
   */
  confirmSignUp: procedure('public')
    .input(z.strictObject({ token: LinkToken, password: GivenPassword.optional() }))
    .mutation(async ({ ctx, input }): Promise<Me> => {
      const { me, sessionToken } = await confirmSignUp(ctx.db, input, {
        now: ctx.now(),
        clientIp: clientIpOf(ctx),
      });
      ctx.setCookie(sessionCookie(sessionToken));
      return me;
    }),

  /**
   * The signed-in person changes their password (the current one is required). Their other sessions end;
   * this one stays.
   */
  changePassword: procedure('authenticated')
    .input(z.strictObject({ currentPassword: GivenPassword, newPassword: NewPassword }))
    .mutation(async ({ ctx, input }) =>
      changeOwnPassword(
        ctx.db.db,
        userOf(ctx),
        { ...input, sessionToken: ctx.sessionToken, clientIp: clientIpOf(ctx) },
        ctx.now(),
      ),
    ),

  /** The demo accounts for the log-in page, or null when this server has no demo organization. */
  demoLogins: procedure('public').query(({ ctx }): Promise<DemoLogins | null> => findDemoLogins(ctx.db)),

  /**
   * Logs in to the given organization, or to the user's first enabled membership. Unknown emails and
   * wrong passwords get the same message after the same work; 10 failures per email and address in
   * 15 minutes lock that pair out until the window passes.
   */
  login: procedure('public')
    .input(z.strictObject({ email: Email, password: GivenPassword, orgId: RowId.optional() }))
    .mutation(async ({ ctx, input }): Promise<Me> => {
      const now = ctx.now();
      const key = LoginRateLimiter.key(input.email, clientIpOf(ctx));
      const waitMs = loginRateLimiter.retryAfterMs(key, now.getTime());
      if (waitMs > 0) {
        const minutes = Math.ceil(waitMs / 60_000);
        fail(
          'TOO_MANY_REQUESTS',
          `Too many failed log-in attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
          { retryAfterSeconds: Math.ceil(waitMs / 1000) },
        );
      }
      const account = await findAccountByEmail(ctx.db.db, input.email);
      const ok = account
        ? await verifyPassword(input.password, account.passwordHash)
        : await verifyDummyPassword(input.password);
      if (!account || !ok) {
        loginRateLimiter.recordFailure(key, now.getTime());
        fail('UNAUTHORIZED', BAD_CREDENTIALS);
      }
      loginRateLimiter.recordSuccess(key);
      const membership = await pickMembership(ctx.db.db, account.id, input.orgId);
      if (!membership) {
        fail(
          'FORBIDDEN',
          input.orgId === undefined
            ? 'Your account is disabled. Ask an admin of your organization to enable it.'
            : 'You are not an active member of this organization.',
        );
      }
      const session = await createSession(ctx.db.db, { orgId: membership.orgId, userId: account.id, now });
      ctx.setCookie(sessionCookie(session.token));
      return {
        user: { id: account.id, name: account.name, email: account.email },
        org: { id: membership.orgId, name: membership.orgName },
        role: membership.role,
      };
    }),

  logout: procedure('authenticated').mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await deleteSession(ctx.db.db, ctx.sessionToken);
    ctx.setCookie(clearedSessionCookie());
    return { ok: true as const };
  }),

  /** The logged-in user, or null (API tokens have no user). */
  me: procedure('public').query(async ({ ctx }): Promise<Me | null> => {
    const caller = ctx.caller;
    if (!caller || caller.role === 'api' || caller.userId === null) return null;
    const [org] = await ctx.db.db
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, caller.orgId))
      .limit(1);
    if (!org) return null;
    return {
      user: { id: caller.userId, name: caller.name, email: caller.email },
      org: { id: caller.orgId, name: org.name },
      role: caller.role,
    };
  }),
});
