import { type Db, memberships, type Role, teamMembers, users } from '@stepwise/db';
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { deleteMemberSessions, forgetSessions } from '../auth/sessions.ts';
import { NewPassword, RoleInput, RowId } from '../services/inputs.ts';
import { callerOf, userOf } from '../services/callerOf.ts';
import { resetMemberPassword } from '../services/passwords.ts';
import { fail, procedure, router } from '../trpc.ts';

export type Member = {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
  teamIds: string[];
};

const NOT_A_MEMBER = 'This user is not a member of your organization.';

/** The members of an organization (or one of them), with the teams each is on. */
async function loadMembers(db: Db, orgId: string, userId?: string): Promise<Member[]> {
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      disabledAt: memberships.disabledAt,
      teamIds: sql<string[]>`coalesce((
        SELECT array_agg(${teamMembers.teamId}::text ORDER BY ${teamMembers.teamId})
          FROM ${teamMembers}
         WHERE ${teamMembers.orgId} = ${memberships.orgId} AND ${teamMembers.userId} = ${memberships.userId}
      ), ARRAY[]::text[])`,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.orgId, orgId), userId === undefined ? undefined : eq(memberships.userId, userId)),
    )
    .orderBy(asc(users.name), asc(users.id));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    disabled: r.disabledAt !== null,
    teamIds: r.teamIds,
  }));
}

async function loadMember(db: Db, orgId: string, userId: string): Promise<Member> {
  const [member] = await loadMembers(db, orgId, userId);
  if (!member) fail('NOT_FOUND', NOT_A_MEMBER);
  return member;
}

export const usersRouter = router({
  list: procedure(['admin', 'manager']).query(({ ctx }) => loadMembers(ctx.db.db, callerOf(ctx).orgId)),

  /** Changes a member's role; the organization always keeps at least one enabled admin. */
  setRole: procedure(['admin'])
    .input(z.strictObject({ userId: RowId, role: RoleInput }))
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId: actorId } = userOf(ctx);
      await ctx.db.db.transaction(async (tx) => {
        // Lock the admins' rows so two admins demoting each other at once cannot both succeed.
        const admins = await tx
          .select({ userId: memberships.userId })
          .from(memberships)
          .where(
            and(eq(memberships.orgId, orgId), eq(memberships.role, 'admin'), isNull(memberships.disabledAt)),
          )
          .for('update');
        const [target] = await tx
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, input.userId)))
          .for('update');
        if (!target) fail('NOT_FOUND', NOT_A_MEMBER);
        if (target.role === input.role) return;
        const otherAdmins = admins.filter((a) => a.userId !== input.userId).length;
        if (target.role === 'admin' && otherAdmins === 0) {
          fail(
            'PRECONDITION_FAILED',
            'This is the last admin of the organization. Make someone else an admin first.',
          );
        }
        await tx
          .update(memberships)
          .set({ role: input.role })
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, input.userId)));
        await audit(tx, {
          orgId,
          actorId,
          action: 'user.role_changed',
          targetType: 'user',
          targetId: input.userId,
          data: { from: target.role, to: input.role },
          at: ctx.now(),
        });
      });
      forgetSessions();
      return loadMember(ctx.db.db, orgId, input.userId);
    }),

  /** Disables a member: their sessions in this organization end at once. */
  disable: procedure(['admin'])
    .input(z.strictObject({ userId: RowId }))
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId: actorId } = userOf(ctx);
      if (input.userId === actorId) fail('BAD_REQUEST', 'You cannot disable your own account.');
      const now = ctx.now();
      await ctx.db.db.transaction(async (tx) => {
        const [target] = await tx
          .select({ disabledAt: memberships.disabledAt })
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, input.userId)))
          .for('update');
        if (!target) fail('NOT_FOUND', NOT_A_MEMBER);
        if (target.disabledAt !== null) return;
        await tx
          .update(memberships)
          .set({ disabledAt: now })
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, input.userId)));
        await deleteMemberSessions(tx, orgId, input.userId);
        await audit(tx, {
          orgId,
          actorId,
          action: 'user.disabled',
          targetType: 'user',
          targetId: input.userId,
          at: now,
        });
      });
      forgetSessions();
      return loadMember(ctx.db.db, orgId, input.userId);
    }),

  /**
   * Sets a temporary password for a member (the given one, or a generated one returned once) and ends
   * all their sessions; audited. Not for the admin themself, nor for an account of several organizations.
   */
  resetPassword: procedure(['admin'])
    .input(z.strictObject({ userId: RowId, password: NewPassword.optional() }))
    .mutation(async ({ ctx, input }) => {
      const caller = userOf(ctx);
      const result = await resetMemberPassword(ctx.db.db, caller, input, ctx.now());
      return { member: await loadMember(ctx.db.db, caller.orgId, input.userId), ...result };
    }),

  enable: procedure(['admin'])
    .input(z.strictObject({ userId: RowId }))
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId: actorId } = userOf(ctx);
      await ctx.db.db.transaction(async (tx) => {
        const changed = await tx
          .update(memberships)
          .set({ disabledAt: null })
          .where(
            and(
              eq(memberships.orgId, orgId),
              eq(memberships.userId, input.userId),
              isNotNull(memberships.disabledAt),
            ),
          )
          .returning({ userId: memberships.userId });
        if (changed.length === 0) {
          const [exists] = await tx
            .select({ userId: memberships.userId })
            .from(memberships)
            .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, input.userId)));
          if (!exists) fail('NOT_FOUND', NOT_A_MEMBER);
          return;
        }
        await audit(tx, {
          orgId,
          actorId,
          action: 'user.enabled',
          targetType: 'user',
          targetId: input.userId,
          at: ctx.now(),
        });
      });
      return loadMember(ctx.db.db, orgId, input.userId);
    }),
});
