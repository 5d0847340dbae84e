import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { LIMITS, parseFlowDocument, seededRandom } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { importDiagram } from './importDiagram.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const SEEDS = [
  fixture('camunda-returns.bpmn'),
  fixture('triage.drawio'),
  fixture('refund-plain.xml'),
  fixture('refund-compressed.drawio'),
];
/** Pieces a hostile or broken file is made of. */
const SNIPPETS = [
  '<',
  '>',
  '/>',
  '"',
  '&amp;',
  '&#0;',
  '&#xD800;',
  '&unknown;',
  '<![CDATA[x]]>',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  '<!-- c -->',
  '<bpmn:userTask id="Task_check" name="dup"/>',
  '<bpmn:sequenceFlow id="F" sourceRef="Task_check" targetRef="Task_check"/>',
  '<bpmn:exclusiveGateway id="G" default="nope"/>',
  '<bpmn:boundaryEvent id="B" attachedToRef="StartEvent_1"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>',
  '<bpmn:conditionExpression>${((((</bpmn:conditionExpression>',
  '<mxCell id="0" parent="0" vertex="1" style="rhombus"/>',
  '<mxCell id="x" edge="1" source="x" target="x"/>',
  '<mxCell id="__proto__" vertex="1" parent="__proto__"/>',
  'constructor',
  '\u0000',
  '\uD800',
  'x'.repeat(300),
  ' id="dup"',
  ' parent="1"',
  ' style="swimlane"',
];

/** One mutation of `text`: cut, repeat, insert a snippet, flip characters, or truncate. */
function mutate(text: string, random: () => number): string {
  const at = () => Math.floor(random() * (text.length + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  switch (Math.floor(random() * 6)) {
    case 0: {
      const a = at();
      return text.slice(0, a) + text.slice(a + Math.floor(random() * 200));
    }
    case 1: {
      const a = at();
      const piece = text.slice(a, a + Math.floor(random() * 400));
      return text.slice(0, a) + piece + piece + text.slice(a + piece.length);
    }
    case 2: {
      const a = at();
      return text.slice(0, a) + pick(SNIPPETS) + text.slice(a);
    }
    case 3: {
      const chars = [...text];
      for (let i = 0; i < 5; i++) {
        const k = Math.floor(random() * chars.length);
        chars[k] = pick(['<', '>', '"', '=', '/', 'a', '1', ' ', '&', ';']);
      }
      return chars.join('');
    }
    case 4:
      return text.slice(0, at());
    default: {
      // A re-compressed page: the compressed path sees broken content too.
      const inner = encodeURIComponent(text.slice(0, at()).replace(/[\uD800-\uDFFF]/g, '?'));
      return `<mxfile><diagram id="f">${deflateRawSync(Buffer.from(inner)).toString('base64')}</diagram></mxfile>`;
    }
  }
}

describe('importing fuzzed files', () => {
  it('never throws, and either refuses with problems or gives a document the API accepts (10,000 seeded cases)', async () => {
    const random = seededRandom(20261207);
    let accepted = 0;
    for (let n = 0; n < 10_000; n++) {
      let text = SEEDS[n % SEEDS.length]!;
      const rounds = 1 + Math.floor(random() * 3);
      for (let r = 0; r < rounds; r++) text = mutate(text, random);
      const format =
        random() < 0.2
          ? undefined
          : text.includes('mxGraphModel') || text.includes('mxfile')
            ? 'drawio'
            : 'bpmn';
      const outcome = await importDiagram(text, { format, teams: [{ id: 't1', name: 'Billing' }] });
      if (outcome.ok) {
        accepted++;
        expect(parseFlowDocument(outcome.document).ok).toBe(true);
        expect(outcome.document.nodes.length).toBeLessThanOrEqual(LIMITS.maxNodes);
      } else {
        expect(outcome.problems.length).toBeGreaterThan(0);
        for (const p of outcome.problems) expect(p.message.length).toBeGreaterThan(0);
      }
    }
    // Both ways are exercised: many mutants still read, many are refused.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(10_000);
  }, 120_000);
});
