import { describe, expect, it } from 'vitest';
import {
  changedRows,
  fromSavedQuery,
  hasFilters,
  parseFilters,
  toListInput,
  toSavedQuery,
  toSearch,
} from './queueFilters.ts';

const params = (query: string) => new URLSearchParams(query);
const FLOW = '5b0f3a56-8a34-4e7c-9c0e-4a7f1c2d3e4f';

const NONE = {
  view: null,
  status: null,
  priority: null,
  flowId: null,
  nodeId: null,
  breachedOnly: false,
  search: null,
  sort: null,
  savedId: null,
};

describe('parseFilters', () => {
  it("given an empty query string, when parsed, then it is the person's default view with no filter", () => {
    expect(parseFilters(params(''), false)).toEqual(NONE);
  });

  it('given every filter in the URL, when parsed, then each is read back', () => {
    const f = parseFilters(
      params(
        `scope=all&status=waiting&priority=urgent&flow=${FLOW}&step=verify&breached=1&sort=priority&q=+late+parcel+`,
      ),
      false,
    );
    expect(f).toEqual({
      view: 'all',
      status: 'waiting',
      priority: 'urgent',
      flowId: FLOW,
      nodeId: 'verify',
      breachedOnly: true,
      search: 'late parcel',
      sort: 'priority',
      savedId: null,
    });
  });

  it('given the unrouted view, when the user may not see it, then the default view is used instead', () => {
    expect(parseFilters(params('scope=unrouted'), false).view).toBeNull();
    expect(parseFilters(params('scope=unrouted'), true).view).toBe('unrouted');
  });

  it('given unknown or malformed values, when parsed, then they are dropped rather than sent to the API', () => {
    const f = parseFilters(
      params(
        'scope=everything&status=ended&priority=asap&flow=<script>&step=x&sort=random&q=%20%20&saved=<x>',
      ),
      true,
    );
    expect(f).toEqual(NONE);
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
    const original = parseFilters(
      params(`scope=mine&priority=high&flow=${FLOW}&step=s1&breached=1&sort=oldest&q=refund`),
      false,
    );
    expect(parseFilters(toSearch(original), false)).toEqual(original);
  });
});

describe('toListInput', () => {
  it('given filters, when turned into the API input, then the view, its default order and the set filters are sent', () => {
    const f = parseFilters(params(`scope=all&priority=urgent&flow=${FLOW}&step=verify&breached=1`), true);
    expect(toListInput(f, 'all')).toEqual({
      view: 'all',
      sort: 'sla',
      limit: 100,
      priority: ['urgent'],
      flowId: FLOW,
      nodeId: 'verify',
      breachedOnly: true,
    });
    expect(hasFilters(f)).toBe(true);
  });

  it('given a search from the top bar, when turned into the API input, then every ticket is searched (no view), latest first', () => {
    expect(toListInput(parseFilters(params('q=zbigniew'), false), 'teams')).toEqual({
      search: 'zbigniew',
      sort: 'updated',
      limit: 100,
    });
  });

  it('given a search within a chosen view (a saved view), when turned into the API input, then the view narrows it', () => {
    expect(toListInput(parseFilters(params('scope=mine&q=zbigniew'), false), 'mine')).toEqual({
      search: 'zbigniew',
      view: 'mine',
      sort: 'updated',
      limit: 100,
    });
    expect(toSavedQuery(parseFilters(params('q=zbigniew'), false), 'teams')).toEqual({
      search: 'zbigniew',
      sort: 'updated',
    });
  });

  it('given a saved view, when opened and saved again, then the same query comes back', () => {
    const query = {
      view: 'breached' as const,
      sort: 'priority' as const,
      priority: ['high' as const],
      search: 'refund',
    };
    const opened = fromSavedQuery('v1', query);
    expect(opened.savedId).toBe('v1');
    expect(toSavedQuery(opened, 'breached')).toEqual(query);
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
