import { type FlowDocument, kindLabel, NODE_TYPES, TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { fileNameFor, flowSvg, type KindColors } from './flowImage.ts';

const COLORS = Object.fromEntries(
  NODE_TYPES.map((t, i) => [t, { fg: `#00000${i}`, bg: `#ffffe${i}`, border: `#11111${i}` }]),
) as KindColors;

describe('flowSvg', () => {
  const template = TEMPLATES[0]!;
  const svg = flowSvg(template.document, { title: template.name, colors: COLORS });

  it('draws every node in its kind’s colours, every connection, and the title', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g class="node node-/g)?.length).toBe(template.document.nodes.length);
    expect(svg.match(/<path class="edge"/g)?.length).toBe(template.document.edges.length);
    for (const node of template.document.nodes)
      expect(svg).toContain(`class="node node-${node.type}"><rect x="`);
    expect(svg).toContain(`fill="${COLORS.step.bg}" stroke="${COLORS.step.border}"`);
    expect(svg).toContain(`<title>${template.name}</title>`);
  });

  it('has a legend of exactly the kinds the flow uses', () => {
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    const used = NODE_TYPES.filter((t) => template.document.nodes.some((n) => n.type === t));
    for (const type of NODE_TYPES) {
      const shown = legend.includes(`>${kindLabel(type)}</text>`);
      expect(shown).toBe(used.includes(type));
    }
  });

  it('escapes names, so a node called <script> is text', () => {
    const document: FlowDocument = {
      schemaVersion: 3,
      fields: [],
      nodes: [
        {
          id: 'e',
          type: 'end',
          position: { x: 0, y: 0 },
          data: { label: '<script>alert(1)</script> & "x"', status: 'resolved', feedback: false },
        },
      ],
      edges: [],
      notes: [],
    };
    const picture = flowSvg(document, { title: 'A & B', colors: COLORS });
    expect(picture).not.toContain('<script>');
    expect(picture).toContain('&lt;script&gt;');
    expect(picture).toContain('<title>A &amp; B</title>');
  });

  it('names files after the flow', () => {
    expect(fileNameFor('Refund request v2', 'png')).toBe('refund-request-v2.png');
    expect(fileNameFor('***', 'svg')).toBe('flow.svg');
  });
});
