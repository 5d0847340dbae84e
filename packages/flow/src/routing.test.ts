import { describe, expect, it } from 'vitest';
import {
  describeTrigger,
  explainRoute,
  firstPublishOrder,
  moveBefore,
  type RoutingFlow,
  type RoutingTicket,
  shadowingOf,
  triggerMatches,
} from './routing.ts';
import type { StartTrigger } from './schema.ts';

/** An automatic trigger with the given filters (the rest empty = any). */
function auto(filters: Partial<Omit<StartTrigger, 'mode'>> = {}): StartTrigger {
  return { mode: 'auto', channels: [], categories: [], priorities: [], tiers: [], ...filters };
}
const MANUAL: StartTrigger = { mode: 'manual', channels: [], categories: [], priorities: [], tiers: [] };

function flow(name: string, trigger: StartTrigger | null): RoutingFlow {
  return { id: name.toLowerCase().replace(/\s+/g, '-'), name, trigger };
}

const TICKET: RoutingTicket = { channel: 'phone', category: 'billing', priority: 'normal', tier: 'existing' };

describe('describeTrigger', () => {
  it.each<[string, StartTrigger, string]>([
    ['a catch-all', auto(), 'every ticket'],
    ['a manual start', MANUAL, 'started by hand only'],
    [
      'a manual start with filters',
      { ...auto({ channels: ['phone'] }), mode: 'manual' },
      'started by hand only',
    ],
    ['one channel', auto({ channels: ['phone'] }), 'phone tickets'],
    [
      'every filter',
      auto({
        channels: ['chat', 'email'],
        categories: ['billing'],
        priorities: ['urgent', 'high'],
        tiers: ['vip'],
      }),
      'email or chat tickets in category billing, priority high or urgent, VIP customers',
    ],
    [
      'only a category',
      auto({ categories: ['refund', ' Refund ', 'returns'] }),
      'tickets in category refund or returns',
    ],
    ['only a priority', auto({ priorities: ['urgent'] }), 'tickets, priority urgent'],
    ['three tiers', auto({ tiers: ['vip', 'new', 'existing'] }), 'tickets, new, existing or VIP customers'],
  ])('given %s, when described, then it reads "%s"', (_, trigger, words) => {
    // when / then
    expect(describeTrigger(trigger)).toBe(words);
  });
});

describe('triggerMatches', () => {
  it.each<[string, StartTrigger, Partial<RoutingTicket>, boolean]>([
    ['a catch-all, any ticket', auto(), {}, true],
    ['a manual start never', MANUAL, {}, false],
    ['the channel listed', auto({ channels: ['phone', 'chat'] }), {}, true],
    ['another channel', auto({ channels: ['email'] }), {}, false],
    [
      'the category, other case and spaces',
      auto({ categories: [' BILLING '] }),
      { category: 'Billing ' },
      true,
    ],
    ['another category', auto({ categories: ['refund'] }), {}, false],
    ['an empty category against a listed one', auto({ categories: ['refund'] }), { category: '' }, false],
    ['the priority listed', auto({ priorities: ['normal'] }), {}, true],
    ['another priority', auto({ priorities: ['urgent'] }), {}, false],
    ['the tier listed', auto({ tiers: ['existing', 'vip'] }), {}, true],
    ['another tier', auto({ tiers: ['vip'] }), {}, false],
    [
      'all four listed',
      auto({ channels: ['phone'], categories: ['billing'], priorities: ['normal'], tiers: ['existing'] }),
      {},
      true,
    ],
  ])('given %s, when a ticket is matched, then %s', (_, trigger, ticket, expected) => {
    // when / then
    expect(triggerMatches(trigger, { ...TICKET, ...ticket })).toBe(expected);
  });
});

describe('explainRoute', () => {
  it('given flows before the taker, when a ticket is explained, then each earlier flow says why it passed', () => {
    // given
    const flows = [
      flow('Draft only', null),
      flow('By hand', MANUAL),
      flow('VIP email', auto({ channels: ['email'], tiers: ['vip'] })),
      flow('Refunds', auto({ categories: ['refund'] })),
      flow('Phone', auto({ channels: ['phone'] })),
      flow('Everything', auto()),
    ];
    // when
    const explained = explainRoute(flows, TICKET);
    // then
    expect(explained.taken).toEqual({ id: 'phone', name: 'Phone', position: 5 });
    expect(explained.passed.map((p) => [p.position, p.name, p.miss.text])).toEqual([
      [1, 'Draft only', 'not published'],
      [2, 'By hand', 'started by hand'],
      [
        3,
        'VIP email',
        'takes only email tickets, not phone; takes only VIP customers, not existing customers',
      ],
      [4, 'Refunds', 'takes only category refund, not “billing”'],
    ]);
    const vip = explained.passed[2]?.miss;
    expect(vip?.code === 'filters' ? vip.failed.map((f) => f.filter) : []).toEqual(['channel', 'tier']);
  });

  it('given no flow matching, when a ticket is explained, then none takes it and every flow is listed', () => {
    // given
    const flows = [
      flow('Urgent', auto({ priorities: ['urgent', 'high'] })),
      flow('No category', auto({ categories: ['x'] })),
    ];
    // when
    const explained = explainRoute(flows, { ...TICKET, category: '  ' });
    // then
    expect(explained.taken).toBeNull();
    expect(explained.passed.map((p) => p.miss.text)).toEqual([
      'takes only priority high or urgent, not normal',
      'takes only category x, not a ticket without a category',
    ]);
  });

  it('given intake’s rule, when every combination is explained, then the taker is the first flow triggerMatches accepts', () => {
    // given
    const flows = [
      flow('A', auto({ channels: ['phone'], priorities: ['urgent'] })),
      flow('B', auto({ categories: ['billing'], tiers: ['vip'] })),
      flow('C', auto({ channels: ['email', 'chat'] })),
      flow('D', MANUAL),
    ];
    for (const channel of ['email', 'chat', 'phone', 'social', 'web'] as const)
      for (const priority of ['low', 'normal', 'high', 'urgent'] as const)
        for (const tier of ['new', 'existing', 'vip'] as const)
          for (const category of ['billing', 'other']) {
            const ticket = { channel, priority, tier, category };
            // when
            const taken = explainRoute(flows, ticket).taken?.id ?? null;
            // then
            const first = flows.find((f) => f.trigger !== null && triggerMatches(f.trigger, ticket));
            expect(taken).toBe(first?.id ?? null);
          }
  });
});

describe('shadowingOf', () => {
  type Case = [string, RoutingFlow[], { coveredBy: string[]; sentence: string } | null];
  const cases: Case[] = [
    ['the first flow', [flow('Phone', auto({ channels: ['phone'] }))], null],
    [
      'a filtered flow after a catch-all',
      [flow('Ticket resolution', auto()), flow('Phone', auto({ channels: ['phone'] }))],
      {
        coveredBy: ['Ticket resolution'],
        sentence: 'Ticket resolution, earlier in the order, takes every phone ticket',
      },
    ],
    [
      'a catch-all after a catch-all',
      [flow('First', auto()), flow('Second', auto())],
      { coveredBy: ['First'], sentence: 'First, earlier in the order, takes every ticket' },
    ],
    [
      'a narrower flow after a wider one',
      [
        flow('Phone', auto({ channels: ['phone'] })),
        flow('Urgent phone', auto({ channels: ['phone'], priorities: ['urgent'] })),
      ],
      {
        coveredBy: ['Phone'],
        sentence: 'Phone, earlier in the order, takes every phone ticket, priority urgent',
      },
    ],
    [
      'a wider flow after a narrower one',
      [
        flow('Urgent phone', auto({ channels: ['phone'], priorities: ['urgent'] })),
        flow('Phone', auto({ channels: ['phone'] })),
      ],
      null,
    ],
    [
      'two flows covering it together (channels split)',
      [
        flow('Email', auto({ channels: ['email'] })),
        flow('Chat', auto({ channels: ['chat'] })),
        flow('Email or chat VIP', auto({ channels: ['email', 'chat'], tiers: ['vip'] })),
      ],
      {
        coveredBy: ['Email', 'Chat'],
        sentence:
          'Email and Chat, earlier in the order, take every email or chat ticket, VIP customers between them',
      },
    ],
    [
      'three flows covering every priority of every channel together',
      [
        flow('Low', auto({ priorities: ['low', 'normal'] })),
        flow('High', auto({ priorities: ['high'] })),
        flow('Urgent', auto({ priorities: ['urgent'] })),
        flow('Phone', auto({ channels: ['phone'] })),
      ],
      {
        coveredBy: ['Low', 'High', 'Urgent'],
        sentence: 'Low, High and Urgent, earlier in the order, take every phone ticket between them',
      },
    ],
    [
      'flows covering all but one cell',
      [
        flow('Low', auto({ priorities: ['low', 'normal'] })),
        flow('High', auto({ priorities: ['high'] })),
        flow('Phone', auto({ channels: ['phone'] })),
      ],
      null,
    ],
    [
      'a manual and an unpublished flow before it (they take nothing)',
      [flow('By hand', MANUAL), flow('Draft', null), flow('Phone', auto({ channels: ['phone'] }))],
      null,
    ],
    [
      'a manual flow after a catch-all (never routed, so never shadowed)',
      [flow('All', auto()), flow('By hand', MANUAL)],
      null,
    ],
    [
      'any category after a flow listing categories',
      [flow('Billing', auto({ categories: ['billing'] })), flow('Phone', auto({ channels: ['phone'] }))],
      null,
    ],
    [
      'any category after many listed categories (free text is never exhausted)',
      [
        flow('Billing', auto({ categories: ['billing', 'refund', 'shipping', 'technical', 'account'] })),
        flow('Everything', auto()),
      ],
      null,
    ],
    [
      'a listed category after a flow accepting any category',
      [
        flow('Phone', auto({ channels: ['phone'] })),
        flow('Phone billing', auto({ channels: ['phone'], categories: ['billing'] })),
      ],
      {
        coveredBy: ['Phone'],
        sentence: 'Phone, earlier in the order, takes every phone ticket in category billing',
      },
    ],
    [
      'listed categories each covered by a different flow (case and spaces ignored)',
      [
        flow('Billing', auto({ categories: ['Billing'] })),
        flow('Refunds', auto({ categories: [' refund '] })),
        flow('Money', auto({ categories: ['billing', 'REFUND'] })),
      ],
      {
        coveredBy: ['Billing', 'Refunds'],
        sentence:
          'Billing and Refunds, earlier in the order, take every ticket in category billing or REFUND between them',
      },
    ],
    [
      'one listed category not covered',
      [
        flow('Billing', auto({ categories: ['billing'] })),
        flow('Money', auto({ categories: ['billing', 'refund'] })),
      ],
      null,
    ],
    [
      'a listed category covered partly by a category flow and partly by a catch-all of another channel set',
      [
        flow('Phone any', auto({ channels: ['phone'] })),
        flow(
          'Billing elsewhere',
          auto({ categories: ['billing'], channels: ['email', 'chat', 'social', 'web'] }),
        ),
        flow('Billing', auto({ categories: ['billing'] })),
      ],
      {
        coveredBy: ['Phone any', 'Billing elsewhere'],
        sentence:
          'Phone any and Billing elsewhere, earlier in the order, take every ticket in category billing between them',
      },
    ],
  ];

  it.each(cases)('given %s, when checked, then the result names its coverers', (_, flows, expected) => {
    // when
    const result = shadowingOf(flows, flows.length - 1);
    // then
    if (expected === null) {
      expect(result).toBeNull();
      return;
    }
    expect(result?.coveredBy.map((c) => c.name)).toEqual(expected.coveredBy);
    expect(result?.moveBefore.name).toBe(expected.coveredBy[0]);
    expect(result?.sentence).toBe(expected.sentence);
  });

  it('given a shadowed flow, when it moves before the earliest coverer, then it is no longer shadowed', () => {
    // given
    const flows = [
      flow('Refunds', auto({ categories: ['refund'] })),
      flow('Email', auto({ channels: ['email'] })),
      flow('Everything', auto()),
      flow('Email VIP', auto({ channels: ['email'], tiers: ['vip'] })),
    ];
    const shadow = shadowingOf(flows, 3);
    expect(shadow?.moveBefore.name).toBe('Email');
    // when
    const order = moveBefore(
      flows.map((f) => f.id),
      'email-vip',
      shadow?.moveBefore.id ?? '',
    );
    const moved = order.map((id) => flows.find((f) => f.id === id) as RoutingFlow);
    // then
    expect(order).toEqual(['refunds', 'email-vip', 'email', 'everything']);
    expect(shadowingOf(moved, 1)).toBeNull();
  });
});

describe('firstPublishOrder', () => {
  const order = [
    flow('Refunds', auto({ categories: ['refund'] })),
    flow('Ticket resolution', auto()),
    flow('Old draft', null),
    flow('New phone', null),
  ];

  it.each<[string, RoutingFlow[], string, StartTrigger, string[] | null]>([
    [
      'a filtered flow behind a catch-all',
      order,
      'new-phone',
      auto({ channels: ['phone'] }),
      ['refunds', 'new-phone', 'ticket-resolution', 'old-draft'],
    ],
    ['a catch-all (stays where it is)', order, 'new-phone', auto(), null],
    ['a manual flow (never routed)', order, 'new-phone', MANUAL, null],
    [
      'a filtered flow already before the catch-all',
      order,
      'refunds',
      auto({ categories: ['refund'] }),
      null,
    ],
    [
      'no catch-all in the order',
      [flow('A', auto({ channels: ['email'] })), flow('B', null)],
      'b',
      auto({ tiers: ['vip'] }),
      null,
    ],
    ['a flow not in the order', order, 'unknown', auto({ channels: ['phone'] }), null],
  ])('given %s, when first published, then the order is %j', (_, flows, flowId, trigger, expected) => {
    // when / then
    expect(firstPublishOrder(flows, flowId, trigger)).toEqual(expected);
  });
});

describe('moveBefore', () => {
  it('given an order, when a flow moves before another, then only it moves', () => {
    expect(moveBefore(['a', 'b', 'c', 'd'], 'd', 'b')).toEqual(['a', 'd', 'b', 'c']);
    expect(moveBefore(['a', 'b', 'c'], 'a', 'c')).toEqual(['b', 'a', 'c']);
    expect(moveBefore(['a', 'b'], 'a', 'x')).toEqual(['a', 'b']);
  });
});
