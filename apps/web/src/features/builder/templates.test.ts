import { CURRENT_SCHEMA_VERSION, TEMPLATES, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { teamIssues } from './teamIssues.ts';
import { mapTemplateTeams, placeholderKey } from './templates.ts';

const TEAMS = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'Billing' },
  { id: '22222222-2222-4222-8222-222222222222', name: 'Technical' },
];

describe('mapTemplateTeams', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    'given the %s template and an organization with its teams, when mapped, then every placeholder becomes a team id and the flow validates',
    (_id, template) => {
      const used = new Set<string>();
      for (const node of template.document.nodes) {
        if (node.type === 'step' && node.data.teamId) used.add(node.data.teamId);
        if (node.type === 'action')
          for (const op of node.data.ops) if (op.op === 'assign') used.add(op.teamId);
      }
      const teams = [...used].map((placeholder, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: placeholderKey(placeholder).replace(/^./, (c) => c.toUpperCase()),
      }));
      const { document, missing } = mapTemplateTeams(template.document, teams);
      expect(missing).toEqual([]);
      for (const node of document.nodes) {
        if (node.type !== 'step') continue;
        // A step set to the ticket's current team names none.
        if (node.data.teamSource === 'current') expect(node.data.teamId).toBeNull();
        else expect(teams.map((t) => t.id)).toContain(node.data.teamId);
      }
      expect(validate(document).filter((i) => i.severity === 'error')).toEqual([]);
      expect(teamIssues(document, teams)).toEqual([]);
    },
  );

  it('given the refund template, when mapped onto Billing and Technical, then only team ids change', () => {
    const template = TEMPLATES.find((t) => t.id === 'refund-request');
    if (!template) throw new Error('the refund template is missing');
    const { document } = mapTemplateTeams(template.document, TEAMS);
    expect(document.edges).toBe(template.document.edges);
    const verify = document.nodes.find((n) => n.id === 'verify');
    expect(verify?.type === 'step' && verify.data.teamId).toBe(TEAMS[0]?.id);
    const original = template.document.nodes.find((n) => n.id === 'verify');
    expect({ ...verify, data: { ...verify?.data, teamId: null } }).toEqual({
      ...original,
      data: { ...original?.data, teamId: null },
    });
  });

  it('given an organization without a Billing team, when mapped, then billing steps have no team, the placeholder is reported and validation asks for a team', () => {
    const template = TEMPLATES.find((t) => t.id === 'refund-request');
    if (!template) throw new Error('the refund template is missing');
    const { document, missing } = mapTemplateTeams(template.document, [TEAMS[1] ?? { id: 'x', name: 'x' }]);
    expect(missing).toEqual(['team-billing']);
    const verify = document.nodes.find((n) => n.id === 'verify');
    expect(verify?.type === 'step' && verify.data.teamId).toBeNull();
    expect(
      validate(document).some((i) => i.code === 'STEP_WITHOUT_TEAM' && i.nodeIds.includes('verify')),
    ).toBe(true);
  });

  it('given team names in another case or spacing, when matched, then they still map', () => {
    expect(placeholderKey('team-senior-support')).toBe('seniorsupport');
    const { missing } = mapTemplateTeams(
      {
        schemaVersion: CURRENT_SCHEMA_VERSION,
        fields: [],
        notes: [],
        edges: [],
        nodes: [
          {
            id: 's',
            type: 'step',
            position: { x: 0, y: 0 },
            data: {
              title: 'S',
              instructions: '',
              checklist: [],
              form: [],
              teamId: 'team-senior-support',
              slaMinutes: null,
              outcomes: [],
            },
          },
        ],
      },
      [{ id: 'a', name: 'Senior Support' }],
    );
    expect(missing).toEqual([]);
  });
});

describe('teamIssues', () => {
  it('given a step and an assignment naming unknown teams, when checked against the organization, then both are errors on their nodes', () => {
    const template = TEMPLATES.find((t) => t.id === 'ticket-resolution');
    if (!template) throw new Error('the ticket resolution template is missing');
    const issues = teamIssues(template.document, TEAMS);
    expect(issues.length).toBeGreaterThan(1);
    expect(
      issues.every((i) => i.code === 'UNKNOWN_TEAM' && i.severity === 'error' && i.nodeIds.length === 1),
    ).toBe(true);
    expect(teamIssues(template.document, undefined)).toEqual([]);
  });
});
