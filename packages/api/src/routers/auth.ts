import { memberships, organizations, users } from '@stepwise/db';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { LoginRateLimiter, loginRateLimiter } from '../auth/loginRateLimit.ts';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../auth/password.ts';
import { clearedSessionCookie, createSession, deleteSession, sessionCookie } from '../auth/sessions.ts';
import { clientIpOf, clientOf } from '../createContext.ts';
import { type DemoLogins, findDemoLogins } from '../seed/seedDemo.ts';
import { findAccountByEmail, type Me, pickMembership } from '../services/accounts.ts';
import { userOf } from '../services/callerOf.ts';
import { changeOwnPassword, checkPasswordAttempts, type FieldProblems } from '../services/passwords.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { Email, GivenPassword, NewPassword, PersonName, RowId, Title } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';

const BAD_CREDENTIALS = 'Email or password is incorrect.';
/**
 * The refusal of a sign-up whose email has an account and whose password is not that account's. It
 * names no account, and comes in the same shape as every other field problem of the form.
 */
const SIGN_UP_REFUSED =
  'We could not create a workspace with this email and password. Check them, or log in if you use Stepwise with this email.';

export const authRouter = router({
  /**
   * Creates an organization with its first admin, and logs them in.
   *
   * An email that already has an account can never create an organization silently linked to another
   * person's account: it goes ahead only with that account's own password (the owner adding a
   * workspace; their name and password stay as they are). Otherwise the answer is a field problem on the
   * email that does not say whether an account exists, after the same work (one password derivation) a
   * new account costs; wrong passwords count towards the log-in lockout of that email and address.
   * Invitations by mail, planned next, will let a new person join instead.
   */
  signUp: procedure('public')
    .input(z.object({ orgName: Title, name: PersonName, email: Email, password: NewPassword }))
    .mutation(async ({ ctx, input }): Promise<Me> => {
      const now = ctx.now();
      const attempts = checkPasswordAttempts(input.email, clientIpOf(ctx), now);
      const existing = await findAccountByEmail(ctx.db.db, input.email);
      // Hashing takes ~0.3 s: never inside the transaction (PGlite has one connection).
      const passwordHash = existing ? null : await hashPassword(input.password);
      if (existing && !(await verifyPassword(input.password, existing.passwordHash))) {
        loginRateLimiter.recordFailure(attempts, now.getTime());
        fail('BAD_REQUEST', SIGN_UP_REFUSED, { fields: { email: SIGN_UP_REFUSED } } satisfies FieldProblems);
      }
      let created: { orgId: string; userId: string };
      try {
        created = await ctx.db.db.transaction(async (tx) => {
          const [org] = await tx
            .insert(organizations)
            .values({ name: input.orgName, createdAt: now })
            .returning({ id: organizations.id });
          let userId = existing?.id;
          if (!userId) {
            const [user] = await tx
              .insert(users)
              .values({
                email: input.email,
                name: input.name,
                passwordHash: passwordHash ?? '',
                createdAt: now,
              })
              .returning({ id: users.id });
            userId = user?.id;
          }
          if (!org || !userId) throw new Error('INSERT … RETURNING returned no row');
          await tx.insert(memberships).values({ orgId: org.id, userId, role: 'admin', createdAt: now });
          await audit(tx, {
            orgId: org.id,
            actorId: userId,
            action: 'organization.created',
            targetType: 'organization',
            targetId: org.id,
            data: { name: input.orgName, adminEmail: input.email },
            at: now,
          });
          return { orgId: org.id, userId };
        });
      } catch (error) {
        // The same new email signed up twice at once: the second one is refused like a taken email.
        if (uniqueViolation(error)?.constraint === 'users_email_key') {
          fail('BAD_REQUEST', SIGN_UP_REFUSED, {
            fields: { email: SIGN_UP_REFUSED },
          } satisfies FieldProblems);
        }
        throw error;
      }
      loginRateLimiter.recordSuccess(attempts);
      const session = await createSession(ctx.db.db, { ...created, now, client: clientOf(ctx) });
      ctx.setCookie(sessionCookie(session.token));
      return {
        user: {
          id: created.userId,
          name: existing?.name ?? input.name,
          email: existing?.email ?? input.email,
        },
        org: { id: created.orgId, name: input.orgName },
        role: 'admin',
      };
    }),

  /**
   * The signed-in person changes their password (the current one is required). Their other sessions end;
   * this one stays.
   */
  changePassword: procedure('authenticated')
    .input(z.object({ currentPassword: GivenPassword, newPassword: NewPassword }))
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
    .input(z.object({ email: Email, password: GivenPassword, orgId: RowId.optional() }))
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
      const session = await createSession(ctx.db.db, {
        orgId: membership.orgId,
        userId: account.id,
        now,
        client: clientOf(ctx),
      });
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
