import { flows, flowVersions, users } from '@stepwise/db';
import {
  CURRENT_SCHEMA_VERSION,
  type FlowDocument,
  parseFlowDocument,
  startTriggerOf,
  validate,
} from '@stepwise/flow';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { Description, RowId, Title } from '../services/inputs.ts';
import { callerOf, userOf } from '../services/callerOf.ts';
import { placeBeforeCatchAlls, setRouteOrder } from '../runtime/routeOrder.ts';
import { queryOn } from '../runtime/sql.ts';
import { type Context, fail, procedure, router } from '../trpc.ts';

const FLOW_NOT_FOUND = 'This flow does not exist in your organization.';

/** A new flow's draft: a manual start straight to a resolved end, ready to be drawn on. */
export function defaultFlowDocument(): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Start',
          trigger: { mode: 'manual', channels: [], categories: [], priorities: [], tiers: [] },
        },
      },
      {
        id: 'end',
        type: 'end',
        position: { x: 0, y: 200 },
        data: { label: 'Resolved', status: 'resolved', feedback: false },
      },
    ],
    edges: [{ id: 'start-next-end', source: 'start', sourceHandle: 'next', target: 'end' }],
    notes: [],
  };
}

/** Reads a client's document, or refuses it with the parser's issues (BAD_REQUEST, nothing written). */
function parseOrFail(input: unknown): FlowDocument {
  const parsed = parseFlowDocument(input);
  if (!parsed.ok) {
    const n = parsed.issues.length;
    // The first problem in the message (it names the node and the field), all of them in the details.
    const first = parsed.issues[0]?.message;
    fail(
      'BAD_REQUEST',
      `The flow document is not valid (${n} ${n === 1 ? 'problem' : 'problems'})${first ? `: ${first}` : '.'}`,
      parsed.issues,
    );
  }
  return parsed.document;
}

function duplicateName(error: unknown, name: string | undefined): void {
  if (name !== undefined && uniqueViolation(error)?.constraint === 'flows_org_name_key') {
    fail('CONFLICT', `A flow named "${name}" already exists. Choose another name.`);
  }
}

/**
 * Creates a flow with `document` as its draft (audited, placed in the route order), in one transaction.
 * A name the organization already uses is refused with CONFLICT. The document must be parsed already.
 */
export async function createFlow(
  ctx: Context,
  input: { name: string; description: string; document: FlowDocument; audit?: Record<string, unknown> },
): Promise<{ id: string; draftRevision: number }> {
  const { orgId, userId } = userOf(ctx);
  const { document } = input;
  const now = ctx.now();
  try {
    return await ctx.db.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(flows)
        .values({
          orgId,
          name: input.name,
          description: input.description,
          draft: document,
          createdAt: now,
          updatedAt: now,
          updatedBy: userId,
        })
        .returning({ id: flows.id, draftRevision: flows.draftRevision });
      if (!row) throw new Error('INSERT … RETURNING returned no row');
      await audit(tx, {
        orgId,
        actorId: userId,
        action: 'flow.created',
        targetType: 'flow',
        targetId: row.id,
        data: { name: input.name, ...input.audit },
        at: now,
      });
      // A document with start filters goes before the catch-alls (the default order).
      const trigger = startTriggerOf(document);
      await placeBeforeCatchAlls(queryOn(tx), {
        orgId,
        flowId: row.id,
        trigger,
        actorId: userId,
        now,
        reason: 'created',
      });
      return row;
    });
  } catch (error) {
    duplicateName(error, input.name);
    throw error;
  }
}

/**
 * Flow documents arrive as JSON; `parseFlowDocument` checks them against the document schema (strict
 * objects built on `SafeString`, after migrating older versions), so this is the one input left as
 * `z.unknown()` here (the 1 MiB body limit bounds its size).
 */
const DocumentInput = z.unknown();

export const flowsRouter = router({
  list: procedure('authenticated').query(async ({ ctx }) => {
    const rows = await ctx.db.db
      .select({
        id: flows.id,
        name: flows.name,
        description: flows.description,
        draftRevision: flows.draftRevision,
        activeVersionId: flowVersions.id,
        activeVersionNumber: flowVersions.number,
        pilotVersionId: flows.pilotVersionId,
        pilotPercent: flows.pilotPercent,
        versionCount:
          sql<number>`(SELECT count(*) FROM ${flowVersions} fv WHERE fv.org_id = ${flows.orgId} AND fv.flow_id = ${flows.id})`.mapWith(
            Number,
          ),
        updatedAt: flows.updatedAt,
      })
      .from(flows)
      .leftJoin(
        flowVersions,
        and(eq(flowVersions.orgId, flows.orgId), eq(flowVersions.id, flows.activeVersionId)),
      )
      .where(and(eq(flows.orgId, callerOf(ctx).orgId), isNull(flows.archivedAt)))
      .orderBy(asc(flows.name), asc(flows.id));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      draftRevision: r.draftRevision,
      activeVersion:
        r.activeVersionId !== null && r.activeVersionNumber !== null
          ? { id: r.activeVersionId, number: r.activeVersionNumber }
          : null,
      versionCount: r.versionCount,
      pilot: r.pilotVersionId !== null ? { versionId: r.pilotVersionId, percent: r.pilotPercent } : null,
      updatedAt: r.updatedAt.toISOString(),
    }));
  }),

  create: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        name: Title,
        description: Description.optional(),
        document: DocumentInput.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const document = input.document === undefined ? defaultFlowDocument() : parseOrFail(input.document);
      return createFlow(ctx, { name: input.name, description: input.description ?? '', document });
    }),

  get: procedure('authenticated')
    .input(z.strictObject({ flowId: RowId }))
    .query(async ({ ctx, input }) => {
      const [row] = await ctx.db.db
        .select({
          id: flows.id,
          name: flows.name,
          description: flows.description,
          draft: flows.draft,
          draftRevision: flows.draftRevision,
          activeVersionId: flows.activeVersionId,
          pilotVersionId: flows.pilotVersionId,
          pilotPercent: flows.pilotPercent,
          updatedAt: flows.updatedAt,
          updatedBy: users.name,
        })
        .from(flows)
        .leftJoin(users, eq(users.id, flows.updatedBy))
        .where(and(eq(flows.id, input.flowId), eq(flows.orgId, callerOf(ctx).orgId)))
        .limit(1);
      if (!row) fail('NOT_FOUND', FLOW_NOT_FOUND);
      // Stored drafts were parsed on the way in; parsing again migrates an older schema version.
      const parsed = parseFlowDocument(row.draft);
      return {
        ...row,
        draft: parsed.ok ? parsed.document : row.draft,
        updatedAt: row.updatedAt.toISOString(),
      };
    }),

  /**
   * Saves the draft if nobody saved it since `revision` (compare-and-set); never overwrites another
   * manager's save. The draft may break the publishing rules (it is work in progress) but must be a
   * well-formed document; the rules' issues come back with the new revision.
   */
  saveDraft: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        flowId: RowId,
        revision: z.number().int().min(1).max(2_147_483_647),
        document: DocumentInput,
        name: Title.optional(),
        description: Description.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      const document = parseOrFail(input.document);
      const issues = validate(document);
      const now = ctx.now();
      let saved: { revision: number } | undefined;
      try {
        saved = await ctx.db.db.transaction(async (tx) => {
          const [before] =
            input.name === undefined
              ? [undefined]
              : await tx
                  .select({ name: flows.name })
                  .from(flows)
                  .where(and(eq(flows.id, input.flowId), eq(flows.orgId, orgId)));
          const [row] = await tx
            .update(flows)
            .set({
              draft: document,
              draftRevision: sql`${flows.draftRevision} + 1`,
              ...(input.name === undefined ? {} : { name: input.name }),
              ...(input.description === undefined ? {} : { description: input.description }),
              updatedAt: now,
              updatedBy: userId,
            })
            .where(
              and(
                eq(flows.id, input.flowId),
                eq(flows.orgId, orgId),
                eq(flows.draftRevision, input.revision),
              ),
            )
            .returning({ revision: flows.draftRevision });
          if (!row) return undefined;
          await audit(tx, {
            orgId,
            actorId: userId,
            action: 'flow.draft_saved',
            targetType: 'flow',
            targetId: input.flowId,
            data: { revision: row.revision, nodes: document.nodes.length, edges: document.edges.length },
            at: now,
          });
          if (before && input.name !== undefined && before.name !== input.name) {
            await audit(tx, {
              orgId,
              actorId: userId,
              action: 'flow.renamed',
              targetType: 'flow',
              targetId: input.flowId,
              data: { from: before.name, to: input.name },
              at: now,
            });
          }
          return row;
        });
      } catch (error) {
        duplicateName(error, input.name);
        throw error;
      }
      if (saved) return { revision: saved.revision, issues };

      const [current] = await ctx.db.db
        .select({ revision: flows.draftRevision, updatedAt: flows.updatedAt, updatedBy: users.name })
        .from(flows)
        .leftJoin(users, eq(users.id, flows.updatedBy))
        .where(and(eq(flows.id, input.flowId), eq(flows.orgId, orgId)))
        .limit(1);
      if (!current) fail('NOT_FOUND', FLOW_NOT_FOUND);
      fail(
        'CONFLICT',
        `Another manager saved this flow since you opened it (revision ${current.revision}). Reload to see their changes, or save yours as a copy.`,
        {
          currentRevision: current.revision,
          updatedBy: current.updatedBy,
          updatedAt: current.updatedAt.toISOString(),
        },
      );
    }),
  /** The order intake tries flows in (the first whose start filters match takes the ticket). */
  setRouteOrder: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowIds: z.array(RowId).min(1).max(200) }))
    .mutation(async ({ ctx, input }) => {
      const { orgId, userId } = userOf(ctx);
      return setRouteOrder(ctx.db, { orgId, actorId: userId, flowIds: input.flowIds, now: ctx.now() });
    }),
});
