import { type Db, memberships, teamMembers, teams } from '@stepwise/db';
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { RowId, Title } from '../services/inputs.ts';
import { callerOf, userOf } from '../services/callerOf.ts';
import { fail, procedure, router } from '../trpc.ts';

export type Team = { id: string; name: string; memberIds: string[] };

const TEAM_NOT_FOUND = 'This team does not exist in your organization.';

async function loadTeams(db: Db, orgId: string, teamId?: string): Promise<Team[]> {
  return db
    .select({
      id: teams.id,
      name: teams.name,
      memberIds: sql<string[]>`coalesce((
        SELECT array_agg(${teamMembers.userId}::text ORDER BY ${teamMembers.userId})
          FROM ${teamMembers} WHERE ${teamMembers.orgId} = ${teams.orgId} AND ${teamMembers.teamId} = ${teams.id}
      ), ARRAY[]::text[])`,
    })
    .from(teams)
    .where(and(eq(teams.orgId, orgId), teamId === undefined ? undefined : eq(teams.id, teamId)))
    .orderBy(asc(teams.name), asc(teams.id));
}

async function loadTeam(db: Db, orgId: string, teamId: string): Promise<Team> {
  const [team] = await loadTeams(db, orgId, teamId);
  if (!team) fail('NOT_FOUND', TEAM_NOT_FOUND);
  return team;
}

function duplicateName(error: unknown, name: string): void {
  if (uniqueViolation(error)?.constraint === 'teams_org_name_key') {
    fail('CONFLICT', `A team named "${name}" already exists.`);
  }
}

export const teamsRouter = router({
  list: procedure('authenticated').query(({ ctx }) => loadTeams(ctx.db.db, callerOf(ctx).orgId)),

  create: procedure(['admin', 'manager'])
    .input(z.strictObject({ name: Title }))
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now();
      try {
        const id = await ctx.db.db.transaction(async (tx) => {
          const [row] = await tx
            .insert(teams)
            .values({ orgId, name: input.name, createdAt: now })
            .returning({ id: teams.id });
          if (!row) throw new Error('INSERT … RETURNING returned no row');
          await audit(tx, {
            orgId,
            actorId: userId,
            action: 'team.created',
            targetType: 'team',
            targetId: row.id,
            data: { name: input.name },
            at: now,
          });
          return row.id;
        });
        return { id, name: input.name, memberIds: [] } satisfies Team;
      } catch (error) {
        duplicateName(error, input.name);
        throw error;
      }
    }),

  rename: procedure(['admin', 'manager'])
    .input(z.strictObject({ teamId: RowId, name: Title }))
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      try {
        await ctx.db.db.transaction(async (tx) => {
          const [before] = await tx
            .select({ name: teams.name })
            .from(teams)
            .where(and(eq(teams.id, input.teamId), eq(teams.orgId, orgId)))
            .for('update');
          if (!before) fail('NOT_FOUND', TEAM_NOT_FOUND);
          if (before.name === input.name) return;
          await tx
            .update(teams)
            .set({ name: input.name })
            .where(and(eq(teams.id, input.teamId), eq(teams.orgId, orgId)));
          await audit(tx, {
            orgId,
            actorId: userId,
            action: 'team.renamed',
            targetType: 'team',
            targetId: input.teamId,
            data: { from: before.name, to: input.name },
            at: ctx.now(),
          });
        });
      } catch (error) {
        duplicateName(error, input.name);
        throw error;
      }
      return loadTeam(ctx.db.db, orgId, input.teamId);
    }),

  /** Replaces a team's members; every one must be a member of the organization. */
  setMembers: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        teamId: RowId,
        userIds: z.array(RowId).max(1000, 'A team has at most 1000 members.'),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId: actorId } = userOf(ctx);
      const userIds = [...new Set(input.userIds)];
      await ctx.db.db.transaction(async (tx) => {
        const [team] = await tx
          .select({ id: teams.id })
          .from(teams)
          .where(and(eq(teams.id, input.teamId), eq(teams.orgId, orgId)))
          .for('update');
        if (!team) fail('NOT_FOUND', TEAM_NOT_FOUND);
        if (userIds.length > 0) {
          const known = await tx
            .select({ userId: memberships.userId })
            .from(memberships)
            .where(and(eq(memberships.orgId, orgId), inArray(memberships.userId, userIds)));
          const knownIds = new Set(known.map((k) => k.userId));
          const unknown = userIds.filter((id) => !knownIds.has(id));
          if (unknown.length > 0) {
            fail(
              'BAD_REQUEST',
              `${unknown.length === 1 ? 'This user is' : 'These users are'} not in your organization: ${unknown.join(', ')}.`,
              { unknownUserIds: unknown },
            );
          }
        }
        const before = await tx
          .select({ userId: teamMembers.userId })
          .from(teamMembers)
          .where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.teamId, input.teamId)));
        await tx
          .delete(teamMembers)
          .where(
            userIds.length > 0
              ? and(
                  eq(teamMembers.orgId, orgId),
                  eq(teamMembers.teamId, input.teamId),
                  notInArray(teamMembers.userId, userIds),
                )
              : and(eq(teamMembers.orgId, orgId), eq(teamMembers.teamId, input.teamId)),
          );
        if (userIds.length > 0) {
          // Members who stay keep their round-robin position (last_assigned_at).
          await tx
            .insert(teamMembers)
            .values(userIds.map((userId) => ({ orgId, teamId: input.teamId, userId })))
            .onConflictDoNothing();
        }
        const beforeIds = new Set(before.map((b) => b.userId));
        const added = userIds.filter((id) => !beforeIds.has(id));
        const removed = [...beforeIds].filter((id) => !userIds.includes(id));
        if (added.length > 0 || removed.length > 0) {
          await audit(tx, {
            orgId,
            actorId,
            action: 'team.members_changed',
            targetType: 'team',
            targetId: input.teamId,
            data: { added, removed },
            at: ctx.now(),
          });
        }
      });
      return loadTeam(ctx.db.db, orgId, input.teamId);
    }),
});
