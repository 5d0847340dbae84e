import type { ConditionGroup } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { formatConditionExpression, parseConditionExpression } from './conditionExpression.ts';

const all = (...rules: ConditionGroup['rules']): ConditionGroup => ({
  kind: 'group',
  combinator: 'all',
  rules,
});
const any = (...rules: ConditionGroup['rules']): ConditionGroup => ({
  kind: 'group',
  combinator: 'any',
  rules,
});

describe('condition expressions', () => {
  const cases: Array<[string, ConditionGroup]> = [
    [
      'priority = "urgent"',
      all({ kind: 'comparison', field: 'priority', operator: 'equals', value: 'urgent' }),
    ],
    ['amount > 100', all({ kind: 'comparison', field: 'amount', operator: 'greater_than', value: 100 })],
    ['amount < -2.5', all({ kind: 'comparison', field: 'amount', operator: 'less_than', value: -2.5 })],
    ['vip != true', all({ kind: 'comparison', field: 'vip', operator: 'not_equals', value: true })],
    [
      'customer.tier in ("vip", "existing")',
      all({ kind: 'comparison', field: 'customer.tier', operator: 'in', value: ['vip', 'existing'] }),
    ],
    [
      'not(channel in ("phone"))',
      all({ kind: 'comparison', field: 'channel', operator: 'not_in', value: ['phone'] }),
    ],
    [
      'contains(subject, "refund")',
      all({ kind: 'comparison', field: 'subject', operator: 'contains', value: 'refund' }),
    ],
    ['order_id != null', all({ kind: 'comparison', field: 'order_id', operator: 'is_set' })],
    ['order_id = null', all({ kind: 'comparison', field: 'order_id', operator: 'is_empty' })],
    [
      'priority = "high" or priority = "urgent"',
      any(
        { kind: 'comparison', field: 'priority', operator: 'equals', value: 'high' },
        { kind: 'comparison', field: 'priority', operator: 'equals', value: 'urgent' },
      ),
    ],
    [
      'channel = "email" and (customer.tier = "vip" or amount > 50)',
      all(
        { kind: 'comparison', field: 'channel', operator: 'equals', value: 'email' },
        any(
          { kind: 'comparison', field: 'customer.tier', operator: 'equals', value: 'vip' },
          { kind: 'comparison', field: 'amount', operator: 'greater_than', value: 50 },
        ),
      ),
    ],
    ['false', any()],
  ];

  it.each(cases)('writes and reads %s', (text, condition) => {
    // Given a condition; when it is written as FEEL and read back; then it is the same data
    expect(formatConditionExpression(condition)).toBe(text);
    expect(parseConditionExpression(text)).toEqual(condition);
  });

  it('reads Camunda 8 (leading =) and Camunda 7 JUEL', () => {
    expect(parseConditionExpression('=priority = "urgent"')).toEqual(cases[0]![1]);
    expect(parseConditionExpression("${customer.tier == 'vip' && amount > 100}")).toEqual(
      all(
        { kind: 'comparison', field: 'customer.tier', operator: 'equals', value: 'vip' },
        { kind: 'comparison', field: 'amount', operator: 'greater_than', value: 100 },
      ),
    );
    expect(parseConditionExpression('${a == 1 || b == 2}')?.combinator).toBe('any');
  });

  it.each([
    '',
    '=fraudScore(order) >= 0.8',
    'amount >= 100',
    'amount + 1 > 2',
    'priority = ',
    '"x" = priority',
    '__proto__ = 1',
    'constructor.x = 1',
    'a = "unclosed',
    'not(a = 1)',
    `${'('.repeat(50)}a = 1${')'.repeat(50)}`,
    'x'.repeat(20_000),
  ])('does not map %j', (text) => {
    expect(parseConditionExpression(text)).toBeNull();
  });
});
