import { BpmnModdle } from 'bpmn-moddle';
import type { NodeType } from '@stepwise/flow';

/**
 * The BPMN side of interop: one moddle instance per call (bpmn-moddle, the bpmn.io model library), with
 * the Stepwise extension that keeps what BPMN has no place for.
 *
 * BPMN carries a flow's shape — element types, names, documentation, sequence flows, condition
 * expressions, the SLA as a boundary timer, called elements, lanes and the diagram (BPMNDI). The
 * extension (`<stepwise:node>` in a node's `extensionElements`, `<stepwise:edge>` on a sequence flow,
 * `<stepwise:flow>` on the process, `<stepwise:note>` on a text annotation) keeps the rest — ids,
 * checklists, forms, action operations, start filters, end statuses — so an exported flow imports back
 * unchanged. Other modelers keep extension elements they do not know; what they change in the standard
 * parts (a renamed task, an edited condition, a moved shape) wins on import.
 */
export const STEPWISE_NS = 'https://stepwise.dev/schema/bpmn/1';

const stepwiseDescriptor = {
  name: 'Stepwise',
  prefix: 'stepwise',
  uri: STEPWISE_NS,
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    {
      name: 'Node',
      superClass: ['Element'],
      properties: [
        { name: 'stepwiseId', isAttr: true, type: 'String' },
        { name: 'kind', isAttr: true, type: 'String' },
        { name: 'data', isBody: true, type: 'String' },
      ],
    },
    {
      name: 'Edge',
      superClass: ['Element'],
      properties: [
        { name: 'stepwiseId', isAttr: true, type: 'String' },
        { name: 'handle', isAttr: true, type: 'String' },
      ],
    },
    {
      name: 'Flow',
      superClass: ['Element'],
      properties: [{ name: 'data', isBody: true, type: 'String' }],
    },
    {
      name: 'Note',
      superClass: ['Element'],
      properties: [
        { name: 'stepwiseId', isAttr: true, type: 'String' },
        { name: 'data', isBody: true, type: 'String' },
      ],
    },
  ],
};

/** A model element, as far as interop reads and writes it (moddle's own types are generated loosely). */
export type BpmnElement = {
  $type: string;
  $instanceOf?: (type: string) => boolean;
  [property: string]: unknown;
};

/** The part of the moddle API interop uses. */
export type Moddle = {
  create(type: string, attrs?: Record<string, unknown>): BpmnElement;
  fromXML(xml: string): Promise<{ rootElement: BpmnElement; warnings: Array<{ message: string }> }>;
  toXML(element: BpmnElement, options?: { format?: boolean }): Promise<{ xml: string }>;
};

let shared: Moddle | undefined;

/**
 * The moddle instance, made once: building its type registry costs about 20 ms, reading a small file
 * a fraction of that. Reading and writing keep no state in it, so one instance serves every call.
 */
export function createModdle(): Moddle {
  shared ??= new BpmnModdle({ stepwise: stepwiseDescriptor }) as unknown as Moddle;
  return shared;
}
/**
 * Canvas coordinates to BPMN diagram coordinates: a Stepwise node is 200 units wide, a BPMN task 100,
 * so the diagram is the canvas at half size. Halving and doubling are exact in floating point, so a
 * position survives the round trip to the last bit.
 */
export const DI_SCALE = 0.5;

/** The size of each kind's shape in the BPMN diagram (the sizes bpmn-js draws by default). */
export const SHAPE_SIZE: Record<NodeType, { width: number; height: number }> = {
  start: { width: 36, height: 36 },
  end: { width: 36, height: 36 },
  wait: { width: 36, height: 36 },
  decision: { width: 50, height: 50 },
  step: { width: 100, height: 80 },
  action: { width: 100, height: 80 },
  notify: { width: 100, height: 80 },
  subflow: { width: 100, height: 80 },
};

/** The BPMN element each kind is exported as. */
export const BPMN_TYPE_OF: Record<NodeType, string> = {
  start: 'bpmn:StartEvent',
  step: 'bpmn:UserTask',
  decision: 'bpmn:ExclusiveGateway',
  action: 'bpmn:ServiceTask',
  notify: 'bpmn:SendTask',
  wait: 'bpmn:IntermediateCatchEvent',
  subflow: 'bpmn:CallActivity',
  end: 'bpmn:EndEvent',
};

/** The node kind a BPMN element maps onto (boundary events are not nodes: they are a step's SLA). */
export const KIND_OF_BPMN: Readonly<Record<string, NodeType>> = {
  'bpmn:StartEvent': 'start',
  'bpmn:UserTask': 'step',
  'bpmn:ManualTask': 'step',
  'bpmn:Task': 'step',
  'bpmn:ExclusiveGateway': 'decision',
  'bpmn:ServiceTask': 'action',
  'bpmn:SendTask': 'action',
  'bpmn:ScriptTask': 'action',
  'bpmn:BusinessRuleTask': 'action',
  'bpmn:IntermediateCatchEvent': 'wait',
  'bpmn:CallActivity': 'subflow',
  'bpmn:EndEvent': 'end',
};

/** A BPMN element type in words, for the import report ("bpmn:ParallelGateway" → "parallel gateway"). */
export function bpmnTypeWords(type: string): string {
  return type
    .replace(/^bpmn:/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** A minutes count as an ISO 8601 duration (`PT90M`). */
export function isoMinutes(minutes: number): string {
  return `PT${minutes}M`;
}

/**
 * Whole minutes of an ISO 8601 duration (`PT4H`, `P1DT30M`, `PT90S` rounds up to 2), or null when it is
 * not a duration (a date, a cycle, an expression).
 */
export function minutesOfDuration(text: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) return null;
  const [, w, d, h, min, s] = m;
  const total =
    Number(w ?? 0) * 7 * 24 * 60 +
    Number(d ?? 0) * 24 * 60 +
    Number(h ?? 0) * 60 +
    Number(min ?? 0) +
    Math.ceil(Number(s ?? 0) / 60);
  return total > 0 && total <= 525_600 ? total : null;
}
