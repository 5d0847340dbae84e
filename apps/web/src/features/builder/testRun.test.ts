import { type FlowDocument, TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import {
  completeStep,
  currentNode,
  customerReplies,
  DEFAULT_SAMPLE,
  sampleForm,
  startRun,
  timeOut,
} from './testRun.ts';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');

function refund(): FlowDocument {
  const template = TEMPLATES.find((t) => t.id === 'refund-request');
  if (!template) throw new Error('the refund template is missing');
  return template.document;
}

function step(run: ReturnType<typeof startRun>) {
  const node = currentNode(run);
  if (node?.type !== 'step') throw new Error(`not at a step: ${node?.type}`);
  return node;
}

describe('test run', () => {
  it('given a refund ticket, when started, then it runs to the first step and the path shows it', () => {
    const run = startRun(refund(), { ...DEFAULT_SAMPLE, category: 'refund' }, NOW);
    expect(run.state.status).toBe('at_step');
    expect(run.path).toEqual(['start', 'verify']);
    expect(run.log[0]).toEqual({ kind: 'event', label: 'Ticket created' });
  });

  it('given a step, when completed with the prefilled form and an amount over the limit, then the decision explains the branch it took', () => {
    let run = startRun(refund(), DEFAULT_SAMPLE, NOW);
    const verify = step(run);
    const form = { ...sampleForm(verify), amount: '250' };
    run = completeStep(
      run,
      verify,
      'eligible',
      form,
      verify.data.checklist.map((c) => c.id),
      NOW,
    );
    expect(run.state.nodeId).toBe('manager_approval');
    const decision = run.log.flatMap((i) =>
      i.kind === 'trail' && i.entry.type === 'decision_evaluated' ? [i.entry] : [],
    );
    expect(decision).toHaveLength(1);
    expect(decision[0]?.branchId).toBe('over_limit');
    expect(decision[0]?.tried[0]?.comparisons[0]).toMatchObject({
      field: 'amount',
      operator: 'greater_than',
      expected: 100,
      actual: 250,
      result: true,
    });
    expect(run.path).toEqual(['start', 'verify', 'check_amount', 'manager_approval']);
  });

  it('given required checklist items left unticked, when completed, then the engine refuses and the run stays where it was', () => {
    const run = startRun(refund(), DEFAULT_SAMPLE, NOW);
    const verify = step(run);
    const after = completeStep(run, verify, 'eligible', sampleForm(verify), [], NOW);
    expect(after.state).toBe(run.state);
    expect(after.log.at(-1)?.kind).toBe('refused');
  });

  it('given the whole refund path, when replies and time-outs are simulated, then the run ends with the status of the end reached', () => {
    let run = startRun(refund(), DEFAULT_SAMPLE, NOW);
    let at = step(run);
    run = completeStep(
      run,
      at,
      'eligible',
      { ...sampleForm(at), amount: '20' },
      at.data.checklist.map((c) => c.id),
      NOW,
    );
    at = step(run);
    expect(at.id).toBe('issue_refund');
    run = completeStep(
      run,
      at,
      'refunded',
      sampleForm(at),
      at.data.checklist.map((c) => c.id),
      NOW,
    );
    expect(run.state.status).toBe('waiting');
    const wait = currentNode(run);
    if (wait?.type !== 'wait') throw new Error('not waiting');
    const replied = customerReplies(run, NOW);
    expect(replied.state.status).toBe('ended');
    expect(replied.state.endStatus).toBe('resolved');
    const timedOut = timeOut(run, wait, NOW);
    expect(timedOut.state.nodeId).toBe('end_no_reply');
  });

  it('given requirements per outcome, when "Not eligible" is picked with one tick and no amount, then the run goes on; "Eligible" is refused', () => {
    const run = startRun(refund(), DEFAULT_SAMPLE, NOW);
    const verify = step(run);
    const form = { order_number: 'A-1', amount: '', arrived_damaged: '' };
    const eligible = completeStep(run, verify, 'eligible', form, ['order_found'], NOW);
    expect(eligible.state.nodeId).toBe('verify');
    expect(eligible.log.at(-1)).toEqual({
      kind: 'refused',
      message: expect.stringContaining('Tick the required'),
    });
    const declined = completeStep(run, verify, 'not_eligible', form, ['order_found'], NOW);
    expect(declined.path).toContain('explain_alternatives');
    expect(declined.state.ticket.fields).toEqual({ order_number: 'A-1' });
  });

  it('given the yes/no answer "no" from the radio buttons, when completed, then the ticket holds false', () => {
    const run = startRun(refund(), DEFAULT_SAMPLE, NOW);
    const verify = step(run);
    const form = { ...sampleForm(verify), arrived_damaged: 'no' };
    const ids = verify.data.checklist.map((c) => c.id);
    expect(completeStep(run, verify, 'eligible', form, ids, NOW).state.ticket.fields.arrived_damaged).toBe(
      false,
    );
  });

  it('given form fields of every type, when sample values are made, then the engine accepts them', () => {
    const run = startRun(refund(), DEFAULT_SAMPLE, NOW);
    const verify = step(run);
    expect(sampleForm(verify)).toEqual({
      order_number: 'Sample order number',
      amount: '42',
      arrived_damaged: 'yes',
      refund_reason: 'Damaged',
    });
  });
});
