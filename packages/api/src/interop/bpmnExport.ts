import { type Edge, type FlowDocument, type FlowNode, nameOf } from '@stepwise/flow';
import {
  BPMN_TYPE_OF,
  type BpmnElement,
  createModdle,
  DI_SCALE,
  isoMinutes,
  SHAPE_SIZE,
} from './bpmnModel.ts';
import { formatConditionExpression } from './conditionExpression.ts';

export type BpmnExportOptions = {
  /** The flow's name: the process's name. */
  name: string;
  /** The organization's team names by id: steps are put in a lane per team. */
  teamNames?: ReadonlyMap<string, string>;
};

const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Turns Stepwise ids (which may hold `:` or start with a digit) into unique XML ids. */
function idMaker(): (id: string, prefix?: string) => string {
  const used = new Set<string>();
  return (id, prefix = '') => {
    const base = NCNAME.test(prefix + id)
      ? prefix + id
      : `_${(prefix + id).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    return candidate;
  };
}

/** The label a sequence flow carries: the output's name (an outcome, a branch), none for `next`. */
function flowName(source: FlowNode, handle: string): string | undefined {
  if (source.type === 'step' && handle.startsWith('outcome:')) {
    return source.data.outcomes.find((o) => `outcome:${o.id}` === handle)?.label;
  }
  if (source.type === 'decision') {
    if (handle === 'default') return 'Otherwise';
    return source.data.branches.find((b) => `branch:${b.id}` === handle)?.label;
  }
  if (handle === 'timeout') return 'Timeout';
  if (handle === 'sla_breach') return 'SLA breached';
  return undefined;
}

/**
 * A flow document as BPMN 2.0 XML with diagram interchange, readable by Camunda Modeler and bpmn-js:
 * start → start event, step → user task (documentation = instructions, SLA = interrupting boundary
 * timer whose flow is the breach output), decision → exclusive gateway (conditions as FEEL, the
 * default flow marked), action → service task, notify → send task, wait → intermediate timer or
 * message catch event, subflow → call activity, end → end event, notes → text annotations, teams →
 * lanes. What BPMN cannot say rides along in Stepwise extension elements (see `bpmnModel.ts`).
 */
export async function exportBpmn(document: FlowDocument, options: BpmnExportOptions): Promise<string> {
  const moddle = createModdle();
  const create = (type: string, attrs: Record<string, unknown> = {}) => moddle.create(type, attrs);
  const xmlId = idMaker();
  const processId = xmlId('Process_stepwise');

  const flowElements: BpmnElement[] = [];
  const shapes: BpmnElement[] = [];
  const edgesDi: BpmnElement[] = [];
  const artifacts: BpmnElement[] = [];
  const elementOf = new Map<string, BpmnElement>();
  const boundsOf = new Map<string, { x: number; y: number; width: number; height: number }>();
  const breachEventOf = new Map<string, BpmnElement>();

  for (const node of document.nodes) {
    const id = xmlId(node.id);
    const attrs: Record<string, unknown> = { id, name: nameOf(node) };
    const extension = create('stepwise:Node', {
      stepwiseId: node.id,
      kind: node.type,
      data: JSON.stringify(node.data),
    });
    attrs.extensionElements = create('bpmn:ExtensionElements', { values: [extension] });
    if (node.type === 'step' && node.data.instructions.trim() !== '') {
      attrs.documentation = [create('bpmn:Documentation', { text: node.data.instructions })];
    }
    if (node.type === 'wait') {
      attrs.eventDefinitions = [
        node.data.mode === 'duration'
          ? create('bpmn:TimerEventDefinition', {
              timeDuration: create('bpmn:FormalExpression', { body: isoMinutes(node.data.minutes ?? 1) }),
            })
          : create('bpmn:MessageEventDefinition'),
      ];
    }
    if (node.type === 'subflow' && node.data.flowId !== null) attrs.calledElement = node.data.flowId;
    const element = create(BPMN_TYPE_OF[node.type], attrs);
    elementOf.set(node.id, element);
    flowElements.push(element);
    const size = SHAPE_SIZE[node.type];
    const bounds = { x: node.position.x * DI_SCALE, y: node.position.y * DI_SCALE, ...size };
    boundsOf.set(node.id, bounds);
    shapes.push(
      create('bpmndi:BPMNShape', {
        id: `${id}_di`,
        bpmnElement: element,
        bounds: create('dc:Bounds', bounds),
        ...(node.type === 'decision' ? { isMarkerVisible: true } : {}),
      }),
    );

    if (node.type === 'step' && node.data.slaMinutes !== null) {
      const boundaryId = xmlId(node.id, 'SLA_');
      const boundary = create('bpmn:BoundaryEvent', {
        id: boundaryId,
        name: `SLA ${node.data.slaMinutes} min`,
        attachedToRef: element,
        cancelActivity: true,
        eventDefinitions: [
          create('bpmn:TimerEventDefinition', {
            timeDuration: create('bpmn:FormalExpression', { body: isoMinutes(node.data.slaMinutes) }),
          }),
        ],
      });
      breachEventOf.set(node.id, boundary);
      flowElements.push(boundary);
      const b = { x: bounds.x + bounds.width - 28, y: bounds.y + bounds.height - 18, width: 36, height: 36 };
      boundsOf.set(`${node.id}\u0000sla`, b);
      shapes.push(
        create('bpmndi:BPMNShape', {
          id: `${boundaryId}_di`,
          bpmnElement: boundary,
          bounds: create('dc:Bounds', b),
        }),
      );
    }
  }

  const nodeById = new Map(document.nodes.map((n) => [n.id, n]));
  const defaultFlowOf = new Map<string, BpmnElement>();
  const emitEdge = (edge: Edge) => {
    const source = nodeById.get(edge.source);
    const sourceElement =
      edge.sourceHandle === 'sla_breach' ? breachEventOf.get(edge.source) : elementOf.get(edge.source);
    const targetElement = elementOf.get(edge.target);
    // A dangling edge (a draft's work in progress) has no place in BPMN: a flow needs both ends.
    if (!source || !sourceElement || !targetElement) return;
    const id = xmlId(edge.id, 'Flow_');
    const attrs: Record<string, unknown> = {
      id,
      sourceRef: sourceElement,
      targetRef: targetElement,
      extensionElements: create('bpmn:ExtensionElements', {
        values: [create('stepwise:Edge', { stepwiseId: edge.id, handle: edge.sourceHandle })],
      }),
    };
    const name = flowName(source, edge.sourceHandle);
    if (name !== undefined) attrs.name = name;
    if (source.type === 'decision' && edge.sourceHandle.startsWith('branch:')) {
      const branch = source.data.branches.find((b) => `branch:${b.id}` === edge.sourceHandle);
      if (branch) {
        attrs.conditionExpression = create('bpmn:FormalExpression', {
          body: formatConditionExpression(branch.condition),
        });
      }
    }
    const flow = create('bpmn:SequenceFlow', attrs);
    if (source.type === 'decision' && edge.sourceHandle === 'default') defaultFlowOf.set(edge.source, flow);
    const outgoing = (sourceElement.outgoing as BpmnElement[] | undefined) ?? [];
    sourceElement.outgoing = [...outgoing, flow];
    const incoming = (targetElement.incoming as BpmnElement[] | undefined) ?? [];
    targetElement.incoming = [...incoming, flow];
    flowElements.push(flow);
    const from =
      edge.sourceHandle === 'sla_breach'
        ? boundsOf.get(`${edge.source}\u0000sla`)
        : boundsOf.get(edge.source);
    const to = boundsOf.get(edge.target);
    if (from && to) {
      edgesDi.push(
        create('bpmndi:BPMNEdge', {
          id: `${id}_di`,
          bpmnElement: flow,
          waypoint: [
            create('dc:Point', { x: from.x + from.width / 2, y: from.y + from.height }),
            create('dc:Point', { x: to.x + to.width / 2, y: to.y }),
          ],
        }),
      );
    }
  };
  for (const edge of document.edges) emitEdge(edge);
  for (const [nodeId, flow] of defaultFlowOf) {
    const gateway = elementOf.get(nodeId);
    if (gateway) gateway.default = flow;
  }

  for (const note of document.notes) {
    const id = xmlId(note.id, 'Note_');
    const size = { width: note.width ?? 200, height: note.height ?? 60 };
    const annotation = create('bpmn:TextAnnotation', {
      id,
      text: note.text,
      extensionElements: create('bpmn:ExtensionElements', {
        values: [
          create('stepwise:Note', {
            stepwiseId: note.id,
            data: JSON.stringify({ width: note.width, height: note.height }),
          }),
        ],
      }),
    });
    artifacts.push(annotation);
    shapes.push(
      create('bpmndi:BPMNShape', {
        id: `${id}_di`,
        bpmnElement: annotation,
        bounds: create('dc:Bounds', {
          x: note.position.x * DI_SCALE,
          y: note.position.y * DI_SCALE,
          width: size.width * DI_SCALE,
          height: size.height * DI_SCALE,
        }),
      }),
    );
  }

  // One lane per team that works a step, so other tools show who does what.
  const lanes: BpmnElement[] = [];
  const stepsByTeam = new Map<string, BpmnElement[]>();
  for (const node of document.nodes) {
    if (node.type !== 'step' || node.data.teamSource === 'current' || node.data.teamId === null) continue;
    const element = elementOf.get(node.id);
    if (!element) continue;
    const list = stepsByTeam.get(node.data.teamId) ?? [];
    list.push(element);
    const boundary = breachEventOf.get(node.id);
    if (boundary) list.push(boundary);
    stepsByTeam.set(node.data.teamId, list);
  }
  for (const [teamId, elements] of stepsByTeam) {
    lanes.push(
      create('bpmn:Lane', {
        id: xmlId(teamId, 'Lane_'),
        name: options.teamNames?.get(teamId) ?? teamId,
        flowNodeRef: elements,
      }),
    );
  }

  const process = create('bpmn:Process', {
    id: processId,
    name: options.name,
    isExecutable: false,
    flowElements,
    artifacts,
    ...(lanes.length > 0 ? { laneSets: [create('bpmn:LaneSet', { id: xmlId('LaneSet_1'), lanes })] } : {}),
    extensionElements: create('bpmn:ExtensionElements', {
      values: [
        create('stepwise:Flow', {
          data: JSON.stringify({ schemaVersion: document.schemaVersion, fields: document.fields }),
        }),
      ],
    }),
  });
  const plane = create('bpmndi:BPMNPlane', {
    id: 'BPMNPlane_1',
    bpmnElement: process,
    planeElement: [...shapes, ...edgesDi],
  });
  const definitions = create('bpmn:Definitions', {
    id: 'Definitions_stepwise',
    targetNamespace: 'http://bpmn.io/schema/bpmn',
    exporter: 'Stepwise',
    exporterVersion: '1',
    rootElements: [process],
    diagrams: [create('bpmndi:BPMNDiagram', { id: 'BPMNDiagram_1', plane })],
  });
  const { xml } = await moddle.toXML(definitions, { format: true });
  return xml;
}
