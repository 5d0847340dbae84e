import { describe, expect, it } from 'vitest';
import v2Refund from '../fixtures/migrations/v2.refund.json';
import { describeChange, diffDocuments } from './diffDocuments.ts';
import { describeCondition, evaluateCondition } from './evaluateCondition.ts';
import { parseFlowDocument } from './parseFlowDocument.ts';
import { type FlowDocument, isRequiredFor, isRequiredForAll, type StepNode } from './schema.ts';
import {
  all,
  branch,
  comparison,
  decisionNode,
  edge,
  endNode,
  flow,
  startNode,
  stepNode,
} from './testFlows.ts';
import { initialState, transition } from './transition.ts';
import type { RunState, TicketData, TransitionResult } from './types.ts';
import { validate } from './validate.ts';

/*
 * Requirements per outcome (a checklist item or form field required only for some outcomes) and the
 * yes/no form field, through the engine, validation, conditions and the migration from version 2.
 */

const NOW = 1_700_000_000_000;

const ticket: TicketData = {
  channel: 'email',
  priority: 'normal',
  category: 'refund',
  subject: 'Broken kettle',
  customer: { name: 'Ada', email: 'ada@example.com', tier: 'existing' },
  tags: [],
  fields: {},
};

function ok(result: TransitionResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result;
}

const complete = (
  nodeId: string,
  outcomeId: string,
  form: Record<string, unknown> = {},
  checklist: string[] = [],
) => ({ type: 'complete_step', nodeId, outcomeId, form, checklist, actorId: 'agent-1' }) as const;

/** start → verify (eligible → approved? decision, not_eligible → end) */
function refundFlow(): FlowDocument {
  const verify = stepNode('verify', {
    title: 'Verify eligibility',
    checklist: [
      { id: 'order_found', label: 'Order found', required: true },
      { id: 'in_window', label: 'Within return window', required: true, requiredFor: ['eligible'] },
      { id: 'photos', label: 'Photos received', required: false },
    ],
    form: [
      { key: 'amount', label: 'Amount', type: 'number', required: true, requiredFor: ['eligible'] },
      { key: 'damaged', label: 'Arrived damaged', type: 'boolean', required: true },
      { key: 'gift', label: 'Was a gift', type: 'boolean', required: false },
    ],
    outcomes: [
      { id: 'eligible', label: 'Eligible' },
      { id: 'not_eligible', label: 'Not eligible' },
    ],
  });
  return flow(
    [
      startNode(),
      verify,
      decisionNode('check', [branch('damaged', all(comparison('damaged', 'equals', true)))]),
      stepNode('replace'),
      endNode('end'),
    ],
    [
      edge('e1', 'start', 'next', 'verify'),
      edge('e2', 'verify', 'outcome:eligible', 'check'),
      edge('e3', 'verify', 'outcome:not_eligible', 'end'),
      edge('e4', 'check', 'branch:damaged', 'replace'),
      edge('e5', 'check', 'default', 'end'),
      edge('e6', 'replace', 'outcome:done', 'end'),
    ],
  );
}

function atVerify(doc: FlowDocument): RunState {
  return ok(transition(doc, initialState(ticket), { type: 'start' }, { now: NOW })).state;
}

describe('isRequiredFor', () => {
  it('reads required, required for all, and required for chosen outcomes', () => {
    expect(isRequiredFor({ required: false }, 'a')).toBe(false);
    expect(isRequiredFor({ required: true }, 'a')).toBe(true);
    expect(isRequiredFor({ required: true, requiredFor: ['a'] }, 'a')).toBe(true);
    expect(isRequiredFor({ required: true, requiredFor: ['a'] }, 'b')).toBe(false);
    // An outcome list without `required` means nothing: the item is optional.
    expect(isRequiredFor({ required: false, requiredFor: ['a'] }, 'a')).toBe(false);
    expect(isRequiredForAll({ required: true })).toBe(true);
    expect(isRequiredForAll({ required: true, requiredFor: ['a'] })).toBe(false);
  });
});

describe('complete_step with requirements per outcome', () => {
  const doc = refundFlow();

  it('given "Not eligible", when completed without the items only "Eligible" needs, then it goes through', () => {
    // Given a ticket at verify, when completed as not eligible with only the all-outcome requirements met
    const result = ok(
      transition(
        doc,
        atVerify(doc),
        complete('verify', 'not_eligible', { damaged: false }, ['order_found']),
        {
          now: NOW,
        },
      ),
    );
    // Then the ticket ends, the yes/no answer captured as a boolean
    expect(result.state.status).toBe('ended');
    expect(result.state.ticket.fields).toEqual({ damaged: false });
  });

  it('given "Eligible", when the item it needs is not ticked, then only that item is named', () => {
    const result = transition(
      doc,
      atVerify(doc),
      complete('verify', 'eligible', { amount: 20, damaged: true }, ['order_found']),
      { now: NOW },
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'CHECKLIST_INCOMPLETE',
        message: expect.any(String),
        details: { in_window: 'Within return window' },
      },
    });
  });

  it('given "Eligible", when the field it needs is empty, then FORM_INVALID names it', () => {
    const result = transition(
      doc,
      atVerify(doc),
      complete('verify', 'eligible', { damaged: true }, ['order_found', 'in_window']),
      { now: NOW },
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'FORM_INVALID', details: { amount: 'Amount is required.' } },
    });
  });

  it('given any outcome, when a requirement for all outcomes is missing, then it is refused', () => {
    const result = transition(
      doc,
      atVerify(doc),
      complete('verify', 'not_eligible', { damaged: false }, []),
      {
        now: NOW,
      },
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'CHECKLIST_INCOMPLETE', details: { order_found: 'Order found' } },
    });
  });
});

describe('yes/no form fields', () => {
  const doc = refundFlow();
  const ticks = ['order_found', 'in_window'];

  it('given a required yes/no left unanswered, when completed, then it asks for yes or no', () => {
    const result = transition(doc, atVerify(doc), complete('verify', 'eligible', { amount: 5 }, ticks), {
      now: NOW,
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'FORM_INVALID', details: { damaged: 'Arrived damaged needs an answer: yes or no.' } },
    });
  });

  it('given "no" (false), when completed, then the answer counts and is stored as false', () => {
    const result = ok(
      transition(doc, atVerify(doc), complete('verify', 'eligible', { amount: 5, damaged: false }, ticks), {
        now: NOW,
      }),
    );
    // The decision's "Arrived damaged is yes" did not match: the default path ends the ticket
    expect(result.state.ticket.fields).toEqual({ amount: 5, damaged: false });
    expect(result.state.status).toBe('ended');
  });

  it('given "yes", when completed, then the decision on the yes/no field takes its branch', () => {
    const result = ok(
      transition(doc, atVerify(doc), complete('verify', 'eligible', { amount: 5, damaged: true }, ticks), {
        now: NOW,
      }),
    );
    expect(result.state).toMatchObject({ status: 'at_step', nodeId: 'replace' });
    expect(result.state.ticket.fields.damaged).toBe(true);
  });

  it.each([
    ['yes', true],
    ['No', false],
    ['true', true],
    [' false ', false],
  ])('given the text %j from an API caller, when completed, then it is stored as %s', (text, stored) => {
    const result = ok(
      transition(doc, atVerify(doc), complete('verify', 'eligible', { amount: 5, damaged: text }, ticks), {
        now: NOW,
      }),
    );
    expect(result.state.ticket.fields.damaged).toBe(stored);
  });

  it.each([['maybe'], [1], [{ yes: true }]])(
    'given %j, when completed, then it is refused as not yes/no',
    (value) => {
      const result = transition(
        doc,
        atVerify(doc),
        complete('verify', 'eligible', { amount: 5, damaged: value }, ticks),
        { now: NOW },
      );
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'FORM_INVALID', details: { damaged: 'Arrived damaged must be yes or no.' } },
      });
    },
  );

  it('given a yes/no condition, when evaluated and described, then it reads "is yes" / "is no"', () => {
    const isYes = all(comparison('damaged', 'equals', true));
    const isNo = all(comparison('damaged', 'equals', false));
    const fields = { ...ticket, fields: { damaged: false } };
    expect(evaluateCondition(isYes, fields).matched).toBe(false);
    expect(evaluateCondition(isNo, fields).matched).toBe(true);
    // "No" is an answer: the field is set, not empty
    expect(evaluateCondition(all(comparison('damaged', 'is_set')), fields).matched).toBe(true);
    expect(evaluateCondition(all(comparison('damaged', 'is_empty')), ticket).matched).toBe(true);
    expect(describeCondition(isNo, [{ key: 'damaged', label: 'Arrived damaged', type: 'boolean' }])).toBe(
      'Arrived damaged is no',
    );
  });

  it('given a decision comparing a yes/no form field with text, when validated, then it is a type mismatch', () => {
    const bad = refundFlow();
    const check = bad.nodes.find((n) => n.id === 'check');
    if (check?.type !== 'decision') throw new Error('no decision');
    check.data.branches[0]!.condition = all(comparison('damaged', 'equals', 'perhaps'));
    const issues = validate(bad).filter((i) => i.code === 'CONDITION_TYPE_MISMATCH');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('yes/no');
  });
});

describe('validation of requirements per outcome', () => {
  const verifyOf = (doc: FlowDocument) => doc.nodes.find((n) => n.id === 'verify') as StepNode;

  it('given requirements naming existing outcomes, when validated, then there is no requirement problem', () => {
    expect(validate(refundFlow()).filter((i) => i.code === 'REQUIREMENT_UNKNOWN_OUTCOME')).toEqual([]);
  });

  it('given a requirement naming a removed outcome, when validated, then an error names the item and the outcome', () => {
    const doc = refundFlow();
    verifyOf(doc).data.outcomes = [{ id: 'not_eligible', label: 'Not eligible' }];
    doc.edges = doc.edges.filter((e) => e.sourceHandle !== 'outcome:eligible');
    const issues = validate(doc).filter((i) => i.code === 'REQUIREMENT_UNKNOWN_OUTCOME');
    expect(issues.map((i) => [i.severity, i.nodeIds, i.message])).toEqual([
      [
        'error',
        ['verify'],
        'Step "Verify eligibility": the checklist item "Within return window" is required for the outcome "eligible", which the step no longer has: pick its outcomes again or make it required for all.',
      ],
      [
        'error',
        ['verify'],
        'Step "Verify eligibility": the form field "Amount" is required for the outcome "eligible", which the step no longer has: pick its outcomes again or make it required for all.',
      ],
    ]);
  });

  it('given a requirement for no outcome at all, when validated, then it asks to pick outcomes or make it optional', () => {
    const doc = refundFlow();
    verifyOf(doc).data.checklist[1]!.requiredFor = [];
    const issues = validate(doc).filter((i) => i.code === 'REQUIREMENT_UNKNOWN_OUTCOME');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('is required for no outcome');
  });

  it('given an optional item with a stale outcome list, when validated, then nothing is reported (it is ignored)', () => {
    const doc = refundFlow();
    verifyOf(doc).data.checklist[2]!.requiredFor = ['gone'];
    expect(validate(doc).filter((i) => i.code === 'REQUIREMENT_UNKNOWN_OUTCOME')).toEqual([]);
  });
});

describe('a version-2 document with required items', () => {
  it('given the v2 refund fixture, when parsed, then it is version 3 with every requirement for all outcomes', () => {
    expect(v2Refund.schemaVersion).toBe(2);
    const result = parseFlowDocument(structuredClone(v2Refund));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.schemaVersion).toBe(3);
    const verify = result.document.nodes.find((n) => n.id === 'verify') as StepNode;
    const required = verify.data.checklist.filter((c) => c.required);
    expect(required.map((c) => c.id)).toEqual(['order_found', 'within_window', 'no_prior_refund']);
    for (const item of [...verify.data.checklist, ...verify.data.form]) {
      expect(item.requiredFor).toBeUndefined();
      expect(isRequiredForAll(item)).toBe(item.required);
    }
  });

  it('given the migrated document, when "Not eligible" is chosen, then the required items are still required (as before)', () => {
    const result = parseFlowDocument(structuredClone(v2Refund));
    if (!result.ok) throw new Error('does not parse');
    const doc = result.document;
    const state = atVerify(doc);
    expect(state).toMatchObject({ status: 'at_step', nodeId: 'verify' });
    const missing = transition(
      doc,
      state,
      complete('verify', 'not_eligible', { order_number: 'A-1', amount: 10 }, ['order_found']),
      {
        now: NOW,
      },
    );
    expect(missing).toMatchObject({
      ok: false,
      error: {
        code: 'CHECKLIST_INCOMPLETE',
        details: { within_window: expect.any(String), no_prior_refund: expect.any(String) },
      },
    });
    const form = transition(
      doc,
      state,
      complete('verify', 'not_eligible', {}, ['order_found', 'within_window', 'no_prior_refund']),
      { now: NOW },
    );
    expect(form).toMatchObject({ ok: false, error: { code: 'FORM_INVALID' } });
    if (!form.ok) expect(Object.keys(form.error.details ?? {}).sort()).toEqual(['amount', 'order_number']);
    ok(
      transition(
        doc,
        state,
        complete('verify', 'not_eligible', { order_number: 'A-1', amount: 10 }, [
          'order_found',
          'within_window',
          'no_prior_refund',
        ]),
        { now: NOW },
      ),
    );
    expect(validate(doc).filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('the comparison words for requirements', () => {
  const words = (before: FlowDocument, after: FlowDocument) =>
    diffDocuments(before, after).nodes.changed.flatMap((n) => n.changes.map(describeChange));

  it('given a requirement narrowed, widened and a yes/no field added, when compared, then each reads in words', () => {
    const before = refundFlow();
    const after = structuredClone(before);
    const verify = after.nodes.find((n) => n.id === 'verify') as StepNode;
    verify.data.checklist[0]!.requiredFor = ['eligible', 'not_eligible'];
    delete verify.data.checklist[1]!.requiredFor;
    verify.data.form[2]!.required = true;
    expect(words(before, after)).toEqual([
      'Checklist item "Order found" required for: eligible, not_eligible',
      'Checklist item "Within return window" required for: every outcome',
      'Form field "Was a gift" required: no → yes',
    ]);
  });
});
