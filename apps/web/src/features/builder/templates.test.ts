import { TEMPLATES, templateTeamsOf, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { teamIssues } from './teamIssues.ts';
import { CREATE_TEAM, mapTemplate, mappingComplete, teamMappingRows, teamsToCreate } from './templates.ts';

/** The demo organization's teams (Acme Support: Billing and Technical). */
const DEMO_TEAMS = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'Billing' },
  { id: '22222222-2222-4222-8222-222222222222', name: 'Technical' },
];

const byId = (id: string) => {
  const template = TEMPLATES.find((t) => t.id === id);
  if (!template) throw new Error(`no template ${id}`);
  return template.document;
};

describe('teamMappingRows', () => {
  it('given the escalation template and the demo teams, then Billing and Technical map by name and Senior support is to be created', () => {
    const rows = teamMappingRows(byId('escalation'), DEMO_TEAMS, true);
    expect(rows.map((r) => [r.team.name, r.value])).toEqual([
      ['Billing', DEMO_TEAMS[0]?.id],
      ['Technical', DEMO_TEAMS[1]?.id],
      ['Senior support', CREATE_TEAM],
    ]);
    // Every row offers every team of the organization, and creating its own team.
    expect(rows[2]?.options).toEqual([
      { value: DEMO_TEAMS[0]?.id, label: 'Billing' },
      { value: DEMO_TEAMS[1]?.id, label: 'Technical' },
      { value: CREATE_TEAM, label: 'Create team “Senior support”' },
    ]);
    expect(teamsToCreate(rows)).toEqual(['Senior support']);
  });

  it('given a pick, then it wins over the proposal; a pick that is no longer an option falls back to the proposal', () => {
    const technical = DEMO_TEAMS[1]?.id ?? '';
    const rows = teamMappingRows(byId('escalation'), DEMO_TEAMS, true, {
      'team-senior': technical,
      'team-billing': 'a-deleted-team',
    });
    expect(rows.map((r) => r.value)).toEqual([DEMO_TEAMS[0]?.id, technical, technical]);
    expect(teamsToCreate(rows)).toEqual([]);
  });

  it('given a user who may not create teams, then no create option, and the closest team preselected', () => {
    const rows = teamMappingRows(byId('onboarding'), DEMO_TEAMS, false);
    expect(rows.every((r) => r.options.every((o) => o.value !== CREATE_TEAM))).toBe(true);
    expect(rows.every((r) => DEMO_TEAMS.some((t) => t.id === r.value))).toBe(true);
    expect(mappingComplete(rows)).toBe(true);
    expect(mappingComplete(teamMappingRows(byId('onboarding'), [], false))).toBe(false);
  });

  it('given a team named like the template team in another case, then it is preselected and not created again', () => {
    const rows = teamMappingRows(
      byId('escalation'),
      [...DEMO_TEAMS, { id: 's', name: 'senior SUPPORT' }],
      true,
    );
    expect(rows[2]?.value).toBe('s');
    expect(rows[2]?.options.some((o) => o.value === CREATE_TEAM)).toBe(false);
  });
});

describe('a template in the demo organization, with the default mapping', () => {
  it.each(TEMPLATES.map((t) => [t.id, t.document] as const))(
    'given the %s template, when created with the proposed teams, then it has no errors and names only teams of the organization',
    (_id, document) => {
      // Given the demo teams and the proposal
      const rows = teamMappingRows(document, DEMO_TEAMS, true);
      expect(mappingComplete(rows)).toBe(true);
      // When the teams to create are created and the template is mapped
      const created = Object.fromEntries(
        teamsToCreate(rows).map((name, i) => [
          name,
          `33333333-3333-4333-8333-${String(i).padStart(12, '0')}`,
        ]),
      );
      const mapped = mapTemplate(document, rows, created);
      const teams = [...DEMO_TEAMS, ...Object.entries(created).map(([name, id]) => ({ id, name }))];
      // Then nothing is left of the template's teams, and the builder sees no error
      expect(templateTeamsOf(mapped)).toEqual([]);
      // A step that keeps the ticket's current team names none, before and after mapping.
      for (const node of mapped.nodes)
        if (node.type === 'step' && node.data.teamSource === 'current') expect(node.data.teamId).toBeNull();
      expect(validate(mapped).filter((i) => i.severity === 'error')).toEqual([]);
      expect(teamIssues(mapped, teams)).toEqual([]);
    },
  );

  it('given the refund template, when mapped onto Billing, then only team ids change', () => {
    const template = byId('refund-request');
    const mapped = mapTemplate(template, teamMappingRows(template, DEMO_TEAMS, true));
    expect(mapped.edges).toBe(template.edges);
    const verify = mapped.nodes.find((n) => n.id === 'verify');
    expect(verify?.type === 'step' && verify.data.teamId).toBe(DEMO_TEAMS[0]?.id);
    const original = template.nodes.find((n) => n.id === 'verify');
    expect({ ...verify, data: { ...verify?.data, teamId: null } }).toEqual({
      ...original,
      data: { ...original?.data, teamId: null },
    });
  });

  it('given a team to create that was not created, when mapped, then it refuses rather than keep the template id', () => {
    const template = byId('escalation');
    expect(() => mapTemplate(template, teamMappingRows(template, DEMO_TEAMS, true), {})).toThrow(
      /Senior support/,
    );
  });
});

describe('teamIssues', () => {
  it('given a step and an assignment naming unknown teams, when checked against the organization, then both are errors on their nodes', () => {
    const issues = teamIssues(byId('ticket-resolution'), DEMO_TEAMS);
    expect(issues.length).toBeGreaterThan(1);
    expect(
      issues.every((i) => i.code === 'UNKNOWN_TEAM' && i.severity === 'error' && i.nodeIds.length === 1),
    ).toBe(true);
    expect(teamIssues(byId('ticket-resolution'), undefined)).toEqual([]);
  });
});
