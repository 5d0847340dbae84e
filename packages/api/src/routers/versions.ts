import { flows, flowVersions, users } from '@stepwise/db';
import { parseFlowDocument } from '@stepwise/flow';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { applyMigration, MIGRATION_LIMIT, previewMigration } from '../runtime/migrateTickets.ts';
import { callerOf, userOf } from '../services/callerOf.ts';
import { RowId, SafeRecord, SafeString } from '../services/inputs.ts';
import { publishVersion } from '../services/publishVersion.ts';
import {
  compareVersions,
  endPilot,
  liveTicketsByVersion,
  migrationVersions,
  pilotStarted,
  restoreVersion,
  startPilot,
} from '../services/versionOps.ts';
import { fail, procedure, router } from '../trpc.ts';

/** A node id of a flow document (ids are bounded by the document schema). */
const NodeId = SafeString.min(1).max(64, 'a node id is at most 64 characters');

/** A version id, or the flow's draft. */
const VersionRef = z.union([z.literal('draft'), RowId]);

/** The manager's choices over the proposed mapping: node → target node, or null to leave those tickets. */
const Mapping = SafeRecord(NodeId, NodeId.nullable()).refine(
  (m) => Object.keys(m).length <= 1000,
  'A mapping names at most 1,000 nodes.',
);

const MigrationInput = z.strictObject({
  flowId: RowId,
  fromVersionId: RowId,
  toVersionId: RowId,
  mapping: Mapping.optional(),
});

const Revision = z.number().int().min(1).max(2_147_483_647);

export const versionsRouter = router({
  /** Validates the draft and freezes it as the next version, which becomes the active one. */
  publish: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        flowId: RowId,
        message: SafeString.trim().max(500, 'A version message is at most 500 characters.'),
        /** The draft revision the publisher is looking at; a newer draft refuses the publish. */
        revision: z.number().int().min(1).max(2_147_483_647).optional(),
        /** Publish as a pilot on this share of new tickets; the active version stays active. */
        pilotPercent: z.number().int().min(1).max(99).optional(),
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
        pilotPercent: input.pilotPercent,
        now: ctx.now(),
      });
    }),

  /** A flow's versions, newest first. */
  list: procedure('authenticated')
    .input(z.strictObject({ flowId: RowId }))
    .query(async ({ ctx, input }) => {
      const [flow] = await ctx.db.db
        .select({ activeVersionId: flows.activeVersionId, pilotVersionId: flows.pilotVersionId })
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
      const live = await liveTicketsByVersion(ctx.db, callerOf(ctx).orgId, input.flowId);
      const pilot =
        flow.pilotVersionId === null
          ? null
          : await pilotStarted(ctx.db, callerOf(ctx).orgId, input.flowId, flow.pilotVersionId);
      return rows.map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        isActive: r.id === flow.activeVersionId,
        isPilot: r.id === flow.pilotVersionId,
        /** When the running pilot started on this version (ISO), and by whom; null unless it is the pilot. */
        pilotSince: r.id === flow.pilotVersionId ? (pilot?.at ?? r.createdAt.toISOString()) : null,
        pilotStartedBy: r.id === flow.pilotVersionId ? (pilot?.by ?? r.authorName) : null,
        liveTickets: live.get(r.id) ?? 0,
      }));
    }),

  get: procedure('authenticated')
    .input(z.strictObject({ versionId: RowId }))
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
        .innerJoin(flows, and(eq(flows.orgId, flowVersions.orgId), eq(flows.id, flowVersions.flowId)))
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

  /** Writes a version's document into the draft as a new revision (compare-and-set); versions untouched. */
  restore: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId, versionId: RowId, revision: Revision }))
    .mutation(({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      return restoreVersion(ctx.db, { orgId, actorId: userId, now: ctx.now(), ...input });
    }),

  /** Two states of a flow (versions or the draft): their diff and the live tickets of `from` per node. */
  compare: procedure('authenticated')
    .input(z.strictObject({ flowId: RowId, from: VersionRef, to: VersionRef }))
    .query(({ ctx, input }) => compareVersions(ctx.db, { orgId: callerOf(ctx).orgId, ...input })),

  /** Where each live ticket of `fromVersionId` would land on `toVersionId` (nothing is written). */
  previewMigration: procedure(['admin', 'manager'])
    .input(MigrationInput)
    .query(async ({ ctx, input }) => {
      const versions = await migrationVersions(ctx.db, { orgId: callerOf(ctx).orgId, ...input });
      return previewMigration(ctx.db, versions, input.mapping, ctx.now());
    }),

  /** Moves live tickets to another version, each only if it is still where the preview saw it. */
  applyMigration: procedure(['admin', 'manager'])
    .input(
      MigrationInput.extend({
        ticketIds: z.array(RowId).max(MIGRATION_LIMIT).optional(),
        expected: SafeRecord(RowId, z.number().int().min(1).max(2_147_483_647)).refine(
          (e) => Object.keys(e).length <= MIGRATION_LIMIT,
          `At most ${MIGRATION_LIMIT} tickets at once.`,
        ),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const caller = userOf(ctx);
      const { orgId, userId } = caller;
      const versions = await migrationVersions(ctx.db, { orgId, ...input });
      const now = ctx.now();
      const result = await applyMigration(ctx.db, versions, {
        overrides: input.mapping,
        ticketIds: input.ticketIds,
        expected: input.expected,
        mover: caller,
        now,
      });
      await audit(ctx.db, {
        orgId,
        actorId: userId,
        action: 'version.tickets_migrated',
        targetType: 'flow',
        targetId: input.flowId,
        data: {
          fromVersionId: versions.from.id,
          toVersionId: versions.to.id,
          moved: result.moved.length,
          skipped: result.skipped.length,
          unmappable: result.unmappable.length,
        },
        at: now,
      });
      return result;
    }),

  /** A share of new tickets (1–99 %) takes `versionId` instead of the active version. */
  startPilot: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId, versionId: RowId, percent: z.number().int().min(1).max(99) }))
    .mutation(({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      return startPilot(ctx.db, { orgId, actorId: userId, now: ctx.now(), ...input });
    }),

  /** The pilot version becomes the active one; the pilot ends. */
  promotePilot: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId }))
    .mutation(({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      return endPilot(ctx.db, {
        orgId,
        actorId: userId,
        now: ctx.now(),
        flowId: input.flowId,
        promote: true,
      });
    }),

  /** The pilot ends; tickets already on the pilot version stay pinned to it. */
  rollbackPilot: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId }))
    .mutation(({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      return endPilot(ctx.db, {
        orgId,
        actorId: userId,
        now: ctx.now(),
        flowId: input.flowId,
        promote: false,
      });
    }),
});
