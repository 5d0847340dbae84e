import type { FlowDocument, FlowNode } from '@stepwise/flow';

export type TeamRef = { id: string; name: string };

/** Letters and digits only, lower case: `Senior support`, `team-senior-support` → `seniorsupport`. */
function teamKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The team name a template's placeholder id stands for: `team-billing` → `billing`. */
export function placeholderKey(placeholder: string): string {
  return teamKey(placeholder.replace(/^team[-_]/i, ''));
}

export type TeamMapping = {
  document: FlowDocument;
  /** Placeholders no team of the organization matched (their steps are left without a team). */
  missing: string[];
};

/**
 * Maps a template's placeholder team ids (`team-billing`, `team-technical`, …) to the organization's
 * teams by name (Billing, Technical, …). A step whose team has no match is left with no team, so
 * validation asks the manager to pick one; an assignment to an unmatched team keeps its placeholder,
 * which the builder reports as an unknown team. Ids that already are the organization's stay as they are.
 */
export function mapTemplateTeams(document: FlowDocument, teams: readonly TeamRef[]): TeamMapping {
  const own = new Set(teams.map((t) => t.id));
  const byKey = new Map(teams.map((t) => [teamKey(t.name), t.id]));
  const missing = new Set<string>();
  const resolve = (id: string): string | null => {
    if (own.has(id)) return id;
    const match = byKey.get(placeholderKey(id));
    if (match === undefined) missing.add(id);
    return match ?? null;
  };
  const nodes = document.nodes.map((node): FlowNode => {
    if (node.type === 'step' && node.data.teamId !== null) {
      return { ...node, data: { ...node.data, teamId: resolve(node.data.teamId) } };
    }
    if (node.type === 'action') {
      const ops = node.data.ops.map((op) =>
        op.op === 'assign' ? { ...op, teamId: resolve(op.teamId) ?? op.teamId } : op,
      );
      return { ...node, data: { ...node.data, ops } };
    }
    return node;
  });
  return { document: { ...document, nodes }, missing: [...missing] };
}
