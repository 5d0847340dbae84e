import { describeNode, type FlowDocument, type ValidationIssue } from '@stepwise/flow';
import type { TeamRef } from './templates.ts';

/** An issue of the builder: `validate`'s, or one only the builder can see (it knows the teams). */
export type BuilderIssue = Omit<ValidationIssue, 'code'> & { code: ValidationIssue['code'] | 'UNKNOWN_TEAM' };

/**
 * Steps and assignments naming a team the organization does not have (a deleted team, or a template's
 * placeholder with no team of that name): errors, since the runtime could not route the ticket.
 * `validate` cannot see these: it knows the document, not the organization.
 */
export function teamIssues(document: FlowDocument, teams: readonly TeamRef[] | undefined): BuilderIssue[] {
  if (!teams) return [];
  const known = new Set(teams.map((t) => t.id));
  const issues: BuilderIssue[] = [];
  for (const node of document.nodes) {
    if (node.type === 'step' && node.data.teamId !== null && !known.has(node.data.teamId)) {
      issues.push({
        code: 'UNKNOWN_TEAM',
        severity: 'error',
        message: `${describeNode(node)} belongs to a team that does not exist in your organization: pick a team.`,
        nodeIds: [node.id],
        edgeIds: [],
      });
    }
    if (node.type === 'action' && node.data.ops.some((op) => op.op === 'assign' && !known.has(op.teamId))) {
      issues.push({
        code: 'UNKNOWN_TEAM',
        severity: 'error',
        message: `${describeNode(node)} assigns to a team that does not exist in your organization: pick a team.`,
        nodeIds: [node.id],
        edgeIds: [],
      });
    }
  }
  return issues;
}
