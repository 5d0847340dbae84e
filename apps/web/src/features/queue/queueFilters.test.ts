import { describe, expect, it } from 'vitest';
import { changedRows, hasFilters, parseFilters, toQueueInput, toSearch } from './queueFilters.ts';

const params = (query: string) => new URLSearchParams(query);
const FLOW = '5b0f3a56-8a34-4e7c-9c0e-4a7f1c2d3e4f';

describe('parseFilters', () => {
  it('given an empty query string, when parsed, then the view is my teams with no filter', () => {
    expect(parseFilters(params(''), false)).toEqual({
      view: 'teams',
      status: null,
      priority: null,
      flowId: null,
      nodeId: null,
      breachedOnly: false,
    });
  });

  it('given every filter in the URL, when parsed, then each is read back', () => {
    const f = parseFilters(
      params(`scope=all&status=waiting&priority=urgent&flow=${FLOW}&step=verify&breached=1`),
      false,
    );
    expect(f).toEqual({
      view: 'all',
      status: 'waiting',
      priority: 'urgent',
      flowId: FLOW,
      nodeId: 'verify',
      breachedOnly: true,
    });
  });

  it('given the unrouted view, when the user may not see it, then the default view is used instead', () => {
    expect(parseFilters(params('scope=unrouted'), false).view).toBe('teams');
    expect(parseFilters(params('scope=unrouted'), true).view).toBe('unrouted');
  });

  it('given unknown or malformed values, when parsed, then they are dropped rather than sent to the API', () => {
    const f = parseFilters(params('scope=everything&status=ended&priority=asap&flow=<script>&step=x'), true);
    expect(f).toMatchObject({ view: 'teams', status: null, priority: null, flowId: null, nodeId: null });
  });

  it('given a step without a flow, when parsed, then the step is ignored (steps belong to a flow)', () => {
    expect(parseFilters(params('step=verify'), false).nodeId).toBeNull();
  });
});

describe('toSearch', () => {
  it('given the default view, when serialised, then the query string is empty', () => {
    expect(toSearch(parseFilters(params(''), false)).toString()).toBe('');
  });

  it('given filters, when serialised and parsed again, then the same view comes back', () => {
    const original = parseFilters(params(`scope=mine&priority=high&flow=${FLOW}&step=s1&breached=1`), false);
    expect(parseFilters(toSearch(original), false)).toEqual(original);
  });
});

describe('toQueueInput', () => {
  it('given filters, when turned into the API input, then only the set ones are sent', () => {
    const f = parseFilters(params(`scope=all&priority=urgent&flow=${FLOW}&step=verify&breached=1`), true);
    if (f.view === 'unrouted') throw new Error('unexpected view');
    expect(toQueueInput({ ...f, view: f.view })).toEqual({
      scope: 'all',
      limit: 200,
      priority: ['urgent'],
      flowId: FLOW,
      nodeId: 'verify',
      breachedOnly: true,
    });
  });

  it('given no filter, when turned into the API input, then just the scope and limit are sent', () => {
    expect(toQueueInput({ ...parseFilters(params(''), false), view: 'teams' })).toEqual({
      scope: 'teams',
      limit: 200,
    });
    expect(hasFilters(parseFilters(params(''), false))).toBe(false);
  });
});

describe('changedRows', () => {
  const rows = [
    { id: 'a', updatedAt: '2025-01-01T10:00:00Z' },
    { id: 'b', updatedAt: '2025-01-01T10:00:00Z' },
  ];

  it('given the first answer, when compared, then nothing flashes', () => {
    expect(changedRows(null, rows)).toEqual([]);
  });

  it('given a row updated and a row added, when compared, then exactly those flash', () => {
    const previous = new Map(rows.map((r) => [r.id, r.updatedAt]));
    const next = [
      { id: 'a', updatedAt: '2025-01-01T10:00:00Z' },
      { id: 'b', updatedAt: '2025-01-01T10:05:00Z' },
      { id: 'c', updatedAt: '2025-01-01T10:05:00Z' },
    ];
    expect(changedRows(previous, next)).toEqual(['b', 'c']);
  });
});
