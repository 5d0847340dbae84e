import { flows, flowVersions, users } from '@stepwise/db';
import { parseFlowDocument } from '@stepwise/flow';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { RowId } from '../services/inputs.ts';
import { publishVersion } from '../services/publishVersion.ts';
import { callerOf, userOf } from '../services/callerOf.ts';
import { fail, procedure, router } from '../trpc.ts';

export const versionsRouter = router({
  /** Validates the draft and freezes it as the next version, which becomes the active one. */
  publish: procedure(['admin', 'manager'])
    .input(
      z.object({
        flowId: RowId,
        message: z.string().trim().max(500, 'A version message is at most 500 characters.'),
        /** The draft revision the publisher is looking at; a newer draft refuses the publish. */
        revision: z.number().int().min(1).max(2_147_483_647).optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      return publishVersion(ctx.db, {
        orgId,
        flowId: input.flowId,
        authorId: userId,
        message: input.message,
        expectedRevision: input.revision,
        now: ctx.now(),
      });
    }),

  /** A flow's versions, newest first. */
  list: procedure('authenticated')
    .input(z.object({ flowId: RowId }))
    .query(async ({ ctx, input }) => {
      const [flow] = await ctx.db.db
        .select({ activeVersionId: flows.activeVersionId })
        .from(flows)
        .where(and(eq(flows.id, input.flowId), eq(flows.orgId, callerOf(ctx).orgId)))
        .limit(1);
      if (!flow) fail('NOT_FOUND', 'This flow does not exist in your organization.');
      const rows = await ctx.db.db
        .select({
          id: flowVersions.id,
          number: flowVersions.number,
          message: flowVersions.message,
          authorName: users.name,
          createdAt: flowVersions.createdAt,
          contentHash: flowVersions.contentHash,
        })
        .from(flowVersions)
        .leftJoin(users, eq(users.id, flowVersions.authorId))
        .where(and(eq(flowVersions.flowId, input.flowId), eq(flowVersions.orgId, callerOf(ctx).orgId)))
        .orderBy(desc(flowVersions.number));
      return rows.map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        isActive: r.id === flow.activeVersionId,
      }));
    }),

  get: procedure('authenticated')
    .input(z.object({ versionId: RowId }))
    .query(async ({ ctx, input }) => {
      const [row] = await ctx.db.db
        .select({
          id: flowVersions.id,
          flowId: flowVersions.flowId,
          flowName: flows.name,
          number: flowVersions.number,
          document: flowVersions.document,
          message: flowVersions.message,
          authorName: users.name,
          createdAt: flowVersions.createdAt,
          contentHash: flowVersions.contentHash,
        })
        .from(flowVersions)
        .innerJoin(flows, eq(flows.id, flowVersions.flowId))
        .leftJoin(users, eq(users.id, flowVersions.authorId))
        .where(and(eq(flowVersions.id, input.versionId), eq(flowVersions.orgId, callerOf(ctx).orgId)))
        .limit(1);
      if (!row) fail('NOT_FOUND', 'This version does not exist in your organization.');
      // Versions are frozen as stored; reading through the parser migrates an older schema version.
      const parsed = parseFlowDocument(row.document);
      return {
        ...row,
        document: parsed.ok ? parsed.document : row.document,
        createdAt: row.createdAt.toISOString(),
      };
    }),
});
