import { readFileSync } from 'node:fs';
import { type FlowDocument, type NodeOf, type NodeType, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { importDrawio } from './drawioImport.ts';
import { detectFormat, importDiagram } from './importDiagram.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const TEAMS = [
  { id: 'team-billing', name: 'Billing' },
  { id: 'team-tech', name: 'Technical' },
];

function node<T extends NodeType>(document: FlowDocument, id: string, type: T): NodeOf<T> {
  const found = document.nodes.find((n) => n.id === id);
  expect(found?.type).toBe(type);
  return found as NodeOf<T>;
}
const edgesFrom = (document: FlowDocument, id: string) =>
  document.edges.filter((e) => e.source === id).map((e) => `${e.sourceHandle} → ${e.target}`);

function imported(name: string) {
  const result = importDrawio(fixture(name), { teams: TEAMS });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

describe('a plain draw.io diagram with swimlanes (triage.drawio)', () => {
  // Given a triage process drawn in draw.io: two swimlanes, an ellipse start, a terminator end, a
  // rhombus with labelled connectors (one label a separate label cell), a database shape and a text
  const { document, report, name } = imported('triage.drawio');

  it('names the draft after the page', () => expect(name).toBe('Ticket triage'));

  it('maps the ellipse to Start and the terminator to End by their connections', () => {
    expect(node(document, 'start', 'start').data.label).toBe('New ticket');
    expect(node(document, 'done', 'end').data.label).toBe('Resolved');
  });

  it('maps rectangles to Steps, HTML labels to text, connector labels to outcomes, swimlanes to teams', () => {
    const read = node(document, 'read', 'step');
    expect(read.data.title).toBe('Read the request and categorise');
    expect(read.data.teamId).toBeNull();
    const check = node(document, 'refund', 'step');
    expect(check.data.teamId).toBe('team-billing');
    expect(check.data.outcomes).toEqual([
      { id: 'refunded', label: 'Refunded' },
      { id: 'not_ours', label: 'Not ours' },
    ]);
    expect(edgesFrom(document, 'refund')).toEqual(['outcome:refunded → done', 'outcome:not_ours → answer']);
  });

  it('maps the rhombus to a Decision: labels are branch names, a readable label its condition, "Otherwise" the default', () => {
    const decision = node(document, 'kind', 'decision');
    expect(decision.data.branches).toEqual([
      { id: 'billing', label: 'Billing', condition: { kind: 'group', combinator: 'any', rules: [] } },
      {
        id: 'priority_urgent',
        label: 'priority = "urgent"',
        condition: {
          kind: 'group',
          combinator: 'all',
          rules: [{ kind: 'comparison', field: 'priority', operator: 'equals', value: 'urgent' }],
        },
      },
    ]);
    expect(edgesFrom(document, 'kind')).toEqual([
      'branch:billing → refund',
      'default → answer',
      'branch:priority_urgent → answer',
    ]);
  });

  it('keeps positions (absolute, at canvas scale) and the text as a note', () => {
    // The start sits at (40, 80) inside the lane at (40, 40).
    expect(node(document, 'start', 'start').position).toEqual({ x: 160, y: 240 });
    expect(document.notes).toEqual([
      {
        id: 'hint',
        position: { x: 1240, y: 960 },
        text: 'Billing answers within a day',
        width: 360,
        height: 60,
      },
    ]);
  });

  it('reports the database shape, the branch without a condition and the lane with no team', () => {
    expect(document.nodes.some((n) => n.id === 'db')).toBe(false);
    expect(report.map((r) => [r.severity, r.element])).toEqual([
      ['unmapped', 'db'],
      ['review', 'e3'],
      ['unmapped', 'e9'],
      ['review', 'Support'],
    ]);
    expect(report[0]?.message).toContain('cylinder3');
  });
});

describe('a compressed draw.io file (refund-compressed.drawio)', () => {
  const compressed = imported('refund-compressed.drawio');

  it('reads the same diagram as its plain form', () => {
    const plain = importDrawio(fixture('refund-plain.xml'), { teams: TEAMS });
    expect(plain.ok && plain.document).toEqual(compressed.document);
  });

  it('maps terminator, object-wrapped step, flowchart decision, predefined process, delay and ellipse', () => {
    const { document } = compressed;
    expect(document.nodes.map((n) => [n.id, n.type])).toEqual([
      ['s', 'start'],
      ['verify', 'step'],
      ['eligible', 'decision'],
      ['pay', 'subflow'],
      ['cool', 'wait'],
      ['end', 'end'],
    ]);
    expect(node(document, 'verify', 'step').data.title).toBe('Verify the purchase');
    expect(node(document, 'eligible', 'decision').data.branches[0]?.condition).toEqual({
      kind: 'group',
      combinator: 'all',
      rules: [{ kind: 'comparison', field: 'customer.tier', operator: 'in', value: ['vip', 'existing'] }],
    });
    expect(edgesFrom(document, 'eligible')).toEqual([
      'branch:customer_tier_in_vip_existing → pay',
      'default → cool',
    ]);
  });

  it('reports the second page and what to fill in; validation agrees', () => {
    expect(compressed.report.map((r) => r.element)).toEqual(['p2', 'pay', 'cool']);
    const codes = validate(compressed.document).map((i) => i.code);
    expect(codes).toContain('SUBFLOW_WITHOUT_TARGET');
    expect(codes).toContain('WAIT_WITHOUT_DURATION');
  });
});

describe('telling formats apart and refusing bad files', () => {
  it('detects BPMN and draw.io by content', () => {
    expect(detectFormat(fixture('camunda-returns.bpmn'))).toBe('bpmn');
    expect(detectFormat(fixture('triage.drawio'))).toBe('drawio');
    expect(detectFormat(fixture('refund-plain.xml'))).toBe('drawio');
    expect(detectFormat('{"nodes":[]}')).toBeNull();
  });

  it.each([
    ['not XML', 'hello'],
    ['other XML', '<svg></svg>'],
    ['broken compressed page', '<mxfile><diagram id="a">not base64 deflate!!</diagram></mxfile>'],
    ['unclosed', '<mxfile><diagram id="a"><mxGraphModel><root>'],
    ['no pages', '<mxfile></mxfile>'],
  ])('%s is refused with a problem', async (_, text) => {
    const result = await importDiagram(text, { format: 'drawio' });
    expect(result.ok).toBe(false);
  });

  it('refuses an unknown format without a format given', async () => {
    expect(await importDiagram('hello')).toEqual({
      ok: false,
      problems: [expect.objectContaining({ code: 'UNKNOWN_FORMAT' })],
    });
  });
});
