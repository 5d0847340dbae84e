import type {
  ActionOp,
  Branch,
  Comparison,
  ConditionGroup,
  Edge,
  FieldDef,
  FlowDocument,
  FlowNode,
  StepNode,
} from './schema.ts';
import { CURRENT_SCHEMA_VERSION } from './schema.ts';

/*
 * Small builders for hand-written flows in tests: each gives a valid node with sensible defaults,
 * overridable where a test needs a defect. Not part of the public API.
 */

export function startNode(id = 'start'): FlowNode {
  return {
    id,
    type: 'start',
    position: { x: 0, y: 0 },
    data: {
      label: 'New ticket',
      trigger: { mode: 'auto', channels: [], categories: [], priorities: [], tiers: [] },
    },
  };
}

export function stepNode(id: string, data: Partial<StepNode['data']> = {}): FlowNode {
  return {
    id,
    type: 'step',
    position: { x: 0, y: 0 },
    data: {
      title: `Step ${id}`,
      instructions: 'Do the work.',
      checklist: [],
      form: [],
      teamId: 'team-billing',
      slaMinutes: 60,
      outcomes: [{ id: 'done', label: 'Done' }],
      ...data,
    },
  };
}

export function decisionNode(id: string, branches: Branch[]): FlowNode {
  return { id, type: 'decision', position: { x: 0, y: 0 }, data: { label: `Decision ${id}`, branches } };
}

export function actionNode(id: string, ops: ActionOp[] = [{ op: 'add_tag', tag: 'seen' }]): FlowNode {
  return { id, type: 'action', position: { x: 0, y: 0 }, data: { label: `Action ${id}`, ops } };
}

export function waitNode(id: string, mode: 'reply' | 'duration', minutes: number | null): FlowNode {
  return { id, type: 'wait', position: { x: 0, y: 0 }, data: { label: `Wait ${id}`, mode, minutes } };
}

export function subflowNode(id: string, flowId: string | null): FlowNode {
  return { id, type: 'subflow', position: { x: 0, y: 0 }, data: { label: `Subflow ${id}`, flowId } };
}

export function endNode(id = 'end', feedback = false): FlowNode {
  return {
    id,
    type: 'end',
    position: { x: 0, y: 0 },
    data: { label: `End ${id}`, status: 'resolved', feedback },
  };
}

export function edge(id: string, source: string, sourceHandle: string, target: string): Edge {
  return { id, source, sourceHandle, target };
}

export function comparison(
  field: string,
  operator: Comparison['operator'],
  value?: Comparison['value'],
): Comparison {
  return value === undefined
    ? { kind: 'comparison', field, operator }
    : { kind: 'comparison', field, operator, value };
}

export function all(...rules: ConditionGroup['rules']): ConditionGroup {
  return { kind: 'group', combinator: 'all', rules };
}

export function any(...rules: ConditionGroup['rules']): ConditionGroup {
  return { kind: 'group', combinator: 'any', rules };
}

export function branch(id: string, condition: ConditionGroup): Branch {
  return { id, label: `Branch ${id}`, condition };
}

export function flow(nodes: FlowNode[], edges: Edge[], fields: FieldDef[] = []): FlowDocument {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, fields, nodes, edges, notes: [] };
}

/** start → s1 (one outcome) → end: the smallest clean flow. */
export function miniFlow(): FlowDocument {
  return flow(
    [startNode(), stepNode('s1'), endNode()],
    [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
  );
}
