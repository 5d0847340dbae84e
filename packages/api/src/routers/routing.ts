import { CHANNELS, PRIORITIES, StartTrigger, TIERS } from '@stepwise/flow';
import { z } from 'zod';
import { explainTicketRoute, previewPublish, routingOverview } from '../runtime/routing.ts';
import { poolQuery } from '../runtime/sql.ts';
import { versionCache } from '../runtime/versionCache.ts';
import { callerOf } from '../services/callerOf.ts';
import { RowId, SafeString } from '../services/inputs.ts';
import { procedure, router } from '../trpc.ts';

/** Routing: the order intake tries flows in, why a ticket lands where it does, and shadowed flows. */
export const routingRouter = router({
  /**
   * The flows in the order intake tries them: position, name, active version, start filters in words,
   * and whether earlier flows take every ticket a flow would (shadowing). Reorder with `flows.setRouteOrder`.
   */
  order: procedure(['admin', 'manager']).query(({ ctx }) =>
    routingOverview(poolQuery(ctx.db), versionCache, callerOf(ctx).orgId),
  ),

  /** Which flow a new ticket with these attributes would start on, and why each earlier flow did not. */
  explain: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        channel: z.enum(CHANNELS),
        category: SafeString.trim().max(200, 'A category is at most 200 characters.'),
        priority: z.enum(PRIORITIES),
        tier: z.enum(TIERS),
      }),
    )
    .query(({ ctx, input }) =>
      explainTicketRoute(poolQuery(ctx.db), versionCache, callerOf(ctx).orgId, input),
    ),

  /**
   * Before publishing: where the flow will stand with its draft's start trigger, and whether earlier
   * flows would take every ticket it accepts.
   */
  previewPublish: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId, trigger: StartTrigger }))
    .query(({ ctx, input }) =>
      previewPublish(poolQuery(ctx.db), versionCache, callerOf(ctx).orgId, input.flowId, input.trigger),
    ),
});
