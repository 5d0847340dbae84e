import { Channel, Priority, Tier } from '@stepwise/flow';
import { z } from 'zod';
import { BACKTEST_BATCH, backtestBatch, backtestDocument } from '../analytics/backtest.ts';
import { compareVersionResults, pilotReadout } from '../analytics/compare.ts';
import { checkRange, flowReport, nodeHeat, waitingAt } from '../analytics/flowReport.ts';
import { callerOf } from '../services/callerOf.ts';
import { IsoDateTime, RowId, SafeString } from '../services/inputs.ts';
import { procedure, router } from '../trpc.ts';

function utc(at: string): string {
  return new Date(at).toISOString();
}

/** The scope of a report: a flow, one of its versions (or all), a time range and ticket filters. */
export const ReportInput = z.strictObject({
  flowId: RowId,
  versionId: RowId.nullable().default(null),
  // Any offset is read, and the range goes on as UTC instants (the reports' days are UTC days).
  from: IsoDateTime('from must be a date-time such as 2030-03-01T00:00:00Z', true).transform(utc),
  to: IsoDateTime('to must be a date-time such as 2030-03-31T00:00:00Z', true).transform(utc),
  channel: Channel.optional(),
  priority: Priority.optional(),
  category: SafeString.trim().min(1).max(64, 'a category is at most 64 characters').optional(),
  tier: Tier.optional(),
});

/**
 * Measures of flows, read from the facts the moves keep (the tickets' columns and their visits to
 * nodes). Managers and admins read them.
 */
export const analyticsRouter = router({
  /** The flow dashboard: volumes, resolution and first response times, SLA, CSAT, end statuses, per day, per step. */
  flow: procedure(['admin', 'manager'])
    .input(ReportInput)
    .query(({ ctx, input }) =>
      flowReport(ctx.db, {
        ...input,
        orgId: callerOf(ctx).orgId,
      }),
    ),

  /** The canvas overlay of one version: waiting now, time and SLA per node, traffic per edge. */
  nodes: procedure(['admin', 'manager'])
    .input(ReportInput.extend({ versionId: RowId }))
    .query(({ ctx, input }) =>
      nodeHeat(ctx.db, {
        ...input,
        orgId: callerOf(ctx).orgId,
      }),
    ),

  /**
   * Two versions on the same measures, range and filters: sample sizes, 95% intervals, the mix of
   * tickets on each side and a verdict in words (or "not enough data yet").
   */
  compare: procedure(['admin', 'manager'])
    .input(ReportInput.omit({ versionId: true }).extend({ a: RowId, b: RowId }))
    .query(({ ctx, input }) => {
      // A pilot's readout compares over however long the pilot has run; a comparison asked for is a report.
      checkRange(input);
      return compareVersionResults(ctx.db, { ...input, orgId: callerOf(ctx).orgId });
    }),

  /** The running pilot as an experiment: pilot against control since it started, and what to do next. */
  pilot: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId }))
    .query(({ ctx, input }) =>
      pilotReadout(ctx.db, { ...input, orgId: callerOf(ctx).orgId, now: ctx.now() }),
    ),

  /**
   * One batch of a backtest: the flow's draft (or a version) replayed over its next `take` finished
   * tickets, most recently closed first, with their recorded fields and answers. The page asks batch
   * after batch (passing `next` back as `after`) up to the N tickets asked for, showing progress.
   */
  backtest: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        flowId: RowId,
        source: z.union([z.literal('draft'), RowId]),
        take: z
          .number()
          .int()
          .min(1)
          .max(BACKTEST_BATCH, `a batch replays at most ${BACKTEST_BATCH} tickets`),
        after: z
          .strictObject({
            closedAt: IsoDateTime('after.closedAt must be a UTC date-time'),
            id: RowId,
          })
          .nullable()
          .default(null),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { orgId } = callerOf(ctx);
      const document = await backtestDocument(ctx.db, { orgId, flowId: input.flowId, source: input.source });
      return backtestBatch(ctx.db, {
        orgId,
        flowId: input.flowId,
        document,
        take: input.take,
        after: input.after,
      });
    }),

  /** The tickets waiting at a node of a version now (the oldest first, at most 50). */
  waiting: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        flowId: RowId,
        versionId: RowId,
        nodeId: SafeString.min(1).max(64, 'a node id is at most 64 characters'),
      }),
    )
    .query(({ ctx, input }) => waitingAt(ctx.db, { ...input, orgId: callerOf(ctx).orgId, limit: 50 })),
});
