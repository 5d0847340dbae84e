import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlowDocument } from './parseFlowDocument.ts';
import type { FlowDocument } from './schema.ts';
import { TEMPLATE_TEAMS, TEMPLATES } from './templates.ts';
import { initialState, transition } from './transition.ts';
import type { EngineEvent, RunState, TicketData } from './types.ts';
import { validate } from './validate.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const NOW = Date.UTC(2024, 4, 6, 9, 0);
const MINUTE = 60_000;

const ticket = (over: Partial<TicketData> = {}): TicketData => ({
  channel: 'email',
  priority: 'normal',
  category: 'general',
  subject: 'Help needed',
  customer: { name: 'Grace', email: 'grace@example.com', tier: 'existing' },
  tags: [],
  fields: {},
  ...over,
});

const complete = (
  nodeId: string,
  outcomeId: string,
  form: Record<string, unknown>,
  checklist: string[],
): EngineEvent => ({ type: 'complete_step', nodeId, outcomeId, form, checklist, actorId: 'agent-1' });

const byId = (id: string) => {
  const template = TEMPLATES.find((t) => t.id === id);
  if (!template) throw new Error(`no template ${id}`);
  return template.document;
};

type Move = { event: EngineEvent; path: string[] };

/** Plays a script from a new ticket, checking the nodes each move enters; returns every result. */
function play(document: FlowDocument, t: TicketData, script: Move[]) {
  let state: RunState = initialState(t);
  const effects: Array<{ type: string; body?: string }> = [];
  script.forEach(({ event, path }, i) => {
    const result = transition(document, state, event, { now: NOW + i * MINUTE });
    if (!result.ok) throw new Error(`move ${i} refused: ${result.error.code} ${result.error.message}`);
    const entered = result.events.flatMap((e) => (e.type === 'node_entered' ? [e.nodeId] : []));
    expect(entered, `nodes entered by move ${i} (${event.type})`).toEqual(path);
    effects.push(...result.effects);
    state = result.state;
  });
  const messages = effects.flatMap((e) => (e.type === 'send_message' && e.body ? [e.body] : []));
  return { state, effects, messages };
}

/** Every team id the document names, on steps and in assign actions. */
function teamsOf(document: FlowDocument): Set<string> {
  const teams = new Set<string>();
  for (const node of document.nodes) {
    if (node.type === 'step' && node.data.teamId) teams.add(node.data.teamId);
    if (node.type === 'action') for (const op of node.data.ops) if (op.op === 'assign') teams.add(op.teamId);
  }
  return teams;
}

describe('TEMPLATES', () => {
  it('lists the seven templates of the product, in order', () => {
    expect(TEMPLATES.map((t) => t.id)).toEqual([
      'ticket-resolution',
      'refund-request',
      'escalation',
      'complaint-management',
      'onboarding',
      'proactive-check-in',
      'call-centre-service-request',
    ]);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s parses from its fixture file and validates without errors or warnings',
    (id, template) => {
      // Given the fixture file, when parsed and validated
      const parsed = parseFlowDocument(
        JSON.parse(readFileSync(new URL(`${id}.flow.json`, FIXTURES), 'utf8')),
      );
      // Then it is the template's document, and clean
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.document).toEqual(template.document);
      expect(validate(parsed.document)).toEqual([]);
    },
  );

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s has a name and a one-sentence description',
    (_, t) => {
      expect(t.name.length).toBeGreaterThan(3);
      expect(t.description.length).toBeGreaterThan(40);
      expect(t.description.trim().endsWith('.')).toBe(true);
      // One sentence: no full stop before the last character.
      expect(t.description.trim().slice(0, -1)).not.toMatch(/\.\s/);
    },
  );

  it('use only the teams of TEMPLATE_TEAMS, and every one of them is used', () => {
    const used = new Set<string>();
    for (const t of TEMPLATES) for (const team of teamsOf(t.document)) used.add(team);
    expect([...used].sort()).toEqual(TEMPLATE_TEAMS.map((t) => t.id).sort());
    for (const team of TEMPLATE_TEAMS) expect(team.name.length).toBeGreaterThan(2);
  });

  it('start onboarding and proactive check-in by hand, the others automatically', () => {
    for (const t of TEMPLATES) {
      const start = t.document.nodes.find((n) => n.type === 'start');
      const mode = start?.type === 'start' ? start.data.trigger.mode : undefined;
      expect(mode, t.id).toBe(t.id === 'onboarding' || t.id === 'proactive-check-in' ? 'manual' : 'auto');
    }
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s is laid out left to right without overlaps',
    (_, { document }) => {
      // Nodes are drawn about 240 × 150; notes at their own size.
      const boxes = [
        ...document.nodes.map((n) => ({ id: n.id, ...n.position, w: 240, h: 150 })),
        ...document.notes.map((n) => ({ id: n.id, ...n.position, w: n.width ?? 240, h: n.height ?? 150 })),
      ];
      for (const a of boxes)
        for (const b of boxes) {
          if (a === b) continue;
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
        }
      const start = document.nodes.find((n) => n.type === 'start')!;
      expect(Math.min(...document.nodes.map((n) => n.position.x))).toBe(start.position.x);
      // Ranks are columns at least 240 px apart.
      const columns = [...new Set(document.nodes.map((n) => n.position.x))].sort((a, b) => a - b);
      for (let i = 1; i < columns.length; i++)
        expect(columns[i]! - columns[i - 1]!).toBeGreaterThanOrEqual(240);
    },
  );

  it('greet the customer by name in every message', () => {
    for (const t of TEMPLATES)
      for (const node of t.document.nodes)
        if (node.type === 'action')
          for (const op of node.data.ops)
            if (op.op === 'send_message')
              expect(op.template, `${t.id}/${node.id}`).toContain('{{customer.name}}');
  });
});

describe('template happy paths (scripted runs from start to an end)', () => {
  it('escalation: reviewed, fixed by technical, confirmed by the customer', () => {
    // Given an escalated ticket of an existing customer
    const { state, messages, effects } = play(byId('escalation'), ticket({ category: 'escalation' }), [
      { event: { type: 'start' }, path: ['start', 'acknowledge', 'severity', 'review'] },
      {
        event: complete(
          'review',
          'plan_agreed',
          {
            escalation_reason: 'Problem keeps coming back',
            action_plan: 'Replace the sync connector and re-run last week’s import.',
            fixing_team: 'Technical',
            promised_date: '2024-05-08',
          },
          ['history_read', 'failures_noted', 'customer_contacted'],
        ),
        path: ['route_fix', 'fix_technical'],
      },
      {
        event: complete('fix_technical', 'fixed', { fix_summary: 'Connector replaced', root_cause: 'Bug' }, [
          'reproduced',
          'fix_tested',
        ]),
        path: ['confirm_fix', 'await_confirmation'],
      },
      { event: { type: 'customer_replied' }, path: ['close_review'] },
      {
        event: complete('close_review', 'satisfied', {}, ['reply_read', 'personal_reply']),
        path: ['end_resolved'],
      },
    ]);
    // Then it ended resolved with feedback, after the senior team and then technical owned it
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved', teamId: 'team-senior' });
    expect(messages[0]).toContain('Hi Grace, I am sorry your request "Help needed"');
    expect(effects).toContainEqual({ type: 'request_feedback' });
  });

  it('escalation: an overdue review goes to the senior lead, who keeps the ticket with Senior', () => {
    // Given an escalated ticket at the review step
    const { state } = play(byId('escalation'), ticket({ category: 'escalation' }), [
      { event: { type: 'start' }, path: ['start', 'acknowledge', 'severity', 'review'] },
      // When the review's SLA passes
      {
        event: { type: 'timer_fired', kind: 'sla', nodeId: 'review' },
        path: ['breach_alert', 'notify_breach', 'lead_takeover'],
      },
    ]);
    // Then the senior lead's step (set to the ticket's current team) keeps the team the alert assigned,
    // and the ticket is marked breached for good
    expect(state).toMatchObject({
      status: 'at_step',
      nodeId: 'lead_takeover',
      teamId: 'team-senior',
      everBreached: true,
    });
    expect(state.ticket.priority).toBe('urgent');
  });

  it('escalation: a VIP is fast-tracked to the least-loaded senior agent', () => {
    const { state, effects } = play(
      byId('escalation'),
      ticket({ customer: { name: 'Vi', email: 'vi@example.com', tier: 'vip' } }),
      [{ event: { type: 'start' }, path: ['start', 'acknowledge', 'severity', 'fast_track', 'review'] }],
    );
    expect(state.ticket.priority).toBe('urgent');
    expect(effects).toContainEqual({ type: 'assign_agent', teamId: 'team-senior', strategy: 'least_loaded' });
  });

  it('complaint management: logged, upheld, answered, accepted and the refund paid', () => {
    const { state, messages } = play(byId('complaint-management'), ticket({ category: 'complaint' }), [
      { event: { type: 'start' }, path: ['start', 'acknowledge', 'record'] },
      {
        event: complete(
          'record',
          'logged',
          { complaint_summary: 'Parcel left in the rain', complaint_about: 'Delivery', severity: 'Minor' },
          ['summary_confirmed', 'history_checked'],
        ),
        path: ['investigate'],
      },
      {
        event: complete(
          'investigate',
          'upheld',
          {
            findings: 'The courier left the parcel outside against your instructions.',
            root_cause: 'Third party',
            remedy: 'Refund',
            remedy_amount: 40,
          },
          ['records_pulled', 'findings_plain'],
        ),
        path: ['needs_signoff', 'propose', 'await_answer'],
      },
      { event: { type: 'customer_replied' }, path: ['record_answer'] },
      {
        event: complete('record_answer', 'accepted', {}, ['reply_read']),
        path: ['remedy_route', 'issue_payment'],
      },
      {
        event: complete('issue_payment', 'paid', { payment_reference: 'RF-2291' }, ['paid', 'reason_code']),
        path: ['end_resolved'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved', teamId: 'team-billing' });
    expect(messages[1]).toContain('What we found: The courier left the parcel outside');
    expect(messages[1]).toContain('What we propose: Refund.');
  });

  it('complaint management: a serious complaint needs senior sign-off', () => {
    play(byId('complaint-management'), ticket(), [
      { event: { type: 'start' }, path: ['start', 'acknowledge', 'record'] },
      {
        event: complete(
          'record',
          'logged',
          { complaint_summary: 'Rude agent', complaint_about: 'Staff behaviour', severity: 'Serious' },
          ['summary_confirmed', 'history_checked'],
        ),
        path: ['investigate'],
      },
      {
        event: complete(
          'investigate',
          'upheld',
          {
            findings: 'The call was handled badly.',
            root_cause: 'Our error',
            remedy: 'Apology and explanation',
          },
          ['records_pulled', 'findings_plain'],
        ),
        path: ['needs_signoff', 'signoff'],
      },
    ]);
  });

  it('onboarding: started by hand, kick-off, set-up, training, go-live and a healthy 30-day review', () => {
    const { state, effects, messages } = play(byId('onboarding'), ticket({ subject: 'Onboarding Acme' }), [
      { event: { type: 'start' }, path: ['start', 'welcome', 'await_times'] },
      { event: { type: 'customer_replied' }, path: ['kickoff'] },
      {
        event: complete(
          'kickoff',
          'held',
          {
            plan: 'Growth',
            seats: '25',
            admin_email: 'it@acme.example',
            go_live_date: '2024-06-03',
            primary_goal: 'answer every chat within 2 minutes',
            data_import: 'No',
          },
          ['agenda_sent', 'goal_recorded', 'notes_sent'],
        ),
        path: ['setup_route', 'configure'],
      },
      {
        event: complete('configure', 'ready', {}, ['admin_created', 'users_invited', 'test_ticket']),
        path: ['training'],
      },
      {
        event: complete('training', 'trained', { attendees: 12, training_date: '2024-05-28' }, [
          'admin_trained',
          'team_trained',
        ]),
        path: ['go_live', 'settle'],
      },
      { event: { type: 'timer_fired', kind: 'wait', nodeId: 'settle' }, path: ['value_review'] },
      {
        event: complete('value_review', 'done', { weekly_active_users: 21, health: 'Healthy' }, [
          'usage_checked',
          'tickets_checked',
          'admin_called',
        ]),
        path: ['health_route', 'complete', 'end_onboarded'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved' });
    expect(state.ticket.fields.onboarding_stage).toBe('Complete');
    expect(effects).toContainEqual({ type: 'assign_agent', teamId: 'team-success', strategy: 'round_robin' });
    // The 30-day wait is a timer of 43,200 minutes from go-live (the fifth move).
    expect(effects).toContainEqual({
      type: 'schedule_timer',
      kind: 'wait',
      nodeId: 'settle',
      dueAt: NOW + 4 * MINUTE + 43_200 * MINUTE,
    });
    expect(messages[1]).toContain('against your goal: answer every chat within 2 minutes');
  });

  it('proactive check-in: message, happy reply, thanks', () => {
    const { state, messages } = play(byId('proactive-check-in'), ticket(), [
      { event: { type: 'start' }, path: ['start', 'prepare'] },
      {
        event: complete('prepare', 'ready', { checkin_reason: 'Quarterly review', open_tickets: 0 }, [
          'tickets_reviewed',
          'usage_checked',
        ]),
        path: ['reach_route', 'send_checkin', 'await_reply'],
      },
      { event: { type: 'customer_replied' }, path: ['record_reply'] },
      {
        event: complete(
          'record_reply',
          'recorded',
          { sentiment: 'Happy', follow_up: 'None', checkin_summary: 'All good, growing the team.' },
          ['replied'],
        ),
        path: ['follow_up_route', 'thank', 'end_done'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved' });
    expect(messages.at(-1)).toContain('Thanks for your time, Grace.');
  });

  it('proactive check-in: a VIP gets a call, and a wish to cancel goes to the senior team', () => {
    const vip = ticket({ customer: { name: 'Vi', email: 'vi@example.com', tier: 'vip' } });
    const { state } = play(byId('proactive-check-in'), vip, [
      { event: { type: 'start' }, path: ['start', 'prepare'] },
      {
        event: complete(
          'prepare',
          'ready',
          { checkin_reason: 'Renewal in the next 60 days', open_tickets: 2 },
          ['tickets_reviewed', 'usage_checked'],
        ),
        path: ['reach_route', 'call'],
      },
      {
        event: complete(
          'call',
          'spoke',
          {
            sentiment: 'Neutral',
            follow_up: 'Wants to cancel',
            checkin_summary: 'Comparing with a competitor.',
          },
          ['purpose_explained', 'open_questions'],
        ),
        path: ['follow_up_route', 'flag_risk', 'keep_account'],
      },
    ]);
    expect(state).toMatchObject({ status: 'at_step', teamId: 'team-senior' });
    expect(state.ticket.tags).toContain('churn-risk');
  });

  it('call-centre service request: answered, account opened, fault recorded, visit booked, report recorded, closed', () => {
    const call = ticket({ channel: 'phone', category: 'service-request', subject: 'Boiler not firing' });
    const { state, messages } = play(byId('call-centre-service-request'), call, [
      { event: { type: 'start' }, path: ['start', 'answer'] },
      {
        event: complete(
          'answer',
          'verified',
          { caller_name: 'Grace Hopper', callback_phone: '+44 20 7946 0000', account_number: 'AC-88121' },
          ['greeted', 'safety_asked'],
        ),
        path: ['open_account'],
      },
      {
        event: complete('open_account', 'opened', { contract: 'Service contract', repeat_fault: 'No' }, [
          'contract_checked',
          'open_jobs_checked',
        ]),
        path: ['record_details'],
      },
      {
        event: complete(
          'record_details',
          'recorded',
          {
            appliance: 'Boiler',
            fault_description: 'Ignition clicks, no flame; error F28.',
            fault_impact: 'Partial loss of service',
          },
          ['read_back'],
        ),
        path: ['urgency', 'check_availability'],
      },
      {
        event: complete(
          'check_availability',
          'booked',
          { visit_date: '2024-05-08', visit_slot: 'Morning (8–12)', engineer_name: 'Sam' },
          ['filtered', 'slot_held'],
        ),
        path: ['charge_route', 'notify_visit', 'record_report'],
      },
      {
        event: complete(
          'record_report',
          'recorded',
          { visit_outcome: 'Fixed', work_done: 'Replaced the ignition electrode.', time_on_site: '50' },
          ['report_received'],
        ),
        path: ['visit_result', 'close_job', 'end_resolved'],
      },
    ]);
    expect(state).toMatchObject({ status: 'ended', endStatus: 'resolved' });
    expect(state.ticket.fields.job_status).toBe('Closed');
    expect(messages[0]).toBe(
      'Hi Grace, your engineer visit is booked for 2024-05-08, Morning (8–12). Your engineer, Sam, will call about 30 minutes before arriving. To change the date, reply to this message or call us at least 24 hours before.',
    );
  });

  it('call-centre service request: an unanswered call escalates to the least-busy agent, whose step keeps the team', () => {
    const { state } = play(byId('call-centre-service-request'), ticket({ channel: 'phone' }), [
      { event: { type: 'start' }, path: ['start', 'answer'] },
      {
        event: { type: 'timer_fired', kind: 'sla', nodeId: 'answer' },
        path: ['answer_overdue', 'notify_breach', 'answer_waiting'],
      },
      {
        event: complete('answer_waiting', 'verified', { caller_name: 'G', callback_phone: '1' }, [
          'apologised',
          'safety_asked',
        ]),
        path: ['open_account'],
      },
    ]);
    expect(state).toMatchObject({ status: 'at_step', nodeId: 'open_account', everBreached: true });
    expect(state.ticket.tags).toContain('answer-sla-missed');
  });

  it('call-centre service request: pay-per-visit pays the call-out once, not again for a return visit', () => {
    const doc = byId('call-centre-service-request');
    const call = ticket({ channel: 'phone' });
    const script: Move[] = [
      { event: { type: 'start' }, path: ['start', 'answer'] },
      {
        event: complete('answer', 'verified', { caller_name: 'G', callback_phone: '1' }, [
          'greeted',
          'safety_asked',
        ]),
        path: ['open_account'],
      },
      {
        event: complete('open_account', 'opened', { contract: 'Pay per visit', repeat_fault: 'No' }, [
          'contract_checked',
          'open_jobs_checked',
        ]),
        path: ['record_details'],
      },
      {
        event: complete(
          'record_details',
          'recorded',
          { appliance: 'Heat pump', fault_description: 'Loud', fault_impact: 'Noise or leak' },
          ['read_back'],
        ),
        path: ['urgency', 'check_availability'],
      },
      {
        event: complete('check_availability', 'booked', { visit_date: '2024-05-09' }, ['filtered']),
        path: ['charge_route', 'take_payment'],
      },
      {
        event: complete('take_payment', 'paid', { payment_reference: 'P-1' }, ['no_card_details']),
        path: ['notify_visit', 'record_report'],
      },
      {
        event: complete(
          'record_report',
          'recorded',
          { visit_outcome: 'Needs parts', work_done: 'Fan bearing ordered.', time_on_site: 30 },
          ['report_received'],
        ),
        path: ['visit_result', 'check_availability'],
      },
      {
        event: complete('check_availability', 'booked', { visit_date: '2024-05-14' }, ['filtered']),
        path: ['charge_route', 'notify_visit', 'record_report'],
      },
    ];
    expect(play(doc, call, script).state.nodeId).toBe('record_report');
  });
});
