import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlowDocument } from './parseFlowDocument.ts';
import { type FlowDocument, LIMITS } from './schema.ts';
import { TEMPLATE_TEAMS, TEMPLATES } from './templates.ts';
import { initialState, transition } from './transition.ts';
import type { EngineEvent, RunState, TicketData, TransitionResult } from './types.ts';
import { validate } from './validate.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const NOW = Date.UTC(2024, 4, 1, 9, 0);

function load(name: string): FlowDocument {
  const result = parseFlowDocument(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')));
  if (!result.ok) throw new Error(`${name}: ${result.issues.map((i) => i.message).join('; ')}`);
  return result.document;
}

const ticket = (over: Partial<TicketData> = {}): TicketData => ({
  channel: 'email',
  priority: 'normal',
  category: 'general',
  subject: 'Help needed',
  customer: { name: 'Ada', email: 'ada@example.com', tier: 'existing' },
  tags: [],
  fields: {},
  ...over,
});

type Move = { event: EngineEvent; path: string[] };

/** Plays a script of events from a new ticket; checks the nodes entered by each move. */
type Moved = Extract<TransitionResult, { ok: true }>;

function play(doc: FlowDocument, t: TicketData, script: Move[]): { state: RunState; results: Moved[] } {
  let state = initialState(t);
  const results: Moved[] = [];
  script.forEach(({ event, path }, i) => {
    const result = transition(doc, state, event, { now: NOW + i * 60_000 });
    if (!result.ok)
      throw new Error(`move ${i} (${event.type}) refused: ${result.error.code} ${result.error.message}`);
    const entered = result.events.flatMap((e) => (e.type === 'node_entered' ? [e.nodeId] : []));
    expect(entered, `nodes entered by move ${i} (${event.type})`).toEqual(path);
    results.push(result);
    state = result.state;
  });
  return { state, results };
}

const complete = (
  nodeId: string,
  outcomeId: string,
  form: Record<string, unknown> = {},
  checklist: string[] = [],
): EngineEvent => ({ type: 'complete_step', nodeId, outcomeId, form, checklist, actorId: 'agent-1' });

const sla = (nodeId: string): EngineEvent => ({ type: 'timer_fired', kind: 'sla', nodeId });

describe('fixture flows', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.flow.json'));

  it('include the templates and the loop', () => {
    expect(files.sort()).toEqual([
      'call-centre-service-request.flow.json',
      'complaint-management.flow.json',
      'escalation.flow.json',
      'loop.flow.json',
      'onboarding.flow.json',
      'proactive-check-in.flow.json',
      'refund-request.flow.json',
      'ticket-resolution.flow.json',
    ]);
  });

  it.each(files)('%s parses, and validates as expected', (name) => {
    // Given a fixture, when parsed and validated
    const issues = validate(load(name));
    // Then the templates are clean (no errors, no warnings) and the loop is exactly an automatic cycle
    if (name === 'loop.flow.json') expect(issues.map((i) => i.code)).toEqual(['AUTOMATIC_CYCLE']);
    else expect(issues).toEqual([]);
  });

  it('are exported as TEMPLATES, equal to the fixture files', () => {
    expect(TEMPLATES.map((t) => `${t.id}.flow.json`).sort()).toEqual(
      files.filter((f) => f !== 'loop.flow.json').sort(),
    );
    for (const template of TEMPLATES) {
      expect(template.document).toEqual(load(`${template.id}.flow.json`));
      expect(template.name.length).toBeGreaterThan(3);
      expect(template.description.length).toBeGreaterThan(20);
    }
  });

  it('use the template team ids (or keep the ticket team) and set an SLA on every step', () => {
    const teams = TEMPLATE_TEAMS.map((t) => t.id);
    for (const template of TEMPLATES) {
      for (const node of template.document.nodes) {
        if (node.type !== 'step') continue;
        if (node.data.teamSource === 'current') expect(node.data.teamId).toBeNull();
        else expect(teams).toContain(node.data.teamId);
        expect(node.data.slaMinutes).toBeGreaterThan(0);
      }
    }
  });
});

describe('scenario: ticket resolution', () => {
  const doc = load('ticket-resolution.flow.json');
  const triageChecks = ['read_conversation', 'check_priority'];

  it('routes a billing issue to billing, then closes with feedback', () => {
    // Given a billing ticket, when it is triaged as Billing and resolved
    const { state, results } = play(doc, ticket({ subject: 'Double charge' }), [
      { event: { type: 'start' }, path: ['start', 'intake', 'triage'] },
      {
        event: complete('triage', 'triaged', { issue_type: 'Billing' }, triageChecks),
        path: ['route', 'resolve_billing'],
      },
      {
        event: complete('resolve_billing', 'resolved', {}, ['account_checked', 'customer_answered']),
        path: ['close', 'end_resolved'],
      },
    ]);
    // Then it ended resolved, with the acknowledgement and summary sent and feedback asked
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved', teamId: 'team-billing' });
    expect(results[0]!.effects).toContainEqual({
      type: 'send_message',
      body: expect.stringContaining(
        'Hi Ada, thanks for reaching out. We have received your request "Double charge"',
      ),
    });
    expect(results[2]!.effects.at(-1)).toEqual({ type: 'request_feedback' });
  });

  it('fast-tracks an urgent technical issue to an engineer', () => {
    // Given a high-priority ticket triaged as Technical
    const { state, results } = play(doc, ticket({ priority: 'high' }), [
      { event: { type: 'start' }, path: ['start', 'intake', 'triage'] },
      {
        event: complete('triage', 'triaged', { issue_type: 'Technical' }, triageChecks),
        path: ['route', 'escalate_urgent', 'resolve_technical'],
      },
    ]);
    // Then priority is urgent and an engineer is picked by load
    expect(state).toMatchObject({ status: 'at_step', nodeId: 'resolve_technical', teamId: 'team-technical' });
    expect(state.ticket.priority).toBe('urgent');
    expect(results[1]!.effects).toContainEqual({
      type: 'assign_agent',
      teamId: 'team-technical',
      strategy: 'least_loaded',
    });
  });

  it('sends a normal technical issue by default, over to billing and back to close', () => {
    play(doc, ticket(), [
      { event: { type: 'start' }, path: ['start', 'intake', 'triage'] },
      {
        event: complete('triage', 'triaged', { issue_type: 'Account' }, triageChecks),
        path: ['route', 'resolve_technical'],
      },
      {
        event: complete('resolve_technical', 'needs_billing', { root_cause: 'Configuration' }, [
          'reproduced',
          'customer_answered',
        ]),
        path: ['resolve_billing'],
      },
      {
        event: complete('resolve_billing', 'resolved', {}, ['account_checked', 'customer_answered']),
        path: ['close', 'end_resolved'],
      },
    ]);
  });

  it('closes spam without feedback', () => {
    const { state, results } = play(doc, ticket(), [
      { event: { type: 'start' }, path: ['start', 'intake', 'triage'] },
      {
        event: complete('triage', 'no_action', { issue_type: 'Other' }, triageChecks),
        path: ['end_no_action'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'closed_unresolved' });
    expect(results[1]!.effects.some((e) => e.type === 'request_feedback')).toBe(false);
  });

  it('escalates an overdue technical step along its SLA-breach edge', () => {
    // Given a ticket at the technical step, when its SLA passes
    const { state, results } = play(doc, ticket(), [
      { event: { type: 'start' }, path: ['start', 'intake', 'triage'] },
      {
        event: complete('triage', 'triaged', { issue_type: 'Technical' }, triageChecks),
        path: ['route', 'resolve_technical'],
      },
      { event: sla('resolve_technical'), path: ['escalate_breach', 'notify_breach', 'resolve_overdue'] },
    ]);
    // Then it went through the escalation to the overdue step, which keeps the team the escalation
    // assigned; urgent, tagged, marked breached for good, with a fresh SLA
    expect(results[2]!.events).toContainEqual({
      type: 'sla_breached',
      nodeId: 'resolve_technical',
      escalatedBy: 'edge',
    });
    expect(state).toMatchObject({
      status: 'at_step',
      nodeId: 'resolve_overdue',
      teamId: 'team-technical',
      breached: false,
      everBreached: true,
    });
    expect(state.ticket.priority).toBe('urgent');
    expect(state.ticket.tags).toContain('sla-escalated');
    expect(results[2]!.effects[0]).toEqual({ type: 'cancel_timers' });
  });

  it('raises the priority of an overdue triage (no breach edge) and keeps it there', () => {
    const { state, results } = play(doc, ticket({ priority: 'low' }), [
      { event: { type: 'start' }, path: ['start', 'intake', 'triage'] },
      { event: sla('triage'), path: [] },
    ]);
    expect(state).toMatchObject({ status: 'at_step', nodeId: 'triage', breached: true });
    expect(state.ticket.priority).toBe('normal');
    expect(results[1]!.events).toContainEqual({
      type: 'sla_breached',
      nodeId: 'triage',
      escalatedBy: 'priority',
    });
  });
});

describe('scenario: refund request', () => {
  const doc = load('refund-request.flow.json');
  const checks = ['order_found', 'within_window', 'no_prior_refund'];
  const refundTicket = ticket({ category: 'refund', subject: 'Broken blender' });
  const issue = complete('issue_refund', 'refunded', { refund_reference: 'PAY-778' }, [
    'refund_issued',
    'order_updated',
  ]);

  it('sends an eligible refund of 250 to manager approval, then refunds and follows up', () => {
    // Given an eligible refund of 250
    const { state, results } = play(doc, refundTicket, [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete(
          'verify',
          'eligible',
          { order_number: 'A-1001', amount: '250', arrived_damaged: 'yes' },
          checks,
        ),
        path: ['check_amount', 'manager_approval'],
      },
      {
        event: complete('manager_approval', 'approved', {}, ['policy_checked']),
        path: ['confirm_refund', 'issue_refund'],
      },
      { event: issue, path: ['follow_up'] },
      { event: { type: 'customer_replied' }, path: ['end_refunded'] },
    ]);
    // Then the customer was told the amount and order, and the flow closed resolved with feedback
    expect(results[2]!.effects).toContainEqual({
      type: 'send_message',
      body: expect.stringContaining('your refund of 250 for order A-1001 has been approved'),
    });
    expect(results[3]!.effects).toContainEqual({
      type: 'schedule_timer',
      kind: 'timeout',
      nodeId: 'follow_up',
      dueAt: NOW + 3 * 60_000 + 4320 * 60_000,
    });
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved' });
    expect(state.ticket.fields).toMatchObject({
      order_number: 'A-1001',
      amount: 250,
      refund_reference: 'PAY-778',
    });
    expect(results[4]!.effects).toContainEqual({ type: 'request_feedback' });
  });

  it('sends a refund of 50 straight to the refund step', () => {
    play(doc, refundTicket, [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete(
          'verify',
          'eligible',
          { order_number: 'A-1002', amount: 50, arrived_damaged: false },
          checks,
        ),
        path: ['check_amount', 'confirm_refund', 'issue_refund'],
      },
    ]);
  });

  it('closes without feedback when the follow-up times out', () => {
    const { state } = play(doc, refundTicket, [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete(
          'verify',
          'eligible',
          { order_number: 'A-1003', amount: 20, arrived_damaged: false },
          checks,
        ),
        path: ['check_amount', 'confirm_refund', 'issue_refund'],
      },
      { event: issue, path: ['follow_up'] },
      { event: { type: 'timer_fired', kind: 'timeout', nodeId: 'follow_up' }, path: ['end_no_reply'] },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved', nodeId: 'end_no_reply' });
  });

  it('explains the alternatives when not eligible', () => {
    const { state, results } = play(doc, refundTicket, [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete('verify', 'not_eligible', { order_number: 'A-1004', amount: 80 }, checks),
        path: ['explain_alternatives', 'end_declined'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'closed_unresolved' });
    expect(state.ticket.tags).toContain('refund-declined');
    expect(results[1]!.effects).toContainEqual({
      type: 'send_message',
      body: expect.stringContaining('request for order A-1004'),
    });
  });

  it('declines without the checks and the amount only an eligible refund needs', () => {
    // Given the template's requirements per outcome: "Not eligible" needs the order found and its number
    const { state } = play(doc, refundTicket, [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete('verify', 'not_eligible', { order_number: 'A-1007' }, ['order_found']),
        path: ['explain_alternatives', 'end_declined'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'closed_unresolved' });
    // while "Eligible" with the same still asks for the rest
    const started = transition(doc, initialState(refundTicket), { type: 'start' }, { now: NOW });
    if (!started.ok) throw new Error(started.error.message);
    const eligible = transition(
      doc,
      started.state,
      complete('verify', 'eligible', { order_number: 'A-1007' }, ['order_found']),
      { now: NOW },
    );
    expect(eligible).toMatchObject({
      ok: false,
      error: {
        code: 'CHECKLIST_INCOMPLETE',
        details: { within_window: expect.any(String), no_prior_refund: expect.any(String) },
      },
    });
  });

  it('explains the alternatives when the manager rejects', () => {
    play(doc, refundTicket, [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete(
          'verify',
          'eligible',
          { order_number: 'A-1005', amount: 900, arrived_damaged: true },
          checks,
        ),
        path: ['check_amount', 'manager_approval'],
      },
      {
        event: complete('manager_approval', 'rejected', {}, ['policy_checked']),
        path: ['explain_alternatives', 'end_declined'],
      },
    ]);
  });

  it('refuses to verify without the checklist or with a non-numeric amount', () => {
    const atVerify = play(doc, refundTicket, [{ event: { type: 'start' }, path: ['start', 'verify'] }]).state;
    const form = { order_number: 'A-1', amount: 10 };
    const noChecks = transition(doc, atVerify, complete('verify', 'eligible', form, ['order_found']), {
      now: NOW,
    });
    expect(noChecks).toMatchObject({
      ok: false,
      error: {
        code: 'CHECKLIST_INCOMPLETE',
        details: {
          within_window: 'Delivered within the 30-day refund window',
          no_prior_refund: 'No earlier refund on this order',
        },
      },
    });
    const badAmount = transition(
      doc,
      atVerify,
      complete('verify', 'eligible', { ...form, amount: 'ten' }, checks),
      { now: NOW },
    );
    expect(badAmount).toMatchObject({
      ok: false,
      error: { code: 'FORM_INVALID', details: { amount: expect.any(String) } },
    });
  });

  it('replays to the same state', () => {
    // Given a recorded script, when replayed twice from the start, then both end in the same state
    const script: Move[] = [
      { event: { type: 'start' }, path: ['start', 'verify'] },
      {
        event: complete(
          'verify',
          'eligible',
          { order_number: 'A-1006', amount: 300, arrived_damaged: false },
          checks,
        ),
        path: ['check_amount', 'manager_approval'],
      },
    ];
    expect(play(doc, refundTicket, script).state).toEqual(play(doc, refundTicket, script).state);
  });
});

describe('scenario: a loop of automatic nodes forced into the engine', () => {
  it(`parks the ticket after ${LIMITS.maxAutomaticRun} automatic nodes with a reason`, () => {
    // Given the loop fixture (invalid, but run anyway as if it had been forced into the database)
    const doc = load('loop.flow.json');
    // When a ticket starts
    const result = transition(doc, initialState(ticket()), { type: 'start' }, { now: NOW });
    // Then it stops at the bound, parked, with the loop named in the trail
    if (!result.ok) throw new Error(result.error.message);
    const entered = result.events.filter((e) => e.type === 'node_entered');
    expect(entered).toHaveLength(LIMITS.maxAutomaticRun);
    expect(result.state.status).toBe('parked');
    const parked = result.events.at(-1);
    expect(parked?.type).toBe('parked');
    expect(parked?.type === 'parked' && parked.reason).toContain('Decision "Ready yet?"');
    expect(parked?.type === 'parked' && parked.reason).toContain('Action "Note another check"');
    // And the tag was added once, not a hundred times
    expect(result.state.ticket.tags).toEqual(['checked']);
  });
});
