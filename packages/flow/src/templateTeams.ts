import type { FlowDocument, FlowNode } from './schema.ts';
import { TEMPLATE_TEAMS } from './templates.ts';

/** A team of an organization, as far as mapping a template needs it. */
export type TeamRef = { id: string; name: string };

/** A team a template hands work to: its placeholder id, its default name and how many nodes use it. */
export type TemplateTeam = { id: string; name: string; uses: number };

/** What a template team becomes in the organization: one of its teams, or a new team by that name. */
export type TeamChoice = { kind: 'existing'; teamId: string } | { kind: 'create'; name: string };

/** At or above this similarity, an existing team is proposed for a template team. */
export const TEAM_MATCH_THRESHOLD = 0.65;

/** Words that say nothing about which team is meant ("Billing team" is "Billing"). */
const FILLER = new Set(['team', 'teams', 'the', 'and', 'of', 'dept', 'department', 'group', 'desk']);

function tokens(name: string): string[] {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '' && !FILLER.has(t));
}

/** Levenshtein distance, two rows. */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * How alike two team names are, from 0 (nothing in common) to 1 (the same name):
 * - 1 for the same name ignoring case, accents, punctuation and filler words ("billing-team" = "Billing");
 * - 0.85 when one name contains the other ("Senior" in "Senior support", "Tech" in "Technical");
 * - otherwise the better of the shared words (Jaccard over words, at most 0.8: "Customer success" vs
 *   "Success and retention") and the spelling (1 − edit distance / length, at most 0.9: "Biling" vs
 *   "Billing").
 * Symmetric and pure.
 */
export function teamNameSimilarity(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  const ca = ta.join('');
  const cb = tb.join('');
  // A name of filler words only ("Team") is compared as it is.
  if (ca === '' || cb === '') return a.trim().toLowerCase() === b.trim().toLowerCase() ? 1 : 0;
  if (ca === cb) return 1;
  const [short, long] = ca.length <= cb.length ? [ca, cb] : [cb, ca];
  if (short.length >= 3 && long.includes(short)) return 0.85;
  const setA = new Set(ta);
  const setB = new Set(tb);
  let shared = 0;
  for (const t of setA) if (setB.has(t)) shared++;
  const words = (shared / (setA.size + setB.size - shared)) * 0.8;
  const spelling = (1 - editDistance(ca, cb) / long.length) * 0.9;
  return Math.max(words, spelling, 0);
}

/** Calls `visit` with every team id the document names, on steps and in assign actions. */
function forEachTeamUse(document: FlowDocument, visit: (teamId: string) => void): void {
  for (const node of document.nodes) {
    if (node.type === 'step' && typeof node.data.teamId === 'string') visit(node.data.teamId);
    if (node.type === 'action')
      for (const op of node.data.ops)
        if (op.op === 'assign' && typeof op.teamId === 'string') visit(op.teamId);
  }
}

/**
 * The template teams (`TEMPLATE_TEAMS`) a document names, in the order of `TEMPLATE_TEAMS`, each with the
 * number of steps and assign actions naming it. Anything else (a real team id, or a step that follows the
 * ticket's current team) is not a template team.
 */
export function templateTeamsOf(document: FlowDocument): TemplateTeam[] {
  const uses = new Map<string, number>();
  forEachTeamUse(document, (id) => uses.set(id, (uses.get(id) ?? 0) + 1));
  return TEMPLATE_TEAMS.filter((t) => uses.has(t.id)).map((t) => ({ ...t, uses: uses.get(t.id)! }));
}

/** The organization's team most like `name` (the first in the list on a tie), with its similarity. */
export function closestTeam(
  name: string,
  teams: readonly TeamRef[],
): { team: TeamRef; similarity: number } | null {
  let best: { team: TeamRef; similarity: number } | null = null;
  for (const team of teams) {
    const similarity = teamNameSimilarity(name, team.name);
    if (best === null || similarity > best.similarity) best = { team, similarity };
  }
  return best;
}

/**
 * The default choice for each template team: the organization's most similar team when it is similar
 * enough (`TEAM_MATCH_THRESHOLD`); else a new team with the template's name when the user may create
 * teams; else the most similar team anyway (the user can change it). Null for a team when the
 * organization has no team and the user may not create one.
 */
export function proposeTeamChoices(
  templateTeams: readonly TemplateTeam[],
  teams: readonly TeamRef[],
  canCreate: boolean,
): Record<string, TeamChoice | null> {
  const choices: Record<string, TeamChoice | null> = {};
  for (const t of templateTeams) {
    const closest = closestTeam(t.name, teams);
    if (closest && closest.similarity >= TEAM_MATCH_THRESHOLD)
      choices[t.id] = { kind: 'existing', teamId: closest.team.id };
    else if (canCreate) choices[t.id] = { kind: 'create', name: t.name };
    else choices[t.id] = closest ? { kind: 'existing', teamId: closest.team.id } : null;
  }
  return choices;
}

/**
 * Replaces team ids by `replacements` (old id → new id) wherever a team id appears: on steps and in
 * assign actions. Only ids that are keys of `replacements` change; every other value (another team's id,
 * no team, a step that follows the ticket's current team) stays as it is, and nodes without a change
 * stay the same objects.
 */
export function replaceTeamIds(
  document: FlowDocument,
  replacements: Readonly<Record<string, string>>,
): FlowDocument {
  const swap = (id: unknown): string | null =>
    typeof id === 'string' && Object.hasOwn(replacements, id) ? (replacements[id] ?? null) : null;
  let changed = false;
  const nodes = document.nodes.map((node): FlowNode => {
    if (node.type === 'step') {
      const next = swap(node.data.teamId);
      if (next === null) return node;
      changed = true;
      return { ...node, data: { ...node.data, teamId: next } };
    }
    if (
      node.type === 'action' &&
      node.data.ops.some((op) => op.op === 'assign' && swap(op.teamId) !== null)
    ) {
      changed = true;
      const ops = node.data.ops.map((op) => {
        if (op.op !== 'assign') return op;
        const next = swap(op.teamId);
        return next === null ? op : { ...op, teamId: next };
      });
      return { ...node, data: { ...node.data, ops } };
    }
    return node;
  });
  return changed ? { ...document, nodes } : document;
}
