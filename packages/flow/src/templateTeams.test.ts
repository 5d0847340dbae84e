import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type FlowDocument, type FlowNode } from './schema.ts';
import {
  closestTeam,
  proposeTeamChoices,
  replaceTeamIds,
  TEAM_MATCH_THRESHOLD,
  teamNameSimilarity,
  templateTeamsOf,
} from './templateTeams.ts';
import { TEMPLATE_TEAMS, TEMPLATES } from './templates.ts';
import { validate } from './validate.ts';

const template = (id: string) => {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw new Error(`no template ${id}`);
  return t.document;
};

const step = (id: string, teamId: string | null): FlowNode => ({
  id,
  type: 'step',
  position: { x: 0, y: 0 },
  data: { title: id, instructions: '', checklist: [], form: [], teamId, slaMinutes: 5, outcomes: [] },
});

describe('teamNameSimilarity', () => {
  it.each([
    ['Billing', 'Billing'],
    ['Billing', 'billing'],
    ['Senior support', 'senior-support'],
    ['Billing', 'Billing team'],
    ['Customer success', 'The customer success department'],
    ['Équipe', 'equipe'],
  ])('given %j and %j, the same name up to case, punctuation and filler words, then 1', (a, b) => {
    expect(teamNameSimilarity(a, b)).toBe(1);
  });

  it('given one name inside the other, then 0.85 (containment)', () => {
    expect(teamNameSimilarity('Senior', 'Senior support')).toBe(0.85);
    expect(teamNameSimilarity('Technical', 'Tech')).toBe(0.85);
    // Too short to mean anything inside another word.
    expect(teamNameSimilarity('IT', 'Billing')).toBeLessThan(TEAM_MATCH_THRESHOLD);
  });

  it('given names sharing words, then the share of words counts (token overlap)', () => {
    // {customer, success} and {success, retention}: one word of three.
    expect(teamNameSimilarity('Customer success', 'Success retention')).toBeCloseTo(0.8 / 3, 5);
    expect(teamNameSimilarity('Tier 2 support', 'Support tier 2')).toBeCloseTo(0.8, 5);
  });

  it('given a misspelling, then the spelling counts (edit distance)', () => {
    // "biling" is one edit from "billing" (7 letters).
    expect(teamNameSimilarity('Biling', 'Billing')).toBeCloseTo((1 - 1 / 7) * 0.9, 5);
    expect(teamNameSimilarity('Techincal', 'Technical')).toBeGreaterThanOrEqual(TEAM_MATCH_THRESHOLD);
  });

  it('given unrelated names, then below the threshold', () => {
    for (const [a, b] of [
      ['Senior support', 'Billing'],
      ['Senior support', 'Technical'],
      ['Customer success', 'Billing'],
      ['Customer success', 'Technical'],
      ['Customer success', 'Customer support'],
    ] as const) {
      expect(teamNameSimilarity(a, b), `${a} / ${b}`).toBeLessThan(TEAM_MATCH_THRESHOLD);
    }
  });

  it('is symmetric and between 0 and 1', () => {
    const names = ['Billing', 'Senior support', 'Tech', 'Team', '', 'Customer success', 'Billing & Payments'];
    for (const a of names)
      for (const b of names) {
        const s = teamNameSimilarity(a, b);
        expect(s).toBe(teamNameSimilarity(b, a));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
  });
});

describe('templateTeamsOf', () => {
  it('given the escalation template, then its three teams in TEMPLATE_TEAMS order, counting steps and assignments', () => {
    expect(templateTeamsOf(template('escalation'))).toEqual([
      { id: 'team-billing', name: 'Billing', uses: 1 },
      { id: 'team-technical', name: 'Technical', uses: 1 },
      { id: 'team-senior', name: 'Senior support', uses: 4 },
    ]);
  });

  it('given ids that are not template teams, then they are not listed', () => {
    const doc: FlowDocument = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      fields: [],
      edges: [],
      notes: [],
      nodes: [step('a', '0b3f0d0e-real-team'), step('b', null), step('c', 'team-billing')],
    };
    expect(templateTeamsOf(doc)).toEqual([{ id: 'team-billing', name: 'Billing', uses: 1 }]);
  });
});

describe('proposeTeamChoices', () => {
  const DEMO = [
    { id: 'b', name: 'Billing' },
    { id: 't', name: 'Technical' },
  ];

  it('given similar teams, then they are proposed; given none, then a new team by the template name', () => {
    const choices = proposeTeamChoices(templateTeamsOf(template('proactive-check-in')), DEMO, true);
    expect(choices).toEqual({
      'team-billing': { kind: 'existing', teamId: 'b' },
      'team-technical': { kind: 'existing', teamId: 't' },
      'team-senior': { kind: 'create', name: 'Senior support' },
      'team-success': { kind: 'create', name: 'Customer success' },
    });
  });

  it('given a user who may not create teams, then the closest team is proposed anyway, or nothing without teams', () => {
    const teams = templateTeamsOf(template('onboarding'));
    const choices = proposeTeamChoices(teams, [{ id: 's', name: 'Senior' }], false);
    expect(choices['team-senior']).toEqual({ kind: 'existing', teamId: 's' });
    expect(choices['team-success']).toEqual({ kind: 'existing', teamId: 's' });
    expect(proposeTeamChoices(teams, [], false)['team-success']).toBeNull();
  });

  it('given two equally close teams, then the first of the list', () => {
    expect(
      closestTeam('Support', [
        { id: '1', name: 'Support A' },
        { id: '2', name: 'Support B' },
      ])?.team.id,
    ).toBe('1');
    expect(closestTeam('Support', [])).toBeNull();
  });
});

describe('replaceTeamIds', () => {
  it.each(TEMPLATES.map((t) => [t.id, t.document] as const))(
    'given the %s template, when every template team is replaced, then no template id is left and it still validates',
    (_id, document) => {
      const replacements = Object.fromEntries(TEMPLATE_TEAMS.map((t, i) => [t.id, `org-team-${i}`]));
      const mapped = replaceTeamIds(document, replacements);
      expect(templateTeamsOf(mapped)).toEqual([]);
      expect(JSON.stringify(mapped)).not.toMatch(/"team-(billing|technical|senior|success)"/);
      expect(validate(mapped)).toEqual(validate(document));
      expect(mapped.edges).toBe(document.edges);
    },
  );

  it('given an assign action and steps, when replaced, then only the named ids change and untouched nodes stay the same objects', () => {
    const action: FlowNode = {
      id: 'x',
      type: 'action',
      position: { x: 0, y: 0 },
      data: {
        label: 'Hand over',
        ops: [
          { op: 'assign', teamId: 'team-senior', strategy: 'least_loaded' },
          { op: 'assign', teamId: 'keep-me', strategy: 'team' },
          { op: 'add_tag', tag: 'vip' },
        ],
      },
    };
    const other = step('b', 'keep-me');
    const none = step('c', null);
    const doc: FlowDocument = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      fields: [],
      edges: [],
      notes: [],
      nodes: [step('a', 'team-senior'), action, other, none],
    };
    const mapped = replaceTeamIds(doc, { 'team-senior': 'S' });
    const [a, x, b, c] = mapped.nodes;
    expect(a?.type === 'step' && a.data.teamId).toBe('S');
    expect(x?.type === 'action' && x.data.ops).toEqual([
      { op: 'assign', teamId: 'S', strategy: 'least_loaded' },
      { op: 'assign', teamId: 'keep-me', strategy: 'team' },
      { op: 'add_tag', tag: 'vip' },
    ]);
    expect(b).toBe(other);
    expect(c).toBe(none);
    expect(replaceTeamIds(doc, { nothing: 'here' })).toBe(doc);
    // A team id that is a key of every object (`toString`) is not a replacement unless given.
    const odd = { ...doc, nodes: [step('z', 'toString')] };
    expect(replaceTeamIds(odd, {})).toBe(odd);
  });
});
