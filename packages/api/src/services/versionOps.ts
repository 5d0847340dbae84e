import { type Database, flows, flowVersions } from '@stepwise/db';
import { diffDocuments, type FlowDiff, type FlowDocument, parseFlowDocument } from '@stepwise/flow';
import { and, eq, sql } from 'drizzle-orm';
import { audit } from '../audit.ts';
import type { MigrationVersions } from '../runtime/migrateTickets.ts';
import { fail } from '../trpc.ts';

const FLOW_NOT_FOUND = 'This flow does not exist in your organization.';
const VERSION_NOT_FOUND = 'This version does not exist in this flow.';

/** Statuses of a ticket that still runs (a live ticket): everything but ended and unrouted. */
const NOT_LIVE = `('ended', 'unrouted')`;

export type FlowRollout = {
  id: string;
  name: string;
  draft: unknown;
  draftRevision: number;
  activeVersionId: string | null;
  pilotVersionId: string | null;
  pilotPercent: number;
};

export async function loadFlow(database: Database, orgId: string, flowId: string): Promise<FlowRollout> {
  const [row] = await database.db
    .select({
      id: flows.id,
      name: flows.name,
      draft: flows.draft,
      draftRevision: flows.draftRevision,
      activeVersionId: flows.activeVersionId,
      pilotVersionId: flows.pilotVersionId,
      pilotPercent: flows.pilotPercent,
    })
    .from(flows)
    .where(and(eq(flows.id, flowId), eq(flows.orgId, orgId)))
    .limit(1);
  if (!row) fail('NOT_FOUND', FLOW_NOT_FOUND);
  return row;
}

export type LoadedVersion = { id: string; number: number; document: FlowDocument };

function documentOf(raw: unknown, what: string): FlowDocument {
  const parsed = parseFlowDocument(raw);
  if (!parsed.ok) throw new Error(`${what} does not parse as a flow document`);
  return parsed.document;
}

/** A version of this flow in the caller's organization, its document parsed; NOT_FOUND otherwise. */
export async function loadVersion(
  database: Database,
  orgId: string,
  flowId: string,
  versionId: string,
): Promise<LoadedVersion> {
  const [row] = await database.db
    .select({ id: flowVersions.id, number: flowVersions.number, document: flowVersions.document })
    .from(flowVersions)
    .where(
      and(eq(flowVersions.id, versionId), eq(flowVersions.flowId, flowId), eq(flowVersions.orgId, orgId)),
    )
    .limit(1);
  if (!row) fail('NOT_FOUND', VERSION_NOT_FOUND);
  return { id: row.id, number: row.number, document: documentOf(row.document, `Version ${row.id}`) };
}

/** Live tickets per version of a flow (one grouped count). */
export async function liveTicketsByVersion(
  database: Database,
  orgId: string,
  flowId: string,
): Promise<Map<string, number>> {
  const rows = await database.query<{ version_id: string; n: number }>(
    `SELECT version_id, count(*)::int AS n FROM tickets
      WHERE org_id = $1::uuid AND flow_id = $2::uuid AND version_id IS NOT NULL AND status NOT IN ${NOT_LIVE}
      GROUP BY version_id`,
    [orgId, flowId],
  );
  return new Map(rows.map((r) => [r.version_id, r.n]));
}

/** Live tickets pinned to a version, per node they sit at (one grouped count). */
export async function liveTicketsByNode(
  database: Database,
  orgId: string,
  versionId: string,
): Promise<Record<string, number>> {
  const rows = await database.query<{ node_id: string; n: number }>(
    `SELECT node_id, count(*)::int AS n FROM tickets
      WHERE org_id = $1::uuid AND version_id = $2::uuid AND node_id IS NOT NULL AND status NOT IN ${NOT_LIVE}
      GROUP BY node_id`,
    [orgId, versionId],
  );
  const out: Record<string, number> = {};
  for (const r of rows) {
    Object.defineProperty(out, r.node_id, {
      value: r.n,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export type CompareSide = { label: string; versionId: string | null; document: FlowDocument };

export type Comparison = {
  from: CompareSide;
  to: CompareSide;
  diff: FlowDiff;
  liveByNode: Record<string, number>;
};

/** A flow's draft (`'draft'`) or one of its versions, its document parsed; NOT_FOUND for another flow's. */
export async function loadSide(
  database: Database,
  orgId: string,
  flow: FlowRollout,
  ref: string,
): Promise<CompareSide> {
  if (ref === 'draft') {
    return {
      label: 'Draft',
      versionId: null,
      document: documentOf(flow.draft, `The draft of flow ${flow.id}`),
    };
  }
  const v = await loadVersion(database, orgId, flow.id, ref);
  return { label: `v${v.number}`, versionId: v.id, document: v.document };
}

/** Two states of a flow (versions or the draft), their diff, and the live tickets of `from` per node. */
export async function compareVersions(
  database: Database,
  input: { orgId: string; flowId: string; from: string; to: string },
): Promise<Comparison> {
  const flow = await loadFlow(database, input.orgId, input.flowId);
  const from = await loadSide(database, input.orgId, flow, input.from);
  const to = await loadSide(database, input.orgId, flow, input.to);
  const liveByNode =
    from.versionId === null ? {} : await liveTicketsByNode(database, input.orgId, from.versionId);
  return { from, to, diff: diffDocuments(from.document, to.document), liveByNode };
}

/** The two versions of a migration, both of this flow in the caller's organization. */
export async function migrationVersions(
  database: Database,
  input: { orgId: string; flowId: string; fromVersionId: string; toVersionId: string },
): Promise<MigrationVersions> {
  await loadFlow(database, input.orgId, input.flowId);
  const from = await loadVersion(database, input.orgId, input.flowId, input.fromVersionId);
  const to = await loadVersion(database, input.orgId, input.flowId, input.toVersionId);
  if (from.id === to.id) {
    fail('BAD_REQUEST', 'Choose two different versions: tickets already run on this one.');
  }
  return { orgId: input.orgId, flowId: input.flowId, from, to };
}

/**
 * Writes a version's document into the draft as a new draft revision, if the draft is still at
 * `revision` (compare-and-set, as a save); the versions are untouched.
 */
export async function restoreVersion(
  database: Database,
  input: { orgId: string; flowId: string; versionId: string; revision: number; actorId: string; now: Date },
): Promise<{ revision: number }> {
  const version = await loadVersion(database, input.orgId, input.flowId, input.versionId);
  const saved = await database.db.transaction(async (tx) => {
    const [row] = await tx
      .update(flows)
      .set({
        draft: version.document,
        draftRevision: sql`${flows.draftRevision} + 1`,
        updatedAt: input.now,
        updatedBy: input.actorId,
      })
      .where(
        and(
          eq(flows.id, input.flowId),
          eq(flows.orgId, input.orgId),
          eq(flows.draftRevision, input.revision),
        ),
      )
      .returning({ revision: flows.draftRevision });
    if (!row) return null;
    await audit(tx, {
      orgId: input.orgId,
      actorId: input.actorId,
      action: 'version.restored',
      targetType: 'flow',
      targetId: input.flowId,
      data: { versionId: version.id, number: version.number, revision: row.revision },
      at: input.now,
    });
    return row;
  });
  if (saved) return saved;
  const flow = await loadFlow(database, input.orgId, input.flowId);
  fail(
    'CONFLICT',
    `The draft changed since you opened it (it is now at revision ${flow.draftRevision}). Reload it before restoring.`,
    { currentRevision: flow.draftRevision },
  );
}

/**
 * When (and by whom) the running pilot of `versionId` started: the latest audit record that made it the
 * pilot — a pilot started on it, or its publish as a pilot. Null when the log has none.
 */
export async function pilotStarted(
  database: Database,
  orgId: string,
  flowId: string,
  versionId: string,
): Promise<{ at: string; by: string | null } | null> {
  const rows = await database.query<{ at: string; by: string | null }>(
    `SELECT to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, u.name AS by
       FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
      WHERE a.org_id = $1::uuid AND a.target_type = 'flow' AND a.target_id = $2
        AND a.data->>'versionId' = $3
        AND (a.action = 'version.pilot_started'
          OR (a.action = 'version.published' AND a.data->>'pilotPercent' IS NOT NULL))
      ORDER BY a.created_at DESC LIMIT 1`,
    [orgId, flowId, versionId],
  );
  return rows[0] ?? null;
}

export type PilotState = { versionId: string; number: number; percent: number } | null;

/** Starts (or changes) a pilot: `percent` of new tickets take `versionId` instead of the active version. */
export async function startPilot(
  database: Database,
  input: { orgId: string; flowId: string; versionId: string; percent: number; actorId: string; now: Date },
): Promise<PilotState> {
  const flow = await loadFlow(database, input.orgId, input.flowId);
  const version = await loadVersion(database, input.orgId, input.flowId, input.versionId);
  if (flow.activeVersionId === null) {
    fail('PRECONDITION_FAILED', `The flow "${flow.name}" has no active version yet: publish it first.`);
  }
  if (flow.activeVersionId === version.id) {
    fail('BAD_REQUEST', `v${version.number} is already the active version: pilot another version.`);
  }
  await database.db.transaction(async (tx) => {
    await tx
      .update(flows)
      .set({ pilotVersionId: version.id, pilotPercent: input.percent })
      .where(and(eq(flows.id, input.flowId), eq(flows.orgId, input.orgId)));
    await audit(tx, {
      orgId: input.orgId,
      actorId: input.actorId,
      action: 'version.pilot_started',
      targetType: 'flow',
      targetId: input.flowId,
      data: {
        versionId: version.id,
        number: version.number,
        percent: input.percent,
        previousPilotVersionId: flow.pilotVersionId,
      },
      at: input.now,
    });
  });
  return { versionId: version.id, number: version.number, percent: input.percent };
}

/** Ends the pilot: promoted, the pilot version becomes active; rolled back, it is dropped (tickets on it stay). */
export async function endPilot(
  database: Database,
  input: { orgId: string; flowId: string; promote: boolean; actorId: string; now: Date },
): Promise<{ activeVersionId: string | null }> {
  const flow = await loadFlow(database, input.orgId, input.flowId);
  const pilotId = flow.pilotVersionId;
  if (pilotId === null) fail('PRECONDITION_FAILED', 'This flow has no pilot running.');
  const activeVersionId = input.promote ? pilotId : flow.activeVersionId;
  const changed = await database.db.transaction(async (tx) => {
    const rows = await tx
      .update(flows)
      .set({ activeVersionId, pilotVersionId: null, pilotPercent: 0 })
      .where(and(eq(flows.id, input.flowId), eq(flows.orgId, input.orgId), eq(flows.pilotVersionId, pilotId)))
      .returning({ id: flows.id });
    if (rows.length === 0) return false;
    await audit(tx, {
      orgId: input.orgId,
      actorId: input.actorId,
      action: input.promote ? 'version.pilot_promoted' : 'version.pilot_rolled_back',
      targetType: 'flow',
      targetId: input.flowId,
      data: { versionId: pilotId, percent: flow.pilotPercent, previousActiveVersionId: flow.activeVersionId },
      at: input.now,
    });
    return true;
  });
  if (!changed) fail('CONFLICT', 'The pilot changed meanwhile. Reload and try again.');
  return { activeVersionId };
}
