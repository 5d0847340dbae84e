import { describe, expect, it } from 'vitest';
import { fillMacro } from './fillMacro.ts';
import type { TicketData } from './types.ts';

const ticket: TicketData = {
  channel: 'email',
  priority: 'high',
  category: 'billing',
  subject: 'Charged twice',
  customer: { name: 'Ines  Duarte', email: 'ines@example.com', tier: 'vip' },
  tags: ['refund', 'card'],
  fields: { order_ref: 'A-77', amount: 42 },
};

describe('fillMacro', () => {
  it('given a macro naming ticket, customer, agent and custom fields, when filled, then each placeholder reads its value', () => {
    // given
    const body =
      'Hi {{customer.firstName}}, about #{{ticket.number}} "{{ subject }}" ({{priority}}, {{category}}): order {{order_ref}}, {{amount}} EUR, tags {{tags}}. — {{agent.name}}';
    // when
    const filled = fillMacro(body, { ticket, number: 1042, agentName: 'Sam' });
    // then
    expect(filled).toBe(
      'Hi Ines, about #1042 "Charged twice" (high, billing): order A-77, 42 EUR, tags refund, card. — Sam',
    );
  });

  it('given unknown names and text that only looks like a placeholder, when filled, then unknown names are empty and the rest is kept', () => {
    expect(
      fillMacro('{{nope}}|{{ customer.tier }}|{{1bad}}|{single}', { ticket, number: 1, agentName: '' }),
    ).toBe('|vip|{{1bad}}|{single}');
  });
});
