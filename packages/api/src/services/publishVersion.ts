import { type Database, type Db, flows, flowVersions } from '@stepwise/db';
import {
  type FlowDocument,
  namedTeamOf,
  parseFlowDocument,
  startTriggerOf,
  type ValidationIssue,
  validate,
} from '@stepwise/flow';
import { and, desc, eq, ne, or, isNull } from 'drizzle-orm';
import { audit } from '../audit.ts';
import { placeBeforeCatchAlls } from '../runtime/routeOrder.ts';
import { queryOn } from '../runtime/sql.ts';
import { fail } from '../trpc.ts';
import { contentHash } from './canonicalJson.ts';
import { uniqueViolation } from './dbErrors.ts';

export type PublishInput = {
  orgId: string;
  flowId: string;
  /** The user publishing; null for the system (seed). */
  authorId: string | null;
  message: string;
  /** The draft revision the publisher saw: a newer draft refuses the publish (CONFLICT). */
  expectedRevision?: number | undefined;
  /** Creation time of the version (default: now). */
  now?: Date | undefined;
  /**
   * Publish as a pilot: the new version takes this share (1–99 %) of new tickets and the active version
   * stays active (promote or roll back the pilot later). Ignored for a flow with no active version yet.
   */
  pilotPercent?: number | undefined;
};

export type PublishedVersion = { id: string; number: number; contentHash: string };

/**
 * Freezes a flow's draft as its next version and makes it the active one, in one transaction.
 *
 * The draft must parse and pass `validate` without errors. Publishing content identical to the latest
 * version returns that version instead of a duplicate (a double click, or two managers publishing the
 * same draft at once). Two concurrent publishes cannot take the same number: the unique index on
 * (flow_id, number) refuses the second, which re-reads and either returns the twin or retries once.
 */
export async function publishVersion(database: Database, input: PublishInput): Promise<PublishedVersion> {
  const [flow] = await database.db
    .select({
      draft: flows.draft,
      draftRevision: flows.draftRevision,
      name: flows.name,
      activeVersionId: flows.activeVersionId,
    })
    .from(flows)
    .where(and(eq(flows.id, input.flowId), eq(flows.orgId, input.orgId)))
    .limit(1);
  if (!flow) fail('NOT_FOUND', 'This flow does not exist in your organization.');
  if (input.expectedRevision !== undefined && input.expectedRevision !== flow.draftRevision) {
    fail(
      'CONFLICT',
      `The draft changed since you opened it (it is now at revision ${flow.draftRevision}). Reload it and check the changes before publishing.`,
      { currentRevision: flow.draftRevision },
    );
  }
  const parsed = parseFlowDocument(flow.draft);
  if (!parsed.ok) fail('BAD_REQUEST', publishProblems(parsed.issues), parsed.issues);
  const issues: PublishIssue[] = [
    ...validate(parsed.document),
    ...(await organizationIssues(database, input.orgId, input.flowId, parsed.document)),
  ];
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) fail('BAD_REQUEST', publishProblems(errors), issues);

  const document = parsed.document;
  const hash = contentHash(document);
  const at = input.now ?? new Date();
  // A pilot needs an active version to share new tickets with; the first version simply becomes active.
  const pilot = flow.activeVersionId !== null && input.pilotPercent !== undefined ? input.pilotPercent : null;

  const attempt = () =>
    database.db.transaction(async (tx) => {
      const latest = await latestVersion(tx, input.orgId, input.flowId);
      if (latest?.contentHash === hash) {
        if (!pilot) await activate(tx, input, latest);
        else if (latest.id !== flow.activeVersionId) await pilotLatest(tx, input, latest, pilot);
        return latest;
      }
      const number = (latest?.number ?? 0) + 1;
      const [row] = await tx
        .insert(flowVersions)
        .values({
          orgId: input.orgId,
          flowId: input.flowId,
          number,
          document,
          contentHash: hash,
          authorId: input.authorId,
          message: input.message,
          createdAt: at,
        })
        .returning({
          id: flowVersions.id,
          number: flowVersions.number,
          contentHash: flowVersions.contentHash,
        });
      if (!row) throw new Error('INSERT … RETURNING returned no row');
      // A first publish puts a flow with start filters before the catch-alls; later ones keep the order.
      if (!pilot && flow.activeVersionId === null)
        await placeBeforeCatchAlls(queryOn(tx), { ...routingOf(input, document), reason: 'first_publish' });
      await tx
        .update(flows)
        .set(pilot ? { pilotVersionId: row.id, pilotPercent: pilot } : { activeVersionId: row.id })
        .where(and(eq(flows.orgId, input.orgId), eq(flows.id, input.flowId)));
      await audit(tx, {
        orgId: input.orgId,
        actorId: input.authorId,
        action: 'version.published',
        targetType: 'flow',
        targetId: input.flowId,
        data: {
          versionId: row.id,
          number,
          contentHash: hash,
          message: input.message,
          flowName: flow.name,
          ...(pilot ? { pilotPercent: pilot } : {}),
        },
        at,
      });
      return row;
    });

  try {
    return await attempt();
  } catch (error) {
    const violation = uniqueViolation(error);
    if (violation?.constraint !== 'flow_versions_flow_number_key') throw error;
  }
  // Another publish took the number first. Its content may be ours (the same draft published twice at
  // once): then the attempt below finds it as the latest and returns it; otherwise it takes the next number.
  try {
    return await attempt();
  } catch (error) {
    if (uniqueViolation(error)?.constraint === 'flow_versions_flow_number_key') {
      fail(
        'CONFLICT',
        'Several versions of this flow were published at the same moment. Reload and try again.',
      );
    }
    throw error;
  }
}

function routingOf(input: PublishInput, document: FlowDocument) {
  const { orgId, flowId, authorId: actorId } = input;
  return { orgId, flowId, actorId, trigger: startTriggerOf(document), now: input.now ?? new Date() };
}

/** A validation issue, or one only the organization's data can reveal (validate() is pure). */
export type PublishIssue =
  | ValidationIssue
  | {
      code: 'UNKNOWN_TEAM' | 'UNKNOWN_SUBFLOW';
      severity: 'error';
      message: string;
      nodeIds: string[];
      edgeIds: string[];
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The teams steps and assignments name, and the flows subflows run, must exist in the organization: a
 * version that names another organization's team (or a placeholder from a template) would fail the
 * tickets that reach it. Two indexed reads, at publish only.
 */
async function organizationIssues(
  database: Database,
  orgId: string,
  flowId: string,
  document: FlowDocument,
): Promise<PublishIssue[]> {
  const teamNodes = new Map<string, string[]>();
  const flowNodes = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, id: string, nodeId: string) =>
    map.set(id, [...(map.get(id) ?? []), nodeId]);
  for (const node of document.nodes) {
    // A step set to the ticket's current team names none.
    const stepTeam = node.type === 'step' ? namedTeamOf(node) : null;
    if (stepTeam !== null) add(teamNodes, stepTeam, node.id);
    if (node.type === 'action')
      for (const op of node.data.ops) if (op.op === 'assign') add(teamNodes, op.teamId, node.id);
    if (node.type === 'subflow' && node.data.flowId !== null) add(flowNodes, node.data.flowId, node.id);
  }
  const known = async (table: 'teams' | 'flows', ids: string[]) => {
    const uuids = ids.filter((id) => UUID.test(id));
    if (uuids.length === 0) return new Set<string>();
    const rows = await database.query<{ id: string }>(
      `SELECT id::text AS id FROM ${table} WHERE org_id = $1::uuid AND id = ANY($2::uuid[])`,
      [orgId, uuids],
    );
    return new Set(rows.map((r) => r.id.toLowerCase()));
  };
  const teams = await known('teams', [...teamNodes.keys()]);
  const subflows = await known('flows', [...flowNodes.keys()]);
  const issues: PublishIssue[] = [];
  for (const [teamId, nodeIds] of teamNodes) {
    if (teams.has(teamId.toLowerCase())) continue;
    issues.push({
      code: 'UNKNOWN_TEAM',
      severity: 'error',
      message: `${nodeIds.length === 1 ? 'A node names' : `${nodeIds.length} nodes name`} a team that is not in your organization ("${teamId}"): pick one of your teams.`,
      nodeIds,
      edgeIds: [],
    });
  }
  for (const [subflowId, nodeIds] of flowNodes) {
    if (subflowId.toLowerCase() !== flowId.toLowerCase() && subflows.has(subflowId.toLowerCase())) continue;
    issues.push({
      code: 'UNKNOWN_SUBFLOW',
      severity: 'error',
      message:
        subflowId.toLowerCase() === flowId.toLowerCase()
          ? 'A subflow runs this same flow, which would never finish: pick another flow.'
          : `A subflow runs a flow that is not in your organization ("${subflowId}"): pick one of your flows.`,
      nodeIds,
      edgeIds: [],
    });
  }
  return issues;
}

function publishProblems(errors: readonly PublishIssue[]): string {
  const n = errors.filter((i) => i.severity === 'error').length;
  return `This flow has ${n} ${n === 1 ? 'problem' : 'problems'} to fix before publishing.`;
}

async function latestVersion(db: Db, orgId: string, flowId: string): Promise<PublishedVersion | undefined> {
  const [row] = await db
    .select({ id: flowVersions.id, number: flowVersions.number, contentHash: flowVersions.contentHash })
    .from(flowVersions)
    .where(and(eq(flowVersions.orgId, orgId), eq(flowVersions.flowId, flowId)))
    .orderBy(desc(flowVersions.number))
    .limit(1);
  return row;
}

/** Re-publishing the latest version's content makes it active again, if another version was. */
async function activate(db: Db, input: PublishInput, version: PublishedVersion): Promise<void> {
  const changed = await db
    .update(flows)
    .set({ activeVersionId: version.id })
    .where(
      and(
        eq(flows.id, input.flowId),
        eq(flows.orgId, input.orgId),
        or(isNull(flows.activeVersionId), ne(flows.activeVersionId, version.id)),
      ),
    )
    .returning({ id: flows.id });
  if (changed.length === 0) return;
  await audit(db, {
    orgId: input.orgId,
    actorId: input.authorId,
    action: 'version.activated',
    targetType: 'flow',
    targetId: input.flowId,
    data: { versionId: version.id, number: version.number },
    at: input.now ?? new Date(),
  });
}

/**
 * Publishing the latest version's content as a pilot, when that version is not the active one (a pilot
 * rolled back, then published again as is), pilots that version instead of freezing a copy.
 */
async function pilotLatest(
  db: Db,
  input: PublishInput,
  version: PublishedVersion,
  percent: number,
): Promise<void> {
  const changed = await db
    .update(flows)
    .set({ pilotVersionId: version.id, pilotPercent: percent })
    .where(and(eq(flows.id, input.flowId), eq(flows.orgId, input.orgId)))
    .returning({ id: flows.id });
  if (changed.length === 0) return;
  await audit(db, {
    orgId: input.orgId,
    actorId: input.authorId,
    action: 'version.pilot_started',
    targetType: 'flow',
    targetId: input.flowId,
    data: { versionId: version.id, number: version.number, percent },
    at: input.now ?? new Date(),
  });
}
