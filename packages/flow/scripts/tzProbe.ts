/**
 * Prints, as JSON, what the engine's date handling answers for zone-less and zoned date-times: the
 * parsed instants and the branch a condition takes. `isoTime.test.ts` runs it under two `TZ` values and
 * requires the same output (the engine must not read the host's time zone).
 *
 *   TZ=America/New_York npx tsx packages/flow/scripts/tzProbe.ts
 */
import { evaluateCondition } from '../src/evaluateCondition.ts';
import { parseIsoTime } from '../src/isoTime.ts';
import type { TicketData } from '../src/types.ts';

const inputs = [
  '2024-05-01',
  '2024-05-01T09:30',
  '2024-05-01 23:59:59.999',
  '2024-03-10T02:30',
  '2024-11-03T01:30',
  '2024-05-01T09:30:00Z',
  '2024-05-01T09:30-04:00',
];
const ticket = (due: string): TicketData => ({
  channel: 'email',
  priority: 'normal',
  category: '',
  subject: '',
  customer: { name: '', email: '', tier: 'new' },
  tags: [],
  fields: { due },
});
const branches = inputs.map(
  (due) =>
    evaluateCondition(
      {
        kind: 'group',
        combinator: 'all',
        rules: [{ kind: 'comparison', field: 'due', operator: 'greater_than', value: '2024-05-01T05:00' }],
      },
      ticket(due),
    ).matched,
);
console.log(JSON.stringify({ instants: inputs.map(parseIsoTime), branches }));
