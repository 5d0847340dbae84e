import { CURRENT_SCHEMA_VERSION, type FlowDocument, type FlowNode } from '@stepwise/flow';

const at = (y: number) => ({ x: 0, y });

function start(mode: 'auto' | 'manual', categories: string[] = []): FlowNode {
  return {
    id: 'start',
    type: 'start',
    position: at(0),
    data: { label: 'Start', trigger: { mode, channels: [], categories, priorities: [], tiers: [] } },
  };
}

/** A manual child flow: start → a system message → end (resolved, no feedback). */
export function childDocument(): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      start('manual'),
      {
        id: 'hello',
        type: 'action',
        position: at(100),
        data: { label: 'Say hi', ops: [{ op: 'send_message', template: 'Identity check done.' }] },
      },
      {
        id: 'done',
        type: 'end',
        position: at(200),
        data: { label: 'Done', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'c1', source: 'start', sourceHandle: 'next', target: 'hello' },
      { id: 'c2', source: 'hello', sourceHandle: 'next', target: 'done' },
    ],
    notes: [],
  };
}

/**
 * Every automatic node type: intake (category `tour`) → an action that assigns Billing round-robin,
 * messages the customer and calls a webhook → a reply wait (60-minute timeout) → a subflow (the child
 * flow) → an end asking for feedback. The timeout ends the ticket unresolved.
 */
export function tourDocument(childFlowId: string, webhookUrl: string, billingTeamId: string): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      start('auto', ['tour']),
      {
        id: 'route',
        type: 'action',
        position: at(100),
        data: {
          label: 'Route',
          ops: [
            { op: 'assign', teamId: billingTeamId, strategy: 'round_robin' },
            { op: 'send_message', template: 'Hello {{customer.name}}, we are on it.' },
            { op: 'webhook', url: webhookUrl },
          ],
        },
      },
      {
        id: 'await',
        type: 'wait',
        position: at(200),
        data: { label: 'Await reply', mode: 'reply', minutes: 60 },
      },
      { id: 'verify', type: 'subflow', position: at(300), data: { label: 'Verify', flowId: childFlowId } },
      {
        id: 'closed',
        type: 'end',
        position: at(400),
        data: { label: 'Closed', status: 'resolved', feedback: true },
      },
      {
        id: 'gave_up',
        type: 'end',
        position: at(500),
        data: { label: 'No reply', status: 'closed_unresolved', feedback: false },
      },
    ],
    edges: [
      { id: 't1', source: 'start', sourceHandle: 'next', target: 'route' },
      { id: 't2', source: 'route', sourceHandle: 'next', target: 'await' },
      { id: 't3', source: 'await', sourceHandle: 'next', target: 'verify' },
      { id: 't4', source: 'await', sourceHandle: 'timeout', target: 'gave_up' },
      { id: 't5', source: 'verify', sourceHandle: 'next', target: 'closed' },
    ],
    notes: [],
  };
}

/** start → a → b → a …: a loop of automatic nodes (only possible by writing a version row directly). */
export function cyclicDocument(): FlowDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      start('manual'),
      {
        id: 'a',
        type: 'action',
        position: at(100),
        data: { label: 'Ping', ops: [{ op: 'add_tag', tag: 'ping' }] },
      },
      {
        id: 'b',
        type: 'action',
        position: at(200),
        data: { label: 'Pong', ops: [{ op: 'add_tag', tag: 'pong' }] },
      },
    ],
    edges: [
      { id: 'l1', source: 'start', sourceHandle: 'next', target: 'a' },
      { id: 'l2', source: 'a', sourceHandle: 'next', target: 'b' },
      { id: 'l3', source: 'b', sourceHandle: 'next', target: 'a' },
    ],
    notes: [],
  };
}

/**
 * A notify node on an SLA breach: "Watch" (Billing, 10-minute SLA) whose breach edge posts to the
 * channel it names (default "Escalations"), then "Lead review" (keeps the ticket's team) and an end.
 */
export function breachNotifyDocument(channel = 'Escalations', category = 'breach-notify'): FlowDocument {
  const at = (y: number) => ({ x: 0, y });
  const step = (id: string, title: string, y: number, extra: Record<string, unknown>): FlowNode =>
    ({
      id,
      type: 'step',
      position: at(y),
      data: {
        title,
        instructions: '',
        checklist: [],
        form: [],
        teamId: null,
        slaMinutes: null,
        outcomes: [{ id: 'done', label: 'Done' }],
        ...extra,
      },
    }) as FlowNode;
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: at(0),
        data: {
          label: 'Start',
          trigger: { mode: 'auto', channels: [], categories: [category], priorities: [], tiers: [] },
        },
      },
      step('watch', 'Watch', 100, { teamId: 'team-billing', slaMinutes: 10 }),
      {
        id: 'alert',
        type: 'notify',
        position: at(200),
        data: {
          label: 'Tell the escalations channel',
          channel,
          message: 'SLA breached: #{{ticket.number}} {{ticket.subject}} at {{step.title}}',
        },
      },
      step('lead', 'Lead review', 300, { teamSource: 'current' }),
      {
        id: 'end',
        type: 'end',
        position: at(400),
        data: { label: 'Done', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'n1', source: 'start', sourceHandle: 'next', target: 'watch' },
      { id: 'n2', source: 'watch', sourceHandle: 'outcome:done', target: 'end' },
      { id: 'n3', source: 'watch', sourceHandle: 'sla_breach', target: 'alert' },
      { id: 'n4', source: 'alert', sourceHandle: 'next', target: 'lead' },
      { id: 'n5', source: 'lead', sourceHandle: 'outcome:done', target: 'end' },
    ],
    notes: [],
  };
}

/**
 * Worked by hand: "Assess" (Billing) → a decision on the priority (urgent: "Expedite" for Technical) →
 * an end. A hand edit of the priority before "Assess" is done decides which way the ticket goes.
 */
export function handWorkDocument(): FlowDocument {
  const step = (id: string, title: string, teamId: string, y: number): FlowNode =>
    ({
      id,
      type: 'step',
      position: { x: 0, y },
      data: {
        title,
        instructions: '',
        checklist: [],
        form: [],
        teamId,
        slaMinutes: 60,
        outcomes: [{ id: 'done', label: 'Done' }],
      },
    }) as FlowNode;
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: [{ key: 'order_ref', label: 'Order reference', type: 'text' }],
    nodes: [
      {
        id: 'start',
        type: 'start',
        position: { x: 0, y: 0 },
        data: {
          label: 'Start',
          trigger: { mode: 'auto', channels: [], categories: ['hand-work'], priorities: [], tiers: [] },
        },
      },
      step('assess', 'Assess', 'team-billing', 100),
      {
        id: 'urgent',
        type: 'decision',
        position: { x: 0, y: 200 },
        data: {
          label: 'Urgent?',
          branches: [
            {
              id: 'is_urgent',
              label: 'Urgent',
              condition: {
                kind: 'group',
                combinator: 'all',
                rules: [{ kind: 'comparison', field: 'priority', operator: 'equals', value: 'urgent' }],
              },
            },
          ],
        },
      },
      step('expedite', 'Expedite', 'team-technical', 300),
      {
        id: 'end',
        type: 'end',
        position: { x: 0, y: 400 },
        data: { label: 'Done', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'h1', source: 'start', sourceHandle: 'next', target: 'assess' },
      { id: 'h2', source: 'assess', sourceHandle: 'outcome:done', target: 'urgent' },
      { id: 'h3', source: 'urgent', sourceHandle: 'branch:is_urgent', target: 'expedite' },
      { id: 'h4', source: 'urgent', sourceHandle: 'default', target: 'end' },
      { id: 'h5', source: 'expedite', sourceHandle: 'outcome:done', target: 'end' },
    ],
    notes: [],
  };
}
