import { describe, expect, it } from 'vitest';
import { filtersLine } from './RoutingPage.tsx';
import { ordinal } from './useRouteOrder.ts';

const auto = { mode: 'auto' as const, channels: [], categories: [], priorities: [], tiers: [] };

describe('ordinal', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [111, '111th'],
  ])('given %i, when written, then it reads %s', (n, words) => {
    expect(ordinal(n)).toBe(words);
  });
});

describe('filtersLine', () => {
  it('given each kind of flow, when listed, then its line says what it takes or why intake skips it', () => {
    expect(filtersLine({ trigger: null, filters: 'not published' })).toBe('Not published: intake skips it');
    expect(filtersLine({ trigger: { ...auto, mode: 'manual' }, filters: 'started by hand only' })).toBe(
      'Started by hand only: intake skips it',
    );
    expect(filtersLine({ trigger: auto, filters: 'every ticket' })).toBe('Takes every ticket');
    expect(filtersLine({ trigger: { ...auto, channels: ['phone'] }, filters: 'phone tickets' })).toBe(
      'Takes phone tickets',
    );
  });
});
