import { readFileSync } from 'node:fs';
import { type FlowDocument, type NodeOf, type NodeType, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { importBpmn } from './bpmnImport.ts';

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

describe('importing a Camunda Modeler diagram', async () => {
  // Given a product-return process drawn in Camunda Modeler, with lanes, an SLA timer, JUEL and FEEL
  // conditions, a parallel split and every element Stepwise maps
  const result = await importBpmn(fixture('camunda-returns.bpmn'), { teams: TEAMS });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const { document, report } = result;

  it('names the draft after the process', () => {
    expect(result.name).toBe('Product return');
  });

  it('maps the start event to a manual Start', () => {
    const start = node(document, 'StartEvent_1', 'start');
    expect(start.data.label).toBe('Return requested');
    expect(start.data.trigger.mode).toBe('manual');
    expect(edgesFrom(document, 'StartEvent_1')).toEqual(['next → Task_check']);
  });

  it('maps a user task to a Step: documentation → instructions, flows → outcomes, boundary timer → SLA and breach, lane → team', () => {
    const step = node(document, 'Task_check', 'step');
    expect(step.data.title).toBe('Check the order');
    expect(step.data.instructions).toBe('Open the order and compare the **receipt** with the request.');
    expect(step.data.outcomes).toEqual([
      { id: 'eligible', label: 'Eligible' },
      { id: 'not_eligible', label: 'Not eligible' },
    ]);
    expect(step.data.slaMinutes).toBe(240);
    expect(step.data.teamId).toBe('team-billing');
    expect(edgesFrom(document, 'Task_check')).toEqual([
      'outcome:eligible → Gateway_value',
      'outcome:not_eligible → Call_explain',
      'sla_breach → End_explained',
    ]);
  });

  it('maps a manual task to a Step and reports the lane that matches no team', () => {
    const step = node(document, 'Task_inspect', 'step');
    expect(step.data.outcomes).toEqual([{ id: 'done', label: 'Done' }]);
    expect(step.data.teamId).toBeNull();
    expect(report).toContainEqual(
      expect.objectContaining({
        severity: 'review',
        element: 'Warehouse',
        message: expect.stringContaining('"Inspect the item"'),
      }),
    );
  });

  it('maps the exclusive gateway to a Decision: readable conditions, flagged ones, the default', () => {
    const decision = node(document, 'Gateway_value', 'decision');
    expect(decision.data.label).toBe('Order value?');
    expect(decision.data.branches).toEqual([
      {
        id: 'vip',
        label: 'VIP',
        condition: {
          kind: 'group',
          combinator: 'all',
          rules: [
            { kind: 'comparison', field: 'customer.tier', operator: 'equals', value: 'vip' },
            { kind: 'comparison', field: 'priority', operator: 'not_equals', value: 'low' },
          ],
        },
      },
      {
        id: 'over_100',
        label: 'Over 100',
        condition: {
          kind: 'group',
          combinator: 'any',
          rules: [
            { kind: 'comparison', field: 'amount', operator: 'greater_than', value: 100 },
            { kind: 'comparison', field: 'channel', operator: 'in', value: ['phone', 'chat'] },
          ],
        },
      },
      // Not readable: kept as a branch that never matches, flagged in the report.
      { id: 'fraud_score', label: 'Fraud score', condition: { kind: 'group', combinator: 'any', rules: [] } },
    ]);
    expect(edgesFrom(document, 'Gateway_value')).toEqual([
      'branch:vip → Task_refund',
      'branch:over_100 → Task_inspect',
      'default → Task_refund',
    ]);
    expect(report).toContainEqual(
      expect.objectContaining({
        severity: 'review',
        element: 'Flow_script',
        nodeId: 'Gateway_value',
        message: expect.stringContaining('fraudScore(order) >= 0.8'),
      }),
    );
  });

  it('maps service and send tasks to Actions flagged for their operations', () => {
    expect(node(document, 'Task_refund', 'action').data).toEqual({
      label: 'Refund through the payment provider',
      ops: [],
    });
    expect(node(document, 'Task_label', 'action').data.label).toBe('Send a return label');
    expect(
      report
        .filter((r) => r.message.includes('became an Action'))
        .map((r) => r.element)
        .sort(),
    ).toEqual(['Task_label', 'Task_refund']);
  });

  it('maps message and timer catch events to Waits, and passes through a joining gateway', () => {
    expect(node(document, 'Event_parcel', 'wait').data).toEqual({
      label: 'Parcel arrives',
      mode: 'reply',
      minutes: null,
    });
    expect(node(document, 'Event_cooloff', 'wait').data).toEqual({
      label: 'Two days',
      mode: 'duration',
      minutes: 2880,
    });
    expect(document.nodes.some((n) => n.id === 'Gateway_join')).toBe(false);
    expect(edgesFrom(document, 'Event_cooloff')).toEqual(['next → Task_refund']);
  });

  it('maps the call activity to a Subflow to pick, and end events to Ends', () => {
    expect(node(document, 'Call_explain', 'subflow').data).toEqual({
      label: 'Explain the alternatives',
      flowId: null,
    });
    expect(node(document, 'End_refunded', 'end').data).toEqual({
      label: 'Refunded',
      status: 'resolved',
      feedback: false,
    });
    expect(node(document, 'End_explained', 'end').data.label).toBe('Alternatives given');
  });

  it('keeps the diagram positions (at canvas scale) and the text annotation as a note', () => {
    expect(node(document, 'Task_check', 'step').position).toEqual({ x: 540, y: 280 });
    expect(node(document, 'StartEvent_1', 'start').position).toEqual({ x: 364, y: 324 });
    expect(document.notes).toEqual([
      {
        id: 'TextAnnotation_1',
        position: { x: 1040, y: 360 },
        text: "Refunds over 500 need a manager's approval.",
        width: 320,
        height: 80,
      },
    ]);
  });

  it('leaves out the parallel gateway, with its flows, and says so', () => {
    expect(document.nodes.some((n) => n.id === 'Gateway_fork')).toBe(false);
    expect(report).toContainEqual(
      expect.objectContaining({
        severity: 'unmapped',
        element: 'Gateway_fork',
        message: expect.stringContaining('parallel gateway "Notify both"'),
      }),
    );
  });

  it('leaves out a boundary error event, and says so', () => {
    expect(report).toContainEqual(
      expect.objectContaining({
        severity: 'unmapped',
        element: 'Error_refund',
        nodeId: 'Task_refund',
        message: expect.stringContaining('boundary event "Payment failed"'),
      }),
    );
  });

  it('opens as a draft whose validation names what is left to fix', () => {
    const codes = new Set(validate(document).map((i) => i.code));
    expect(codes).toContain('SUBFLOW_WITHOUT_TARGET');
    expect(codes).toContain('STEP_WITHOUT_TEAM');
  });
});

describe('refusing what is not a BPMN file', () => {
  it.each([
    ['empty', ''],
    ['not XML', 'hello'],
    ['other XML', '<note><to>Tove</to></note>'],
    ['unclosed', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process'],
    ['no process', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>'],
  ])('%s', async (_, text) => {
    const result = await importBpmn(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toMatch(/BPMN|process/);
  });

  it('refuses a file over 1 MiB', async () => {
    const result = await importBpmn(`<definitions>${' '.repeat(1024 * 1024)}</definitions>`);
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ code: 'TOO_LARGE' })] });
  });

  it('refuses more than 500 nodes', async () => {
    const tasks = Array.from({ length: 501 }, (_, i) => `<bpmn:userTask id="T${i}" name="Task ${i}"/>`).join(
      '',
    );
    const xml = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p">${tasks}</bpmn:process></bpmn:definitions>`;
    const result = await importBpmn(xml);
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ code: 'TOO_MANY_NODES' })] });
  });
});
