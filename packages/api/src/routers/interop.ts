import { flows, flowVersions, teams } from '@stepwise/db';
import { parseFlowDocument } from '@stepwise/flow';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { exportBpmn } from '../interop/bpmnExport.ts';
import { DIAGRAM_FORMATS, importDiagram } from '../interop/importDiagram.ts';
import { MAX_IMPORT_BYTES } from '../interop/importResult.ts';
import { callerOf } from '../services/callerOf.ts';
import { RowId, SafeString, Title } from '../services/inputs.ts';
import { type Context, fail, procedure, router } from '../trpc.ts';
import { createFlow } from './flows.ts';

const FileText = SafeString.max(MAX_IMPORT_BYTES, 'The file is larger than 1 MiB, the most a flow can be.');
const FormatInput = z.enum(DIAGRAM_FORMATS).optional();

async function teamsOf(ctx: Context) {
  return ctx.db.db
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(eq(teams.orgId, callerOf(ctx).orgId));
}

/** Reads the file or refuses it (BAD_REQUEST with every problem in the details; nothing written). */
async function convert(ctx: Context, text: string, format: (typeof DIAGRAM_FORMATS)[number] | undefined) {
  const outcome = await importDiagram(text, { format, teams: await teamsOf(ctx) });
  if (!outcome.ok) {
    const first = outcome.problems[0]?.message ?? 'The file could not be read.';
    fail('BAD_REQUEST', first, outcome.problems);
  }
  return outcome;
}

/** A name no flow of the organization has: the wanted one, else "… (imported)", "… (imported 2)"… */
async function freeName(ctx: Context, wanted: string): Promise<string> {
  const taken = new Set(
    (
      await ctx.db.db
        .select({ name: flows.name })
        .from(flows)
        .where(eq(flows.orgId, callerOf(ctx).orgId))
    ).map((r) => r.name.toLowerCase()),
  );
  const base = wanted.slice(0, 180);
  if (!taken.has(wanted.toLowerCase())) return wanted;
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? `${base} (imported)` : `${base} (imported ${n})`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  fail('CONFLICT', `Too many flows are named "${base}": give the import another name.`);
}

export const interopRouter = router({
  /**
   * Reads a BPMN 2.0 or draw.io file and creates a new flow with it as the draft. Answers the flow and
   * the import report (what did not map, what to look at). A file that cannot be read writes nothing.
   */
  importFile: procedure(['admin', 'manager'])
    .input(
      z.strictObject({
        text: FileText,
        format: FormatInput,
        /** The new flow's name; absent: the diagram's own name, else `fileName` without its extension. */
        name: Title.optional(),
        fileName: SafeString.max(255).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const outcome = await convert(ctx, input.text, input.format);
      const fromFile = input.fileName?.replace(/\.[A-Za-z0-9]+$/, '').trim();
      const wanted = input.name ?? outcome.name ?? (fromFile ? fromFile.slice(0, 200) : 'Imported flow');
      const name = input.name ?? (await freeName(ctx, wanted));
      const row = await createFlow(ctx, {
        name,
        description: '',
        document: outcome.document,
        audit: { importedFrom: input.fileName ?? input.format ?? 'file', reportLines: outcome.report.length },
      });
      return { flowId: row.id, name, report: outcome.report, counts: outcome.counts };
    }),

  /**
   * Reads a BPMN 2.0 or draw.io file into a flow document and its import report without writing
   * anything: the builder loads it into the open draft, which saves it like any edit.
   */
  convert: procedure(['admin', 'manager'])
    .input(z.strictObject({ text: FileText, format: FormatInput }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await convert(ctx, input.text, input.format);
      return {
        document: outcome.document,
        name: outcome.name,
        report: outcome.report,
        counts: outcome.counts,
      };
    }),

  /** A flow's draft, or one of its versions, as BPMN 2.0 XML with diagram interchange. */
  exportBpmn: procedure(['admin', 'manager'])
    .input(z.strictObject({ flowId: RowId, versionId: RowId.optional() }))
    .query(async ({ ctx, input }) => {
      const { orgId } = callerOf(ctx);
      const [flow] = await ctx.db.db
        .select({ name: flows.name, draft: flows.draft })
        .from(flows)
        .where(and(eq(flows.orgId, orgId), eq(flows.id, input.flowId)))
        .limit(1);
      if (!flow) fail('NOT_FOUND', 'This flow does not exist in your organization.');
      let stored: unknown = flow.draft;
      let name = flow.name;
      if (input.versionId !== undefined) {
        const [version] = await ctx.db.db
          .select({ number: flowVersions.number, document: flowVersions.document })
          .from(flowVersions)
          .where(
            and(
              eq(flowVersions.orgId, orgId),
              eq(flowVersions.flowId, input.flowId),
              eq(flowVersions.id, input.versionId),
            ),
          )
          .limit(1);
        if (!version) fail('NOT_FOUND', 'This version does not exist in your organization.');
        stored = version.document;
        name = `${flow.name} v${version.number}`;
      }
      const parsed = parseFlowDocument(stored);
      if (!parsed.ok) fail('INTERNAL_SERVER_ERROR', 'The stored flow could not be read for export.');
      const teamNames = new Map((await teamsOf(ctx)).map((t) => [t.id, t.name]));
      const xml = await exportBpmn(parsed.document, { name, teamNames });
      return { name, xml };
    }),
});
