import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCondition, evaluateCondition, readField } from './evaluateCondition.ts';
import { type ConditionGroup, type FlowDocument, OPERATORS } from './schema.ts';
import { all, any, branch, comparison, decisionNode, edge, endNode, flow, startNode } from './testFlows.ts';
import { initialState, transition } from './transition.ts';
import type { TicketData } from './types.ts';

const ticket = (over: Partial<TicketData> = {}): TicketData => ({
  channel: 'email',
  priority: 'urgent',
  category: 'Billing',
  subject: 'Charged twice for my order',
  customer: { name: 'Ada Lovelace', email: 'ada@example.com', tier: 'vip' },
  tags: ['VIP', 'refund'],
  fields: {
    amount: 250,
    order_number: 'A-1001',
    due: '2024-05-01',
    empty: '',
    nothing: null,
    list: [] as never,
  },
  ...over,
});

const match = (rule: ConditionGroup['rules'][number], t: TicketData = ticket()) =>
  evaluateCondition(all(rule), t).matched;

describe('readField', () => {
  it.each([
    ['channel', 'email'],
    ['priority', 'urgent'],
    ['category', 'Billing'],
    ['subject', 'Charged twice for my order'],
    ['customer.tier', 'vip'],
    ['customer.email', 'ada@example.com'],
    ['customer.name', 'Ada Lovelace'],
    ['amount', 250],
    ['missing', undefined],
  ])('reads %s', (key, value) => {
    // Given the sample ticket, when the field is read, then the value comes back
    expect(readField(ticket(), key)).toEqual(value);
  });

  it('reads tags as the list', () => {
    expect(readField(ticket(), 'tags')).toEqual(['VIP', 'refund']);
  });

  it('never reads through the prototype', () => {
    // Given a ticket whose fields lack constructor/toString/__proto__, when read, then nothing is found
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(readField(ticket(), key)).toBeUndefined();
    }
  });

  it('returns undefined for garbage tickets', () => {
    // Given tickets that are not objects or lack parts, when read, then undefined
    expect(readField(null as never, 'priority')).toBeUndefined();
    expect(readField({ fields: 'x' } as never, 'amount')).toBeUndefined();
    expect(readField({ customer: 5 } as never, 'customer.tier')).toBeUndefined();
  });
});

describe('evaluateCondition: operators', () => {
  it.each([
    ['equals ignores case and spaces', comparison('category', 'equals', '  billing '), true],
    ['equals compares numbers numerically', comparison('amount', 'equals', 250.0), true],
    ['equals coerces a numeric string', comparison('amount', 'equals', ' 250 '), true],
    ['equals on a list field means it holds the value', comparison('tags', 'equals', 'vip'), true],
    ['equals a different value', comparison('priority', 'equals', 'low'), false],
    ['equals a missing field', comparison('missing', 'equals', 'x'), false],
    ['not_equals is the negation', comparison('priority', 'not_equals', 'low'), true],
    ['not_equals on a missing field', comparison('missing', 'not_equals', 'x'), true],
    ['in a list', comparison('customer.tier', 'in', ['existing', 'VIP']), true],
    ['in a scalar (one-element list)', comparison('customer.tier', 'in', 'vip'), true],
    ['in with overlap on a list field', comparison('tags', 'in', ['refund', 'other']), true],
    ['in a list without it', comparison('customer.tier', 'in', ['new']), false],
    ['not_in', comparison('customer.tier', 'not_in', ['new', 'existing']), true],
    ['contains a substring, any case', comparison('subject', 'contains', 'TWICE'), true],
    ['contains on a list field', comparison('tags', 'contains', 'Refund'), true],
    ['contains something absent', comparison('subject', 'contains', 'refund'), false],
    ['contains on a number', comparison('amount', 'contains', '25'), true],
    ['greater_than numbers', comparison('amount', 'greater_than', 100), true],
    ['greater_than equal numbers', comparison('amount', 'greater_than', 250), false],
    ['less_than numbers', comparison('amount', 'less_than', 1000), true],
    ['greater_than ISO dates as dates', comparison('due', 'greater_than', '2024-04-30'), true],
    ['less_than ISO dates as dates', comparison('due', 'less_than', '2024-05-01T12:00:00Z'), true],
    ['greater_than text is not comparable', comparison('subject', 'greater_than', 'a'), false],
    ['less_than text is not comparable either', comparison('subject', 'less_than', 'z'), false],
    ['greater_than a missing field', comparison('missing', 'greater_than', 1), false],
    ['is_set on a value', comparison('order_number', 'is_set'), true],
    ['is_set on an empty string', comparison('empty', 'is_set'), false],
    ['is_set on null', comparison('nothing', 'is_set'), false],
    ['is_set on an empty list', comparison('list', 'is_set'), false],
    ['is_empty on a missing field', comparison('missing', 'is_empty'), true],
    ['is_empty on a value', comparison('amount', 'is_empty'), false],
  ])('%s', (_words, rule, expected) => {
    // Given the sample ticket, when the comparison is evaluated, then the result is as expected
    expect(match(rule)).toBe(expected);
  });

  it('treats NaN as not comparable and as empty', () => {
    // Given a NaN field
    const t = ticket({ fields: { n: Number.NaN } });
    // When compared, then nothing matches and it is empty
    expect(match(comparison('n', 'equals', Number.NaN as never), t)).toBe(false);
    expect(match(comparison('n', 'greater_than', 0), t)).toBe(false);
    expect(match(comparison('n', 'less_than', 0), t)).toBe(false);
    expect(match(comparison('n', 'is_empty'), t)).toBe(true);
  });

  it('combines with all / any, and empty groups are true / false', () => {
    // Given comparisons that match and not
    const yes = comparison('priority', 'equals', 'urgent');
    const no = comparison('priority', 'equals', 'low');
    // When combined, then all needs every one and any needs one
    expect(evaluateCondition(all(yes, no), ticket()).matched).toBe(false);
    expect(evaluateCondition(any(yes, no), ticket()).matched).toBe(true);
    expect(evaluateCondition(all(yes, any(no, yes)), ticket()).matched).toBe(true);
    expect(evaluateCondition(all(), ticket()).matched).toBe(true);
    expect(evaluateCondition(any(), ticket()).matched).toBe(false);
  });

  it('traces every comparison with the value it saw', () => {
    // Given a group of two comparisons, when evaluated
    const result = evaluateCondition(
      all(comparison('priority', 'equals', 'low'), comparison('amount', 'greater_than', 100)),
      ticket(),
    );
    // Then both are traced, in order, even after the first failed
    expect(result.comparisons).toEqual([
      { field: 'priority', operator: 'equals', expected: 'low', actual: 'urgent', result: false },
      { field: 'amount', operator: 'greater_than', expected: 100, actual: 250, result: true },
    ]);
  });

  it('does not match a group nested deeper than the limit', () => {
    // Given an otherwise true condition nested 11 groups deep
    let group: ConditionGroup = all(comparison('priority', 'is_set'));
    for (let i = 0; i < 10; i++) group = all(group);
    // When evaluated, then it does not match (and does not recurse further)
    expect(evaluateCondition(group, ticket()).matched).toBe(false);
  });

  it('survives a cyclic condition object', () => {
    // Given a group containing itself
    const group = all(comparison('priority', 'is_set')) as ConditionGroup;
    group.rules.push(group);
    // When evaluated, then it returns (no match) instead of overflowing
    expect(evaluateCondition(group, ticket()).matched).toBe(false);
  });
});

describe('describeCondition', () => {
  it('reads like a sentence', () => {
    // Given a group of two comparisons on built-in fields, when described, then it reads as words
    expect(
      describeCondition(
        all(
          comparison('priority', 'equals', 'urgent'),
          comparison('customer.tier', 'in', ['vip', 'existing']),
        ),
      ),
    ).toBe('priority is urgent and customer tier is one of vip, existing');
  });

  it('parenthesises nested groups and names custom fields by label', () => {
    // Given a nested any-group and a custom field with a label
    const group = all(
      comparison('amount', 'greater_than', 100),
      any(comparison('subject', 'is_set'), comparison('tags', 'contains', 'vip')),
    );
    // When described with the document's fields
    const words = describeCondition(group, [{ key: 'amount', label: 'Amount', type: 'number' }]);
    // Then the words say it
    expect(words).toBe('Amount is greater than 100 and (subject is set or tags contains vip)');
  });

  it('says always / never for empty groups', () => {
    expect(describeCondition(all())).toBe('always');
    expect(describeCondition(any())).toBe('never');
  });
});

// --- reliability test 4 -------------------------------------------------------------------------

const FIELD_KEYS = [
  'channel',
  'priority',
  'category',
  'subject',
  'tags',
  'customer.tier',
  'customer.email',
  'customer.name',
  'amount',
  'due',
  'missing',
  'constructor',
  '__proto__',
  'toString',
];

const garbage = fc.oneof(
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    '',
    '  ',
    '2024-02-30',
    '12abc',
    '1e3',
    null,
    undefined,
  ),
);

const comparisonArb = fc.record({
  kind: fc.constant('comparison' as const),
  field: fc.oneof(fc.constantFrom(...FIELD_KEYS), fc.string()),
  operator: fc.oneof(fc.constantFrom(...OPERATORS), fc.string()),
  value: fc.oneof(garbage, fc.array(garbage, { maxLength: 4 })),
});

const { group: groupArb } = fc.letrec((tie) => ({
  group: fc.record({
    kind: fc.constant('group' as const),
    combinator: fc.oneof(fc.constantFrom('all' as const, 'any' as const), fc.string() as fc.Arbitrary<never>),
    rules: fc.array(
      fc.oneof({ depthSize: 'small', withCrossShrink: true }, comparisonArb, tie('group'), garbage),
      {
        maxLength: 4,
      },
    ),
  }),
}));

const ticketArb = fc.record(
  {
    channel: fc.oneof(fc.constantFrom('email', 'chat', 'phone'), garbage),
    priority: fc.oneof(fc.constantFrom('low', 'normal', 'high', 'urgent'), garbage),
    category: fc.oneof(fc.string(), garbage),
    subject: fc.oneof(fc.string(), garbage),
    customer: fc.oneof(
      fc.record({
        name: fc.oneof(fc.string(), garbage),
        email: garbage,
        tier: fc.oneof(fc.constantFrom('new', 'vip'), garbage),
      }),
      garbage,
    ),
    tags: fc.oneof(fc.array(fc.oneof(fc.string(), garbage), { maxLength: 4 }), garbage),
    fields: fc.oneof(fc.dictionary(fc.constantFrom(...FIELD_KEYS), garbage), garbage),
  },
  { requiredKeys: [] },
);

const decisionFlow = (branchCount: number, conditions: unknown[]): FlowDocument => {
  const branches = conditions.slice(0, branchCount).map((c, i) => branch(`b${i}`, c as ConditionGroup));
  return flow(
    [startNode(), decisionNode('d', branches), endNode()],
    [
      edge('e0', 'start', 'next', 'd'),
      ...branches.map((b) => edge(`e-${b.id}`, 'd', `branch:${b.id}`, 'end')),
      edge('e-default', 'd', 'default', 'end'),
    ],
  );
};

describe('evaluateCondition: property (reliability test 4)', () => {
  it('is total and deterministic on 10,000 random (condition, ticket) pairs with wrong types', () => {
    fc.assert(
      fc.property(groupArb, ticketArb, (group, t) => {
        // Given any condition and any ticket, when evaluated twice (a throw fails the property)
        const first = evaluateCondition(group as ConditionGroup, t as TicketData);
        const second = evaluateCondition(group as ConditionGroup, t as TicketData);
        // Then the result is a boolean with traces, the same both times
        if (typeof first.matched !== 'boolean' || !Array.isArray(first.comparisons))
          throw new Error('bad result');
        expect(second).toEqual(first);
        if (typeof describeCondition(group as ConditionGroup) !== 'string')
          throw new Error('bad description');
      }),
      { numRuns: 10_000 },
    );
  }, 60_000);

  it('makes a decision with N branches and a default pick exactly one handle, the first match', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(groupArb, { minLength: 5, maxLength: 5 }),
        ticketArb,
        (n, conditions, t) => {
          // Given a decision with n random branches and a default
          const doc = decisionFlow(n, conditions);
          // When a ticket runs through it
          const result = transition(doc, initialState(t as TicketData), { type: 'start' }, { now: 0 });
          // Then exactly one decision was taken, on an existing handle, the first matching branch or the default
          if (!result.ok) throw new Error(result.error.message);
          const decisions = result.events.filter((e) => e.type === 'decision_evaluated');
          if (decisions.length !== 1) throw new Error(`${decisions.length} decisions`);
          const firstMatch = conditions
            .slice(0, n)
            .findIndex((c) => evaluateCondition(c as ConditionGroup, t as TicketData).matched);
          expect(decisions[0]!.handle).toBe(firstMatch === -1 ? 'default' : `branch:b${firstMatch}`);
          if (result.state.status !== 'ended') throw new Error(`status ${result.state.status}`);
        },
      ),
      { numRuns: 10_000 },
    );
  }, 60_000);
});
