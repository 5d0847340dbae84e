import {
  type FlowDocument,
  proposeTeamChoices,
  replaceTeamIds,
  type TeamChoice,
  type TeamRef,
  type TemplateTeam,
  templateTeamsOf,
} from '@stepwise/flow';

export type { TeamRef } from '@stepwise/flow';

/** The value of a template team's select that stands for "create a team with the template's name". */
export const CREATE_TEAM = '+create';

/** One template team in the new-flow dialog: what it becomes, and what the select offers. */
export type TeamMappingRow = {
  team: TemplateTeam;
  /** The select's value: an existing team's id, `CREATE_TEAM`, or '' when there is nothing to pick. */
  value: string;
  options: ReadonlyArray<{ value: string; label: string }>;
};

/** The select value of a choice. */
function selectValue(choice: TeamChoice | null): string {
  if (choice === null) return '';
  return choice.kind === 'create' ? CREATE_TEAM : choice.teamId;
}

/**
 * The rows of the team mapping for a template: one per template team, its value the user's pick
 * (`picked`, by template team id) when it is still an option, else the proposal (the most similar team,
 * or a new team by the template's name). "Create" is offered when the user may create teams and no team
 * has that name already.
 */
export function teamMappingRows(
  document: FlowDocument,
  teams: readonly TeamRef[],
  canCreate: boolean,
  picked: Readonly<Record<string, string>> = {},
): TeamMappingRow[] {
  const templateTeams = templateTeamsOf(document);
  const proposed = proposeTeamChoices(templateTeams, teams, canCreate);
  return templateTeams.map((team) => {
    const exists = teams.some((t) => t.name.trim().toLowerCase() === team.name.toLowerCase());
    const options = [
      ...teams.map((t) => ({ value: t.id, label: t.name })),
      ...(canCreate && !exists ? [{ value: CREATE_TEAM, label: `Create team “${team.name}”` }] : []),
    ];
    const pick = Object.hasOwn(picked, team.id) ? picked[team.id] : undefined;
    const value =
      pick !== undefined && options.some((o) => o.value === pick)
        ? pick
        : selectValue(proposed[team.id] ?? null);
    return { team, value, options };
  });
}

/** Whether every template team has a team to become (an existing one or one to create). */
export function mappingComplete(rows: readonly TeamMappingRow[]): boolean {
  return rows.every((r) => r.value !== '');
}

/** The names of the teams to create before the flow, in row order. */
export function teamsToCreate(rows: readonly TeamMappingRow[]): string[] {
  return rows.filter((r) => r.value === CREATE_TEAM).map((r) => r.team.name);
}

/**
 * The template's document with every template team replaced by its team: the picked one, or the one
 * created for it (`created`, by name).
 */
export function mapTemplate(
  document: FlowDocument,
  rows: readonly TeamMappingRow[],
  created: Readonly<Record<string, string>> = {},
): FlowDocument {
  const replacements: Record<string, string> = {};
  for (const row of rows) {
    const id =
      row.value === CREATE_TEAM
        ? Object.hasOwn(created, row.team.name)
          ? created[row.team.name]
          : undefined
        : row.value;
    if (id === undefined || id === '')
      throw new Error(`the template team “${row.team.name}” has no team to become`);
    replacements[row.team.id] = id;
  }
  return replaceTeamIds(document, replacements);
}
