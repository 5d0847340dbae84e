import { describe, expect, it } from 'vitest';
import { fillTemplate, placeholdersOf } from './fillTemplate.ts';
import { notifyKind } from './nodes/notify.ts';
import type { Effect, RunState } from './types.ts';

describe('fillTemplate', () => {
  it('given placeholders with and without groups and spaces, when filled, then each takes its value as text', () => {
    // given
    const values: Record<string, unknown> = {
      'ticket.number': 1042,
      'ticket.subject': 'Invoice twice',
      tags: ['vip', 'billing'],
      urgent: true,
    };
    // when
    const text = fillTemplate(
      '#{{ticket.number}} {{ ticket.subject }} [{{tags}}] urgent={{urgent}} team={{team.name}}',
      (name) => values[name],
    );
    // then: an unknown name is empty, a list is joined
    expect(text).toBe('#1042 Invoice twice [vip, billing] urgent=true team=');
  });

  it('given text that only looks like a placeholder, when filled, then it is left as written', () => {
    expect(fillTemplate('{{ 1abc }} {{a.b.c}} {single}', () => 'X')).toBe('{{ 1abc }} {{a.b.c}} {single}');
    // a name starts with a letter: `__proto__` is no placeholder
    expect(fillTemplate('{{__proto__}}', () => 'X')).toBe('{{__proto__}}');
  });

  it('lists the placeholders a template uses, once each, in order', () => {
    expect(placeholdersOf('{{b}} {{a.x}} {{b}}')).toEqual(['b', 'a.x']);
  });
});

describe('notify node', () => {
  const state = (): RunState => ({
    status: 'at_step',
    nodeId: 'n',
    ticket: {
      channel: 'email',
      priority: 'normal',
      category: '',
      subject: 'S',
      customer: { name: 'C', email: 'c@example.com', tier: 'new' },
      tags: [],
      fields: {},
    },
    teamId: null,
    assigneeId: null,
    breached: false,
    everBreached: false,
    endStatus: null,
  });

  it('given a notify node, when entered, then it leaves one notify_channel effect with its channel and template and goes on', () => {
    // given
    const effects: Effect[] = [];
    const node = {
      id: 'tell',
      type: 'notify' as const,
      position: { x: 0, y: 0 },
      data: { label: 'Tell', channel: ' Escalations ', message: 'Late: {{ticket.number}}' },
    };
    // when
    const result = notifyKind.enter(node, {
      state: state(),
      name: 'Notify "Tell"',
      now: 0,
      enteredAt: 0,
      effect: (e) => effects.push(e),
      record: () => {},
    });
    // then: the runtime fills the template (the number is its own), the channel is named without spaces
    expect(result).toEqual({ follow: 'next' });
    expect(effects).toEqual([
      { type: 'notify_channel', nodeId: 'tell', channel: 'Escalations', template: 'Late: {{ticket.number}}' },
    ]);
  });
});
