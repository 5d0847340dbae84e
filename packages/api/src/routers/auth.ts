import { organizations, withOrg } from '@stepwise/db';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { verifyDummyPassword, verifyPassword } from '../auth/password.ts';
import { checkPassword } from '../auth/rateLimits.ts';
import { clearedSessionCookie, createSession, deleteSession, sessionCookie } from '../auth/sessions.ts';
import { clientIpOf, clientOf } from '../createContext.ts';
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
      await requestSignUp(ctx.db, input, {
        now: ctx.now(),
        publicUrl: publicUrlOf(ctx),
        clientIp: clientIpOf(ctx),
      });
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
        client: clientOf(ctx),
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
        ctx.db,
        userOf(ctx),
        { ...input, sessionToken: ctx.sessionToken, clientIp: clientIpOf(ctx) },
        ctx.now(),
      ),
    ),

  /** The demo accounts for the log-in page, or null when this server has no demo organization. */
  demoLogins: procedure('public').query(({ ctx }): Promise<DemoLogins | null> => findDemoLogins(ctx.db)),

  /**
   * Logs in to the given organization, or to the user's first enabled membership. Unknown emails and
   * wrong passwords get the same message after the same work. Every attempt is counted against the
   * log-in limits before the password is checked (`auth/rateLimits.ts`: per email and address, per email,
   * per address, distinct emails per address, and overall per minute; a right password gives its count
   * back and clears the email's); before that, the check is admitted to its address's lane of the hashing
   * queue, where a flooding address is refused at once and cannot delay other addresses' log-ins.
   */
  login: procedure('public')
    .input(z.strictObject({ email: Email, password: GivenPassword, orgId: RowId.optional() }))
    .mutation(async ({ ctx, input }): Promise<Me> => {
      const now = ctx.now();
      const { result: account, attempt } = await checkPassword(
        ctx.db,
        { email: input.email, clientIp: clientIpOf(ctx) },
        now,
        async (hash) => {
          const found = await findAccountByEmail(ctx.db.db, input.email);
          const ok = found
            ? await verifyPassword(input.password, found.passwordHash, hash)
            : await verifyDummyPassword(input.password, hash);
          return ok ? found : null;
        },
      );
      if (!account) fail('UNAUTHORIZED', BAD_CREDENTIALS);
      await attempt.succeeded();
      const membership = await pickMembership(ctx.db.db, account.id, input.orgId);
      if (!membership) {
        fail(
          'FORBIDDEN',
          input.orgId === undefined
            ? 'Your account is disabled. Ask an admin of your organization to enable it.'
            : 'You are not an active member of this organization.',
        );
      }
      const session = await withOrg(membership.orgId, () =>
        createSession(ctx.db.db, { orgId: membership.orgId, userId: account.id, now, client: clientOf(ctx) }),
      );
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
    const [org] = await withOrg(caller.orgId, async () =>
      ctx.db.db
        .select({ name: organizations.name })
        .from(organizations)
        .where(eq(organizations.id, caller.orgId))
        .limit(1),
    );
    if (!org) return null;
    return {
      user: { id: caller.userId, name: caller.name, email: caller.email },
      org: { id: caller.orgId, name: org.name },
      role: caller.role,
    };
  }),
});
