import { z } from 'zod';
import { inTransaction } from '../runtime/sql.ts';
import { userOf } from '../services/callerOf.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { RowId, SafeString, Title } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';
import { auditRaw } from './admin.ts';

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A canned reply; `{{placeholders}}` in its body are filled from the ticket when an agent applies it. */
export type MacroRow = {
  id: string;
  name: string;
  body: string;
  updatedAt: string;
};

const MACRO_NOT_FOUND = 'This macro does not exist in your organization.';
const MAX_MACROS = 200;

const MacroBody = SafeString.max(10_000, 'A macro is at most 10,000 characters.').refine(
  (s) => s.trim().length > 0,
  'Write the macro’s text.',
);

function nameTaken(error: unknown, name: string): never {
  if (uniqueViolation(error)?.constraint === 'macros_name_key')
    fail('CONFLICT', `name: a macro named "${name}" exists already; choose another name.`);
  throw error;
}

/**
 * The organization's macros (canned replies). Everyone who works tickets reads them; admins and managers
 * keep them (Admin → Macros), and every change is in the audit log.
 */
export const macrosRouter = router({
  list: procedure(['admin', 'manager', 'agent']).query(async ({ ctx }): Promise<MacroRow[]> => {
    const { orgId } = userOf(ctx);
    return ctx.db.query<MacroRow>(
      `SELECT id, name, body, ${iso('updated_at')} AS "updatedAt" FROM macros
        WHERE org_id = $1::uuid ORDER BY lower(name), id`,
      [orgId],
    );
  }),

  create: procedure(['admin', 'manager'])
    .input(z.strictObject({ name: Title, body: MacroBody }))
    .mutation(async ({ ctx, input }): Promise<MacroRow> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      const count = await ctx.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM macros WHERE org_id = $1::uuid',
        [orgId],
      );
      if ((count[0]?.n ?? 0) >= MAX_MACROS)
        fail('PRECONDITION_FAILED', `An organization has at most ${MAX_MACROS} macros.`);
      return inTransaction(ctx.db, async (tx) => {
        const rows = await tx<MacroRow>(
          `INSERT INTO macros (org_id, name, body, created_by, created_at, updated_at)
           VALUES ($1::uuid, $2, $3, $4::uuid, $5::timestamptz, $5::timestamptz)
           RETURNING id, name, body, ${iso('updated_at')} AS "updatedAt"`,
          [orgId, input.name, input.body, userId, now],
        );
        const row = rows[0];
        if (!row) throw new Error('INSERT … RETURNING returned no row');
        await auditRaw(tx, orgId, userId, 'macro.created', 'macro', row.id, { name: input.name }, now);
        return row;
      }).catch((error: unknown) => nameTaken(error, input.name));
    }),

  update: procedure(['admin', 'manager'])
    .input(z.strictObject({ macroId: RowId, name: Title, body: MacroBody }))
    .mutation(async ({ ctx, input }): Promise<MacroRow> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      return inTransaction(ctx.db, async (tx) => {
        const rows = await tx<MacroRow>(
          `UPDATE macros SET name = $3, body = $4, updated_at = $5::timestamptz
            WHERE id = $1::uuid AND org_id = $2::uuid
           RETURNING id, name, body, ${iso('updated_at')} AS "updatedAt"`,
          [input.macroId, orgId, input.name, input.body, now],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', MACRO_NOT_FOUND);
        await auditRaw(tx, orgId, userId, 'macro.updated', 'macro', row.id, { name: input.name }, now);
        return row;
      }).catch((error: unknown) => nameTaken(error, input.name));
    }),

  delete: procedure(['admin', 'manager'])
    .input(z.strictObject({ macroId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ id: string }> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      return inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string; name: string }>(
          'DELETE FROM macros WHERE id = $1::uuid AND org_id = $2::uuid RETURNING id, name',
          [input.macroId, orgId],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', MACRO_NOT_FOUND);
        await auditRaw(tx, orgId, userId, 'macro.deleted', 'macro', row.id, { name: row.name }, now);
        return { id: row.id };
      });
    }),
});
