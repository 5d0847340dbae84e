import {
  type Branch,
  CURRENT_SCHEMA_VERSION,
  type Edge,
  FieldDef,
  type FlowDocument,
  type FlowNode,
  Id,
  LIMITS,
  type Note,
  type NodeType,
  nodeKinds,
  type Outcome,
  type TeamRef,
} from '@stepwise/flow';
import { z } from 'zod';
import {
  type BpmnElement,
  bpmnTypeWords,
  createModdle,
  DI_SCALE,
  KIND_OF_BPMN,
  minutesOfDuration,
} from './bpmnModel.ts';
import { formatConditionExpression, parseConditionExpression } from './conditionExpression.ts';
import {
  cleanText,
  finish,
  idAllocator,
  type ImportNote,
  type ImportOutcome,
  refuse,
  slugOf,
  teamForLane,
  tooLarge,
  tooManyNodes,
} from './importResult.ts';

export type BpmnImportOptions = {
  /**
   * The organization's teams: a step's team is kept when it is one of them, else taken from the lane
   * the task sits in (the most alike team name). Absent: team ids are kept as the file has them.
   */
  teams?: readonly TeamRef[];
};

/** Elements a file may hold at most before reading stops (bounds the work on a hostile file). */
const MAX_ELEMENTS = 20_000;
const NEVER: Branch['condition'] = { kind: 'group', combinator: 'any', rules: [] };

const list = (value: unknown): BpmnElement[] => (Array.isArray(value) ? (value as BpmnElement[]) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const el = (value: unknown): BpmnElement | undefined =>
  typeof value === 'object' && value !== null && typeof (value as BpmnElement).$type === 'string'
    ? (value as BpmnElement)
    : undefined;

function extensionOf(element: BpmnElement, type: string): BpmnElement | undefined {
  return list(el(element.extensionElements)?.values).find((v) => v.$type === type);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length > 1_000_000) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What a Stepwise extension says a node is, checked against the kind's own schema. */
function extensionNode(element: BpmnElement, kind: NodeType): FlowNode | undefined {
  const ext = extensionOf(element, 'stepwise:Node');
  if (!ext || ext.kind !== kind) return undefined;
  const parsed = nodeKinds[kind].schema.safeParse({
    id: 'x',
    type: kind,
    position: { x: 0, y: 0 },
    data: parseJson(ext.data),
  });
  return parsed.success ? (parsed.data as FlowNode) : undefined;
}

function documentationOf(element: BpmnElement): string | undefined {
  const texts = list(element.documentation)
    .map((d) => str(d.text))
    .filter((t): t is string => t !== undefined);
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

function timerMinutes(event: BpmnElement): number | null | undefined {
  const timer = list(event.eventDefinitions).find((d) => d.$type === 'bpmn:TimerEventDefinition');
  if (!timer) return undefined;
  const duration = str(el(timer.timeDuration)?.body);
  return duration === undefined ? null : minutesOfDuration(duration);
}

function describe(element: BpmnElement): string {
  const name = str(element.name)?.trim();
  return name
    ? `${bpmnTypeWords(element.$type)} "${name.slice(0, 80)}"`
    : `${bpmnTypeWords(element.$type)} ${str(element.id) ?? ''}`.trim();
}

/**
 * Reads BPMN 2.0 XML into a flow document and an import report. The mapping (see README, "Interop"):
 * start events → Start; user, manual and plain tasks → Step (name, documentation → instructions; each
 * outgoing flow an outcome named by the flow); an interrupting or not boundary timer on a task → the
 * step's SLA, its flow → the breach output; exclusive gateways → Decision (conditions Stepwise can read
 * become conditions, others branches flagged for review; the default flow → "Otherwise"); a gateway
 * with one way out only joins paths and becomes plain connections; service, send, script and business
 * rule tasks → Action; intermediate timer / message catch events → Wait (duration / reply); call
 * activities → Subflow; end events → End; lanes → teams (by name); text annotations → notes; BPMNDI
 * bounds → positions. Everything else is listed in the report and left out. Never throws on any input.
 */
export async function importBpmn(xml: string, options: BpmnImportOptions = {}): Promise<ImportOutcome> {
  const large = tooLarge(xml);
  if (large) return large;
  if (!/<([A-Za-z_][\w.-]*:)?definitions[\s>]/.test(xml)) {
    return refuse(
      'NOT_BPMN',
      'The file is not BPMN 2.0 XML: it has no <definitions> element. Export the diagram as BPMN 2.0 from your modeler.',
    );
  }
  let root: BpmnElement;
  try {
    const result = await createModdle().fromXML(xml);
    root = result.rootElement;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unreadable';
    return refuse('NOT_BPMN', `The file could not be read as BPMN 2.0 XML (${reason}).`);
  }
  if (root?.$type !== 'bpmn:Definitions') {
    return refuse('NOT_BPMN', 'The file is not BPMN 2.0 XML: its root is not <definitions>.');
  }
  try {
    return mapDefinitions(root, options);
  } catch (error) {
    // The mapping reads only what it checks; this is the last guard of "never throws".
    const reason = error instanceof Error ? error.message : 'unexpected content';
    return refuse('NOT_BPMN', `The BPMN file could not be mapped (${reason}).`);
  }
}

function mapDefinitions(root: BpmnElement, options: BpmnImportOptions): ImportOutcome {
  const report: ImportNote[] = [];
  const note = (
    severity: ImportNote['severity'],
    element: BpmnElement | string,
    message: string,
    nodeId?: string,
  ) => {
    report.push({
      severity,
      element: typeof element === 'string' ? element : (str(element.id) ?? ''),
      message,
      ...(nodeId !== undefined ? { nodeId } : {}),
    });
  };

  const rootElements = list(root.rootElements);
  const processes = rootElements.filter((e) => e.$type === 'bpmn:Process');
  if (processes.length === 0) return refuse('NO_PROCESS', 'The BPMN file holds no process to import.');
  const sized = processes.map((p) => ({ p, n: list(p.flowElements).length }));
  sized.sort((a, b) => b.n - a.n);
  const process = sized[0]!.p;
  for (const other of sized.slice(1)) {
    if (other.n > 0)
      note(
        'unmapped',
        other.p,
        `The process "${str(other.p.name) ?? str(other.p.id)}" was left out: a flow is one process. Import it on its own.`,
      );
  }
  const elements = list(process.flowElements);
  if (elements.length > MAX_ELEMENTS) return tooManyNodes(elements.length);

  // Diagram positions, by element id.
  const boundsOf = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const diagram of list(root.diagrams)) {
    for (const shape of list(el(diagram.plane)?.planeElement)) {
      const target = el(shape.bpmnElement);
      const bounds = el(shape.bounds);
      const id = target ? str(target.id) : undefined;
      if (!id || !bounds) continue;
      const [x, y, width, height] = [bounds.x, bounds.y, bounds.width, bounds.height].map(Number);
      if ([x, y].every((v) => Number.isFinite(v) && Math.abs(v as number) < 1e7))
        boundsOf.set(id, {
          x: x!,
          y: y!,
          width: Number.isFinite(width) ? width! : 0,
          height: Number.isFinite(height) ? height! : 0,
        });
    }
  }

  const sequenceFlows = elements.filter((e) => e.$type === 'bpmn:SequenceFlow');
  const boundaries = elements.filter((e) => e.$type === 'bpmn:BoundaryEvent');
  const outgoingOf = new Map<BpmnElement, BpmnElement[]>();
  for (const flow of sequenceFlows) {
    const source = el(flow.sourceRef);
    if (!source) continue;
    outgoingOf.set(source, [...(outgoingOf.get(source) ?? []), flow]);
  }

  // Which elements become nodes; which only join paths (passed through); which are left out.
  const kindOf = new Map<BpmnElement, NodeType>();
  const passThrough = new Set<BpmnElement>();
  for (const element of elements) {
    const t = element.$type;
    if (t === 'bpmn:SequenceFlow' || t === 'bpmn:BoundaryEvent') continue;
    const outgoing = outgoingOf.get(element) ?? [];
    if (t === 'bpmn:ExclusiveGateway' && outgoing.length === 1 && !el(element.default)) {
      passThrough.add(element);
      continue;
    }
    if ((t === 'bpmn:ParallelGateway' || t === 'bpmn:InclusiveGateway') && outgoing.length === 1) {
      passThrough.add(element);
      continue;
    }
    if (t === 'bpmn:IntermediateThrowEvent' && list(element.eventDefinitions).length === 0) {
      passThrough.add(element);
      continue;
    }
    let kind = KIND_OF_BPMN[t];
    if (kind === 'wait') {
      const defs = list(element.eventDefinitions).map((d) => d.$type);
      if (
        !(
          defs.length === 1 &&
          (defs[0] === 'bpmn:TimerEventDefinition' || defs[0] === 'bpmn:MessageEventDefinition')
        )
      )
        kind = undefined;
    }
    if ((kind === 'action' || kind === 'step') && extensionOf(element, 'stepwise:Node')?.kind === 'notify')
      kind = 'notify';
    if (kind === undefined) {
      const why =
        t === 'bpmn:ParallelGateway' || t === 'bpmn:InclusiveGateway'
          ? 'a ticket follows one path at a time in Stepwise; redraw the split as a Decision or as steps in sequence'
          : t === 'bpmn:SubProcess' || t === 'bpmn:Transaction' || t === 'bpmn:AdHocSubProcess'
            ? 'embedded subprocesses are not read; model it as its own flow and call it with a Subflow node'
            : t === 'bpmn:EventBasedGateway'
              ? 'a race between events has no Stepwise node; a Wait for a reply with a timeout covers the common case'
              : 'Stepwise has no node for it';
      note(
        'unmapped',
        element,
        `The ${describe(element)} was left out: ${why}. Its connections were dropped too.`,
      );
      continue;
    }
    kindOf.set(element, kind);
  }
  if (kindOf.size > LIMITS.maxNodes) return tooManyNodes(kindOf.size);

  const starts = [...kindOf].filter(([, k]) => k === 'start').map(([e]) => e);
  for (const extra of starts.slice(1)) {
    kindOf.delete(extra);
    note(
      'unmapped',
      extra,
      `The ${describe(extra)} was left out: a flow has one start. Its connections were dropped too.`,
    );
  }

  // Lanes: which lane each element sits in (nested lanes: the innermost).
  const laneOf = new Map<BpmnElement, string>();
  const walkLanes = (laneSets: BpmnElement[], depth: number) => {
    if (depth > 10) return;
    for (const set of laneSets) {
      for (const lane of list(set.lanes)) {
        const name = str(lane.name)?.trim();
        if (name) for (const ref of list(lane.flowNodeRef)) laneOf.set(ref, name);
        const child = el(lane.childLaneSet);
        if (child) walkLanes([child], depth + 1);
      }
    }
  };
  walkLanes(list(process.laneSets), 0);

  // Ids: the Stepwise id an exported file carries, else the BPMN id made safe.
  const allocate = idAllocator();
  const nodeIdOf = new Map<BpmnElement, string>();
  for (const element of kindOf.keys()) {
    const ext = str(extensionOf(element, 'stepwise:Node')?.stepwiseId);
    const wanted = ext !== undefined && Id.safeParse(ext).success ? ext : str(element.id);
    nodeIdOf.set(element, allocate(wanted, 'node'));
  }

  // Where a flow really goes: through joins, to a node (or nowhere).
  const resolveTarget = (flow: BpmnElement): BpmnElement | undefined => {
    let target = el(flow.targetRef);
    const seen = new Set<BpmnElement>();
    while (target && passThrough.has(target) && !seen.has(target)) {
      seen.add(target);
      target = el((outgoingOf.get(target) ?? [])[0]?.targetRef);
    }
    return target && kindOf.has(target) ? target : undefined;
  };

  let missingPositions = 0;
  const positionOf = (element: BpmnElement, index: number) => {
    const bounds = boundsOf.get(str(element.id) ?? '');
    if (bounds) return { x: bounds.x / DI_SCALE, y: bounds.y / DI_SCALE };
    missingPositions++;
    return { x: (index % 6) * 260, y: Math.floor(index / 6) * 180 };
  };

  const teams = options.teams;
  const teamIds = teams ? new Set(teams.map((t) => t.id)) : undefined;
  const unmatchedLanes = new Map<string, string[]>();

  const nodes: FlowNode[] = [];
  // Edges keep the order of their sequence flows in the file (the order they were drawn or exported in).
  const edges: Array<Edge & { order: number }> = [];
  const flowOrder = new Map(sequenceFlows.map((flow, i) => [flow, i]));
  const edgeKeys = new Set<string>();
  const edgeIds = idAllocator();
  const addEdge = (flow: BpmnElement, source: string, handle: string, target: string) => {
    const key = `${source}\u0000${handle}`;
    if (edgeKeys.has(key)) {
      note(
        'unmapped',
        flow,
        `The flow ${str(flow.name) ? `"${str(flow.name)}" ` : ''}was left out: its source already has a connection for that output (BPMN splits in parallel there; a ticket follows one path).`,
        source,
      );
      return;
    }
    edgeKeys.add(key);
    const ext = extensionOf(flow, 'stepwise:Edge');
    const extId = str(ext?.stepwiseId);
    const wanted = extId !== undefined && Id.safeParse(extId).success ? extId : str(flow.id);
    edges.push({
      id: edgeIds(wanted, `${source}-${handle}`.replace(/[^A-Za-z0-9_.:-]/g, '_')),
      source,
      sourceHandle: handle,
      target,
      order: flowOrder.get(flow) ?? 0,
    });
  };
  const extHandle = (flow: BpmnElement) => str(extensionOf(flow, 'stepwise:Edge')?.handle);
  const flowLabel = (flow: BpmnElement) => {
    const name = str(flow.name);
    return name === undefined ? undefined : cleanText(name, 200);
  };

  const slaBoundaries = new Set<BpmnElement>();
  let index = 0;
  for (const [element, kind] of kindOf) {
    const id = nodeIdOf.get(element)!;
    const position = positionOf(element, index++);
    const ext = extensionNode(element, kind);
    const rawName = str(element.name);
    const name = rawName === undefined ? undefined : cleanText(rawName, 200);
    const outgoing = (outgoingOf.get(element) ?? []).map((flow) => ({ flow, target: resolveTarget(flow) }));
    const connect = (flow: BpmnElement, handle: string, target: BpmnElement | undefined) => {
      if (target) addEdge(flow, id, handle, nodeIdOf.get(target)!);
    };
    const single = (handle: string) => {
      outgoing.forEach(({ flow, target }, i) => {
        if (i === 0) connect(flow, handle, target);
        else
          note(
            'unmapped',
            flow,
            `A second way out of the ${describe(element)} was left out: BPMN runs both in parallel; a ticket follows one. Add a Decision to choose.`,
            id,
          );
      });
    };

    switch (kind) {
      case 'start': {
        const data = ext?.type === 'start' ? ext.data : nodeKinds.start.defaults();
        if (ext?.type !== 'start') data.trigger.mode = 'manual';
        nodes.push({ id, type: 'start', position, data: { ...data, label: name ?? data.label } });
        single('next');
        break;
      }
      case 'step': {
        const base =
          ext?.type === 'step' ? ext.data : { ...nodeKinds.step.defaults(), outcomes: [] as Outcome[] };
        const doc = documentationOf(element);
        const boundary = boundaries.find(
          (b) => el(b.attachedToRef) === element && timerMinutes(b) !== undefined,
        );
        let slaMinutes: number | null = null;
        if (boundary) {
          slaMinutes = timerMinutes(boundary) ?? null;
          if (slaMinutes === null)
            note(
              'review',
              boundary,
              `The timer on the ${describe(element)} is not a duration Stepwise reads (like PT4H): set the step's SLA by hand.`,
              id,
            );
        }
        const outcomes: Outcome[] = [...base.outcomes];
        const outcomeIds = new Set(outcomes.map((o) => o.id));
        const handles: Array<{ flow: BpmnElement; handle: string; target: BpmnElement | undefined }> = [];
        let unnamed = 0;
        for (const { flow, target } of outgoing) {
          const h = extHandle(flow);
          const label = flowLabel(flow);
          const known = h?.startsWith('outcome:') && outcomeIds.has(h.slice(8)) ? h : undefined;
          if (known) {
            const outcome = outcomes.find((o) => `outcome:${o.id}` === known)!;
            if (label !== undefined) outcome.label = label;
            handles.push({ flow, handle: known, target });
            continue;
          }
          if (label === undefined || label.trim() === '') unnamed++;
          const text = label?.trim()
            ? label
            : outcomes.length === 0
              ? 'Done'
              : `Outcome ${outcomes.length + 1}`;
          let outcomeId = slugOf(text, `outcome_${outcomes.length + 1}`);
          for (let n = 2; outcomeIds.has(outcomeId); n++) outcomeId = `${slugOf(text, 'outcome')}_${n}`;
          outcomeIds.add(outcomeId);
          outcomes.push({ id: outcomeId, label: text });
          handles.push({ flow, handle: `outcome:${outcomeId}`, target });
        }
        if (outcomes.length === 0) outcomes.push({ id: 'done', label: 'Done' });
        if (unnamed > 1)
          note(
            'review',
            element,
            `The ${describe(element)} has ${unnamed} unnamed ways out; each became an outcome: name them for the agent's buttons.`,
            id,
          );
        let teamId = base.teamId;
        const lane = laneOf.get(element);
        if (teams && teamIds && base.teamSource !== 'current' && (teamId === null || !teamIds.has(teamId))) {
          teamId = null;
          if (lane) {
            const team = teamForLane(lane, teams);
            if (team) teamId = team.id;
            else unmatchedLanes.set(lane, [...(unmatchedLanes.get(lane) ?? []), name ?? id]);
          }
        }
        nodes.push({
          id,
          type: 'step',
          position,
          data: {
            ...base,
            title: name ?? base.title,
            instructions: doc !== undefined ? cleanText(doc, LIMITS.maxString) : base.instructions,
            teamId,
            slaMinutes,
            outcomes: outcomes.slice(0, 50),
          },
        });
        for (const { flow, handle, target } of handles) connect(flow, handle, target);
        if (boundary) {
          (outgoingOf.get(boundary) ?? []).forEach((flow, i) => {
            if (i === 0) connect(flow, 'sla_breach', resolveTarget(flow));
            else
              note(
                'unmapped',
                flow,
                `A second flow from the SLA timer of the ${describe(element)} was left out.`,
                id,
              );
          });
        }
        if (boundary) slaBoundaries.add(boundary);
        break;
      }
      case 'decision': {
        const base = ext?.type === 'decision' ? ext.data : { label: 'Decision', branches: [] as Branch[] };
        const defaultFlow = el(element.default);
        const branches: Branch[] = base.branches.map((b) => ({ ...b }));
        const branchIds = new Set(branches.map((b) => b.id));
        const wired: Array<{ flow: BpmnElement; handle: string; target: BpmnElement | undefined }> = [];
        for (const { flow, target } of outgoing) {
          if (flow === defaultFlow) {
            wired.push({ flow, handle: 'default', target });
            continue;
          }
          const label = flowLabel(flow);
          const expression = str(el(flow.conditionExpression)?.body);
          const h = extHandle(flow);
          let branch = h?.startsWith('branch:') ? branches.find((b) => `branch:${b.id}` === h) : undefined;
          if (!branch) {
            let branchId = slugOf(label ?? '', `branch_${branches.length + 1}`);
            for (let n = 2; branchIds.has(branchId); n++) branchId = `${slugOf(label ?? '', 'branch')}_${n}`;
            branchIds.add(branchId);
            branch = { id: branchId, label: label ?? `Branch ${branches.length + 1}`, condition: NEVER };
            branches.push(branch);
            if (expression === undefined) {
              note(
                'review',
                flow,
                `The way "${branch.label}" out of the ${describe(element)} has no condition: set one in the branch (until then it never matches).`,
                id,
              );
            }
          } else if (label !== undefined) branch.label = label;
          if (expression !== undefined && expression !== formatConditionExpression(branch.condition)) {
            const condition = parseConditionExpression(expression);
            if (condition) branch.condition = condition;
            else {
              branch.condition = NEVER;
              note(
                'review',
                flow,
                `The condition of "${branch.label}" on the ${describe(element)} (${expression.slice(0, 120)}) does not map onto a Stepwise condition: rebuild it in the branch (until then it never matches).`,
                id,
              );
            }
          }
          wired.push({ flow, handle: `branch:${branch.id}`, target });
        }
        if (!defaultFlow && outgoing.length > 0)
          note(
            'review',
            element,
            `The ${describe(element)} has no default flow: connect "Otherwise" to where tickets go when no branch matches.`,
            id,
          );
        nodes.push({
          id,
          type: 'decision',
          position,
          data: { label: name ?? base.label, branches: branches.slice(0, 50) },
        });
        for (const { flow, handle, target } of wired) connect(flow, handle, target);
        break;
      }
      case 'action':
      case 'notify': {
        if (kind === 'notify' && ext?.type === 'notify') {
          nodes.push({ id, type: 'notify', position, data: { ...ext.data, label: name ?? ext.data.label } });
        } else {
          const data = ext?.type === 'action' ? ext.data : nodeKinds.action.defaults();
          if (ext?.type !== 'action')
            note(
              'review',
              element,
              `The ${describe(element)} became an Action with nothing to do yet: add what it does (set fields, assign, message, webhook).`,
              id,
            );
          nodes.push({ id, type: 'action', position, data: { ...data, label: name ?? data.label } });
        }
        single('next');
        break;
      }
      case 'wait': {
        const minutes = timerMinutes(element);
        const extData = ext?.type === 'wait' ? ext.data : undefined;
        const data =
          minutes !== undefined
            ? { label: name ?? extData?.label ?? 'Wait', mode: 'duration' as const, minutes }
            : {
                label: name ?? extData?.label ?? 'Wait for the customer',
                mode: 'reply' as const,
                minutes: extData?.mode === 'reply' ? extData.minutes : null,
              };
        if (minutes === null)
          note(
            'review',
            element,
            `The timer of the ${describe(element)} is not a duration Stepwise reads (like PT2H): set how long to wait.`,
            id,
          );
        nodes.push({ id, type: 'wait', position, data });
        const timesOut = data.mode === 'reply' && data.minutes !== null;
        outgoing.forEach(({ flow, target }, i) => {
          const h = extHandle(flow);
          const handle = h === 'timeout' && timesOut ? 'timeout' : i === 0 || h === 'next' ? 'next' : null;
          if (handle) connect(flow, handle, target);
          else
            note(
              'unmapped',
              flow,
              `A second way out of the ${describe(element)} was left out: a wait goes on one way.`,
              id,
            );
        });
        break;
      }
      case 'subflow': {
        const called = str(element.calledElement);
        const flowId = called !== undefined && Id.safeParse(called).success ? called : null;
        if (ext?.type !== 'subflow' || flowId !== ext.data.flowId)
          note(
            'review',
            element,
            `The ${describe(element)} became a Subflow: pick the published flow it runs.`,
            id,
          );
        nodes.push({
          id,
          type: 'subflow',
          position,
          data: {
            label: name ?? (ext?.type === 'subflow' ? ext.data.label : 'Run another flow'),
            flowId: ext?.type === 'subflow' ? flowId : null,
          },
        });
        single('next');
        break;
      }
      case 'end': {
        const data = ext?.type === 'end' ? ext.data : nodeKinds.end.defaults();
        nodes.push({ id, type: 'end', position, data: { ...data, label: name ?? data.label } });
        for (const { flow } of outgoing)
          note(
            'unmapped',
            flow,
            `A flow out of the ${describe(element)} was left out: an end ends the ticket.`,
            id,
          );
        break;
      }
    }
  }

  // Boundary events other than a step's SLA timer (errors, messages, a second timer, one on an action).
  for (const boundary of boundaries) {
    if (slaBoundaries.has(boundary)) continue;
    const host = el(boundary.attachedToRef);
    note(
      'unmapped',
      boundary,
      `The ${describe(boundary)}${host ? ` on the ${describe(host)}` : ''} was left out: only a timer on a task maps (onto the step's SLA). Its flows were dropped too.`,
      host ? nodeIdOf.get(host) : undefined,
    );
  }
  for (const [lane, steps] of unmatchedLanes) {
    note(
      'review',
      lane,
      `The lane "${lane}" matches none of your teams: pick a team for ${steps
        .slice(0, 5)
        .map((s) => `"${s}"`)
        .join(
          ', ',
        )}${steps.length > 5 ? ` and ${steps.length - 5} more` : ''} (or create a team named "${lane}").`,
    );
  }
  if (missingPositions > 0)
    note(
      'review',
      'BPMNDI',
      `${missingPositions} ${missingPositions === 1 ? 'element has' : 'elements have'} no position in the file's diagram: they were put in a grid; use Auto-layout.`,
    );

  // Text annotations → notes.
  const notes: Note[] = [];
  const noteIds = idAllocator();
  for (const artifact of list(process.artifacts)) {
    if (artifact.$type === 'bpmn:Association') continue;
    if (artifact.$type !== 'bpmn:TextAnnotation') {
      note('unmapped', artifact, `The ${describe(artifact)} was left out: Stepwise has no place for it.`);
      continue;
    }
    if (notes.length >= LIMITS.maxNotes) break;
    const ext = extensionOf(artifact, 'stepwise:Note');
    const extSize = z
      .strictObject({
        width: z.number().positive().max(5000).optional(),
        height: z.number().positive().max(5000).optional(),
      })
      .safeParse(parseJson(ext?.data));
    const bounds = boundsOf.get(str(artifact.id) ?? '');
    const extId = str(ext?.stepwiseId);
    const n: Note = {
      id: noteIds(extId !== undefined && Id.safeParse(extId).success ? extId : str(artifact.id), 'note'),
      position: bounds ? { x: bounds.x / DI_SCALE, y: bounds.y / DI_SCALE } : { x: 0, y: -160 },
      text: cleanText(str(artifact.text) ?? '', LIMITS.maxString),
    };
    if (extSize.success) {
      if (extSize.data.width !== undefined) n.width = extSize.data.width;
      if (extSize.data.height !== undefined) n.height = extSize.data.height;
    } else if (bounds && bounds.width > 0 && bounds.height > 0) {
      n.width = Math.min(5000, bounds.width / DI_SCALE);
      n.height = Math.min(5000, bounds.height / DI_SCALE);
    }
    notes.push(n);
  }

  const flowExt = z
    .strictObject({ schemaVersion: z.number(), fields: z.array(FieldDef).max(LIMITS.maxListItems) })
    .safeParse(parseJson(extensionOf(process, 'stepwise:Flow')?.data));
  const document: FlowDocument = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: flowExt.success ? flowExt.data.fields : [],
    nodes,
    edges: edges
      .sort((a, b) => a.order - b.order)
      .slice(0, LIMITS.maxEdges)
      .map(({ order: _order, ...edge }) => edge),
    notes,
  };
  const processName = str(process.name)?.trim();
  return finish(document, processName ? cleanText(processName, 200) : null, report);
}
