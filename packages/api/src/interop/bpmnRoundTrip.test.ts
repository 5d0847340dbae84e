import { diffDocuments, type FlowDocument, generateFlow, TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { exportBpmn } from './bpmnExport.ts';
import { importBpmn } from './bpmnImport.ts';
import { createModdle } from './bpmnModel.ts';

async function roundTrip(document: FlowDocument, name: string) {
  const xml = await exportBpmn(document, { name });
  const back = await importBpmn(xml);
  if (!back.ok) throw new Error(JSON.stringify(back.problems));
  return { xml, back };
}

describe('BPMN export → import', () => {
  for (const template of TEMPLATES) {
    it(`gives back the "${template.name}" template unchanged`, async () => {
      // Given a template; when it is exported as BPMN and imported again
      const { back } = await roundTrip(template.document, template.name);
      // Then nothing differs, not even a position, and nothing is reported
      const diff = diffDocuments(template.document, back.document);
      expect(diff.isEmpty, JSON.stringify(diff, null, 1)).toBe(true);
      expect(back.document).toEqual(template.document);
      expect(back.report).toEqual([]);
      expect(back.name).toBe(template.name);
    });
  }

  it('gives back generated flows unchanged (odd ids, notes, every kind)', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const document = generateFlow(20 + seed * 7, seed);
      const { back } = await roundTrip(document, `Generated ${seed}`);
      expect(diffDocuments(document, back.document).isEmpty).toBe(true);
      expect(back.document).toEqual(document);
    }
  }, 30_000);
});

describe('the exported XML', () => {
  it('is BPMN that bpmn-moddle reads back without warnings, with a shape for every node and a path for every edge', async () => {
    const template = TEMPLATES.find((t) =>
      t.document.nodes.some((n) => n.type === 'step' && n.data.slaMinutes !== null),
    )!;
    const xml = await exportBpmn(template.document, { name: template.name });
    const { rootElement, warnings } = await createModdle().fromXML(xml);
    expect(warnings).toEqual([]);
    const definitions = rootElement as unknown as {
      rootElements: Array<{
        $type: string;
        flowElements: Array<{ $type: string; id: string; attachedToRef?: { id: string } }>;
      }>;
      diagrams: Array<{ plane: { planeElement: Array<{ $type: string; bpmnElement: { id: string } }> } }>;
    };
    const process = definitions.rootElements.find((r) => r.$type === 'bpmn:Process')!;
    const shapes = definitions.diagrams[0]!.plane.planeElement;
    const withShape = new Set(
      shapes.filter((s) => s.$type === 'bpmndi:BPMNShape').map((s) => s.bpmnElement.id),
    );
    const withEdge = new Set(
      shapes.filter((s) => s.$type === 'bpmndi:BPMNEdge').map((s) => s.bpmnElement.id),
    );
    for (const element of process.flowElements) {
      if (element.$type === 'bpmn:SequenceFlow') expect(withEdge.has(element.id)).toBe(true);
      else expect(withShape.has(element.id)).toBe(true);
    }
    const types = new Set(process.flowElements.map((e) => e.$type));
    expect(types).toContain('bpmn:StartEvent');
    expect(types).toContain('bpmn:UserTask');
    expect(types).toContain('bpmn:EndEvent');
    expect(types).toContain('bpmn:BoundaryEvent');
    expect(xml).toContain('xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"');
    expect(xml).toMatch(/<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT\d+M<\/bpmn:timeDuration>/);
  });
});
