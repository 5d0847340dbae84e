import type { FlowDocument, FlowNode } from '@stepwise/flow';

/** Refunds under this amount take v2's fast track. */
export const FAST_TRACK_LIMIT = 50;

/** The node ids v2 adds to the "Refund request" template. */
export const FAST_TRACK_NODES = {
  step: 'quick_refund',
  action: 'confirm_quick_refund',
  end: 'end_fast_track',
} as const;

/**
 * Version 2 of the demo's "Refund request" flow, made from version 1 (the template, its teams mapped):
 * an eligible refund under `FAST_TRACK_LIMIT` skips the queue of "Issue the refund" and the three-day wait
 * for the customer's confirmation — the verifying team refunds it at once in one short step and the
 * ticket ends with the customer told and asked for a rating. Larger refunds run as in version 1.
 */
export function refundFastTrack(v1: FlowDocument): FlowDocument {
  const issue = v1.nodes.find((n) => n.id === 'issue_refund');
  const decision = v1.nodes.find((n) => n.id === 'check_amount');
  if (issue?.type !== 'step' || decision?.type !== 'decision')
    throw new Error('The "Refund request" flow no longer has the steps its fast track builds on');
  const teamId = issue.data.teamId;
  const nodes = v1.nodes.map((node): FlowNode => {
    if (node.id !== decision.id || node.type !== 'decision') return node;
    return {
      ...node,
      data: {
        ...node.data,
        label: 'How large is the refund?',
        branches: [
          ...node.data.branches,
          {
            id: 'fast_track',
            label: `Under ${FAST_TRACK_LIMIT}`,
            condition: {
              kind: 'group',
              combinator: 'all',
              rules: [
                { kind: 'comparison', field: 'amount', operator: 'less_than', value: FAST_TRACK_LIMIT },
              ],
            },
          },
        ],
      },
    };
  });
  nodes.push(
    {
      id: FAST_TRACK_NODES.step,
      type: 'step',
      position: { x: 780, y: 220 },
      data: {
        title: 'Refund now (under 50)',
        instructions: `Refunds under ${FAST_TRACK_LIMIT} are issued by the verifying team straight away: no approval, no separate payment queue, no wait for the customer's confirmation.\n\nIssue the refund in the payment system to the original payment method and copy its reference into the form.`,
        checklist: [{ id: 'refund_issued', label: 'Refund issued in the payment system', required: true }],
        form: [{ key: 'refund_reference', label: 'Payment reference', type: 'text', required: true }],
        teamId,
        slaMinutes: 240,
        outcomes: [{ id: 'refunded', label: 'Refund issued' }],
      },
    },
    {
      id: FAST_TRACK_NODES.action,
      type: 'action',
      position: { x: 1040, y: 240 },
      data: {
        label: 'Tell the customer the refund is on its way',
        ops: [
          { op: 'add_tag', tag: 'fast-track' },
          {
            op: 'send_message',
            template:
              'Hi {{customer.name}}, your refund of {{amount}} for order {{order_number}} has been issued. You will see it on your statement within 5 business days.',
          },
        ],
      },
    },
    {
      id: FAST_TRACK_NODES.end,
      type: 'end',
      position: { x: 1300, y: 260 },
      data: { label: 'Refund completed (fast track)', status: 'resolved', feedback: true },
    },
  );
  const edges = [
    ...v1.edges,
    {
      id: 'e-amount-fast-track',
      source: decision.id,
      sourceHandle: 'branch:fast_track',
      target: FAST_TRACK_NODES.step,
    },
    {
      id: 'e-quick-refund-confirm',
      source: FAST_TRACK_NODES.step,
      sourceHandle: 'outcome:refunded',
      target: FAST_TRACK_NODES.action,
    },
    {
      id: 'e-quick-confirm-end',
      source: FAST_TRACK_NODES.action,
      sourceHandle: 'next',
      target: FAST_TRACK_NODES.end,
    },
  ];
  const notes = v1.notes.map((note) =>
    note.id === 'note-policy'
      ? {
          ...note,
          text: `Refund policy: 30 days from delivery, original payment method only. Amounts over 100 need a manager's approval; amounts under ${FAST_TRACK_LIMIT} are refunded at once (fast track).`,
        }
      : note,
  );
  return { ...v1, nodes, edges, notes };
}
