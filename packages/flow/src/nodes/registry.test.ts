import { describe, expect, it } from 'vitest';
import { describeNode } from '../describeNode.ts';
import {
  describeOutput,
  hasOutput,
  isBreachOutput,
  outputLabel,
  outputsOf,
  requiredOutputsOf,
} from '../outputs.ts';
import { planMigration } from '../planMigration.ts';
import { FlowNode } from '../schema.ts';
import { endNode, flow, startNode, stepNode, waitNode } from '../testFlows.ts';
import { enterNode } from '../transition.ts';
import type { Effect, RunState, TrailEntry } from '../types.ts';
import { isNodeKind, kindOf, NODE_TYPES, nodeKinds } from './registry.ts';

const NOW = Date.UTC(2024, 4, 1, 12, 0);

const state = (over: Partial<RunState> = {}): RunState => ({
  status: 'at_step',
  nodeId: 'before',
  ticket: {
    channel: 'email',
    priority: 'normal',
    category: '',
    subject: 'S',
    customer: { name: 'A', email: 'a@example.com', tier: 'new' },
    tags: [],
    fields: {},
  },
  teamId: 'team-a',
  assigneeId: 'agent-1',
  breached: false,
  everBreached: false,
  endStatus: null,
  ...over,
});

describe('node kinds', () => {
  it.each(NODE_TYPES)('%s: its entry is keyed by its own type', (type) => {
    expect(nodeKinds[type].type).toBe(type);
    expect(isNodeKind(type)).toBe(true);
  });

  it.each(NODE_TYPES)('%s: the node the palette drops parses as a flow node', (type) => {
    const node = { id: `${type}_1`, type, position: { x: 0, y: 0 }, data: nodeKinds[type].defaults() };
    const parsed = FlowNode.safeParse(node);
    expect(parsed.success).toBe(true);
    expect(describeNode(parsed.data!)).toMatch(new RegExp(`^${nodeKinds[type].words.label} "`));
  });

  it('knows no kind by a prototype key or an unknown name', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'note', 42])
      expect(isNodeKind(name)).toBe(false);
  });

  it('reads the output grammar of each kind: required outputs leave out the optional ones', () => {
    const step = stepNode('s', { outcomes: [{ id: 'ok', label: 'OK' }] });
    expect(outputsOf(step)).toEqual(['outcome:ok', 'sla_breach']);
    expect(requiredOutputsOf(step)).toEqual(['outcome:ok']);
    // Without an SLA nothing can breach: the step has no breach output at all.
    const noSla = stepNode('s', { outcomes: [{ id: 'ok', label: 'OK' }], slaMinutes: null });
    expect(outputsOf(noSla)).toEqual(['outcome:ok']);
    expect(hasOutput(noSla, 'sla_breach')).toBe(false);
    expect(outputsOf(waitNode('w', 'reply', 5))).toEqual(['next', 'timeout']);
    expect(outputsOf(waitNode('w', 'duration', 5))).toEqual(['next']);
    expect(outputsOf(endNode())).toEqual([]);
    expect(kindOf(endNode()).terminal).toBe(true);
  });

  it('names a handle the node lacks as the kind that has it names it', () => {
    // An edge left over from an earlier shape of the node still reads "Otherwise", not "default"
    const step = stepNode('s');
    expect(outputLabel(step, 'default')).toBe('Otherwise');
    expect(describeOutput(step, 'default')).toBe('"Otherwise" (default)');
    expect(outputLabel(step, 'outcome:gone')).toBe('gone');
    expect(outputLabel(step, 'nowhere')).toBe('nowhere');
    expect(isBreachOutput(step, 'sla_breach')).toBe(true);
    expect(isBreachOutput(step, 'outcome:done')).toBe(false);
  });
});

describe('enterNode', () => {
  it('is what a migration lands with: the same state and timers as the engine entering the node', () => {
    // Given a step with an SLA, entered by the engine and landed on by a migration at the same time
    const step = stepNode('s', { teamId: 'team-b', slaMinutes: 30 });
    const engineState = state({ status: 'waiting', nodeId: 'w' });
    const effects: Effect[] = [];
    const events: TrailEntry[] = [];
    const result = enterNode(step, engineState, { now: NOW, enteredAt: NOW }, effects, events);
    expect(result).toEqual({ stop: true });

    const from = flow([startNode(), waitNode('w', 'reply', null), endNode()], []);
    const to = flow([startNode(), step, endNode()], []);
    const plan = planMigration(from, to, { w: 's' }, state({ status: 'waiting', nodeId: 'w' }), { now: NOW });
    // Then both put the ticket at the step with the step's team and the same SLA timer
    expect(plan.ok && plan.state).toEqual(engineState);
    expect(plan.ok && plan.effects).toEqual([{ type: 'cancel_timers' }, ...effects]);
    expect(events[0]).toEqual({ type: 'node_entered', nodeId: 's', nodeType: 'step' });
  });
});
