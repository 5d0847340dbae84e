import { Id, PRIORITIES } from '@stepwise/flow';
import { z } from 'zod';
import { countTickets } from '../runtime/queue.ts';
import { isUuid, poolQuery, type Query } from '../runtime/sql.ts';
import {
  MANAGER_VIEWS,
  type TicketFilters,
  TICKET_SORTS,
  TICKET_VIEWS,
  type TicketView,
} from '../runtime/ticketFilters.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { RowId, SafeString } from '../services/inputs.ts';
import { userOf } from '../services/callerOf.ts';
import { type Caller, fail, procedure, router } from '../trpc.ts';
import { checkView } from './tickets.ts';

const VIEW_NOT_FOUND = 'This view does not exist, or is not shared with you.';
/** Saved views a person may own. */
const MAX_SAVED_VIEWS = 50;

/**
 * What a saved view holds: a built-in view to start from (none: every ticket, as a search from the top
 * bar looks through), filters on it, and the order.
 */
export const SavedViewQuery = z.strictObject({
  view: z.enum(TICKET_VIEWS).optional(),
  status: z
    .array(z.enum(['at_step', 'waiting', 'in_subflow', 'parked', 'ended', 'unrouted']))
    .max(6)
    .optional(),
  priority: z.array(z.enum(PRIORITIES)).max(4).optional(),
  flowId: RowId.optional(),
  nodeId: Id.optional(),
  breachedOnly: z.boolean().optional(),
  search: SafeString.max(200, 'A search is at most 200 characters.').optional(),
  sort: z.enum(TICKET_SORTS),
});
export type SavedViewQuery = z.infer<typeof SavedViewQuery>;

export type BuiltInView = { id: TicketView; count: number };
export type SavedView = {
  id: string;
  name: string;
  /** The team it is shared with; null: private to its owner. */
  teamId: string | null;
  teamName: string | null;
  ownerName: string;
  /** The caller owns it (may change or delete it). */
  mine: boolean;
  query: SavedViewQuery;
  count: number;
};
export type ViewList = {
  builtIn: BuiltInView[];
  saved: SavedView[];
  /** The view the queue opens on: the caller's teams, or (a manager or admin in no team) every open ticket. */
  defaultView: TicketView;
};

const AGENT_VIEWS: readonly TicketView[] = [
  'mine',
  'teams',
  'all',
  'unassigned',
  'breached',
  'waiting',
  'closed',
];
const MANAGER_VIEW_LIST: readonly TicketView[] = [
  'mine',
  'teams',
  'all',
  'unassigned',
  'breached',
  'waiting',
  'closed',
  'unrouted',
];

function filtersOf(query: SavedViewQuery): TicketFilters {
  const { sort: _sort, ...filters } = query;
  return filters;
}

type SavedRow = {
  id: string;
  name: string;
  team_id: string | null;
  team_name: string | null;
  owner_id: string;
  owner_name: string;
  query: unknown;
};

/** The saved views the caller sees: their own and those shared with one of their teams, by name. */
async function visibleViews(query: Query, caller: Caller & { userId: string }, viewId?: string) {
  return query<SavedRow>(
    `SELECT sv.id, sv.name, sv.team_id, tm.name AS team_name, sv.owner_id, u.name AS owner_name, sv.query
       FROM saved_views sv
       JOIN users u ON u.id = sv.owner_id
       LEFT JOIN teams tm ON tm.org_id = sv.org_id AND tm.id = sv.team_id
      WHERE sv.org_id = $1::uuid AND ($3::uuid IS NULL OR sv.id = $3::uuid)
        AND (sv.owner_id = $2::uuid OR sv.team_id IN (
              SELECT m.team_id FROM team_members m WHERE m.org_id = $1::uuid AND m.user_id = $2::uuid))
      ORDER BY lower(sv.name), sv.id`,
    [caller.orgId, caller.userId, viewId ?? null],
  );
}

/** The caller may share with this team: a member of it, or a manager or admin (any team of theirs). */
async function checkTeam(query: Query, caller: Caller & { userId: string }, teamId: string | null) {
  if (teamId === null) return;
  const [team] = await query<{ member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM team_members m WHERE m.org_id = $1::uuid AND m.team_id = $2::uuid
                      AND m.user_id = $3::uuid) AS member
       FROM teams WHERE org_id = $1::uuid AND id = $2::uuid`,
    [caller.orgId, teamId, caller.userId],
  );
  if (!team) fail('NOT_FOUND', 'This team does not exist in your organization.');
  if (!team.member && caller.role === 'agent') fail('FORBIDDEN', 'Share a view only with a team you are in.');
}

async function ownView(query: Query, caller: Caller & { userId: string }, viewId: string): Promise<SavedRow> {
  if (!isUuid(viewId)) fail('NOT_FOUND', VIEW_NOT_FOUND);
  const [row] = await visibleViews(query, caller, viewId.toLowerCase());
  if (!row) fail('NOT_FOUND', VIEW_NOT_FOUND);
  if (row.owner_id !== caller.userId) fail('FORBIDDEN', 'Only the person who saved this view can change it.');
  return row;
}

function duplicateName(error: unknown, name: string): void {
  if (uniqueViolation(error)?.constraint === 'saved_views_owner_name_key')
    fail('CONFLICT', `You already have a view named "${name}".`);
}

const ViewName = SafeString.trim().min(1, 'Enter a name.').max(80, 'A view name is at most 80 characters.');

export const viewsRouter = router({
  /**
   * The queue's views with how many tickets each holds now: the built-in ones the caller has, and the
   * saved ones they see (their own, and those shared with their teams).
   */
  list: procedure(['admin', 'manager', 'agent']).query(async ({ ctx }): Promise<ViewList> => {
    const caller = userOf(ctx);
    const query = poolQuery(ctx.db);
    const now = ctx.now();
    const builtIn = caller.role === 'agent' ? AGENT_VIEWS : MANAGER_VIEW_LIST;
    const saved = (await visibleViews(query, caller)).flatMap((row) => {
      const parsed = SavedViewQuery.safeParse(row.query);
      // A view shared by a manager on a managers' view is not one an agent can open.
      const view = parsed.success ? parsed.data.view : undefined;
      const usable =
        parsed.success && !(caller.role === 'agent' && view !== undefined && MANAGER_VIEWS.has(view));
      return usable ? [{ row, query: parsed.data }] : [];
    });
    const [counts, inTeam] = await Promise.all([
      countTickets(query, caller, now, [
        ...builtIn.map((view) => ({ view })),
        ...saved.map((s) => filtersOf(s.query)),
      ]),
      query<{ n: number }>(
        'SELECT count(*)::int AS n FROM team_members WHERE org_id = $1::uuid AND user_id = $2::uuid',
        [caller.orgId, caller.userId],
      ),
    ]);
    return {
      builtIn: builtIn.map((id, i) => ({ id, count: counts[i] ?? 0 })),
      saved: saved.map(({ row, query: q }, i) => ({
        id: row.id,
        name: row.name,
        teamId: row.team_id,
        teamName: row.team_name,
        ownerName: row.owner_name,
        mine: row.owner_id === caller.userId,
        query: q,
        count: counts[builtIn.length + i] ?? 0,
      })),
      defaultView: caller.role !== 'agent' && (inTeam[0]?.n ?? 0) === 0 ? 'all' : 'teams',
    };
  }),

  /** Saves a view (filters and sort) under a name, private or shared with one of the caller's teams. */
  create: procedure(['admin', 'manager', 'agent'])
    .input(z.strictObject({ name: ViewName, teamId: RowId.nullable().default(null), query: SavedViewQuery }))
    .mutation(async ({ ctx, input }): Promise<{ id: string }> => {
      const caller = userOf(ctx);
      const query = poolQuery(ctx.db);
      checkView(caller, input.query.view);
      await checkTeam(query, caller, input.teamId);
      try {
        const [row] = await query<{ id: string }>(
          `INSERT INTO saved_views (org_id, owner_id, team_id, name, query, created_at, updated_at)
           SELECT $1::uuid, $2::uuid, $3::uuid, $4, $5::jsonb, $6::timestamptz, $6::timestamptz
            WHERE (SELECT count(*) FROM saved_views WHERE org_id = $1::uuid AND owner_id = $2::uuid) < $7::int
           RETURNING id`,
          [
            caller.orgId,
            caller.userId,
            input.teamId,
            input.name,
            JSON.stringify(input.query),
            ctx.now().toISOString(),
            MAX_SAVED_VIEWS,
          ],
        );
        if (!row) fail('BAD_REQUEST', `You have ${MAX_SAVED_VIEWS} saved views: delete one to save another.`);
        return row;
      } catch (error) {
        duplicateName(error, input.name);
        throw error;
      }
    }),

  /** Renames, re-shares or changes the filters of one of the caller's saved views. */
  update: procedure(['admin', 'manager', 'agent'])
    .input(
      z.strictObject({
        viewId: RowId,
        name: ViewName.optional(),
        teamId: RowId.nullable().optional(),
        query: SavedViewQuery.optional(),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<{ id: string }> => {
      const caller = userOf(ctx);
      const query = poolQuery(ctx.db);
      const row = await ownView(query, caller, input.viewId);
      if (input.query) checkView(caller, input.query.view);
      if (input.teamId !== undefined) await checkTeam(query, caller, input.teamId);
      const name = input.name ?? row.name;
      try {
        await query(
          `UPDATE saved_views SET name = $3, team_id = $4::uuid, query = $5::jsonb, updated_at = $6::timestamptz
            WHERE org_id = $1::uuid AND id = $2::uuid`,
          [
            caller.orgId,
            row.id,
            name,
            input.teamId === undefined ? row.team_id : input.teamId,
            JSON.stringify(input.query ?? row.query),
            ctx.now().toISOString(),
          ],
        );
      } catch (error) {
        duplicateName(error, name);
        throw error;
      }
      return { id: row.id };
    }),

  /** Deletes one of the caller's saved views. */
  remove: procedure(['admin', 'manager', 'agent'])
    .input(z.strictObject({ viewId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ id: string }> => {
      const caller = userOf(ctx);
      const query = poolQuery(ctx.db);
      const row = await ownView(query, caller, input.viewId);
      await query('DELETE FROM saved_views WHERE org_id = $1::uuid AND id = $2::uuid', [
        caller.orgId,
        row.id,
      ]);
      return { id: row.id };
    }),
});
