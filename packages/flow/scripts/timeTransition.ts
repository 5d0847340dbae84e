/**
 * Timing check of the engine (not a test): drives tickets through a generated 200-node flow and prints
 * the mean time per `transition` call and the time `validate` takes on a 5,000-node flow.
 *
 *   npx tsx packages/flow/scripts/timeTransition.ts
 */
import { generateFlow } from '../src/generateFlow.ts';
import type { FlowDocument, FormField, StepNode } from '../src/schema.ts';
import { initialState, transition } from '../src/transition.ts';
import type { EngineEvent, RunState, TicketData } from '../src/types.ts';
import { validate } from '../src/validate.ts';

const ticket: TicketData = {
  channel: 'email',
  priority: 'normal',
  category: 'billing',
  subject: 'Charged twice',
  customer: { name: 'Ada', email: 'ada@example.com', tier: 'vip' },
  tags: ['vip'],
  fields: { amount: 250, region: 'EU' },
};

function sample(field: FormField): string | number {
  switch (field.type) {
    case 'number':
      return 150;
    case 'email':
      return 'ada@example.com';
    case 'date':
      return '2024-05-01';
    case 'choice':
      return field.options?.[0] ?? 'x';
    default:
      return 'noted';
  }
}

/** The event a diligent agent (or the clock) would send next; precomputed per step for the hot loop. */
function eventsFor(document: FlowDocument): Map<string, EngineEvent> {
  const events = new Map<string, EngineEvent>();
  for (const node of document.nodes) {
    if (node.type === 'step') {
      const step = node as StepNode;
      const form: Record<string, unknown> = {};
      for (const f of step.data.form) form[f.key] = sample(f);
      events.set(node.id, {
        type: 'complete_step',
        nodeId: node.id,
        // The last outcome: sometimes a retry looping back, so runs stay long.
        outcomeId: step.data.outcomes[step.data.outcomes.length - 1]!.id,
        form,
        checklist: step.data.checklist.map((c) => c.id),
        actorId: 'agent-1',
      });
    } else if (node.type === 'wait') {
      events.set(
        node.id,
        node.data.mode === 'duration'
          ? { type: 'timer_fired', kind: 'wait', nodeId: node.id }
          : { type: 'customer_replied' },
      );
    } else if (node.type === 'subflow') events.set(node.id, { type: 'subflow_completed' });
  }
  return events;
}

const document = generateFlow(200, 42);
const events = eventsFor(document);
const start: EngineEvent = { type: 'start' };
let state: RunState = initialState(ticket);
let calls = 0;
let failures = 0;
function drive(n: number): void {
  for (let i = 0; i < n; i++) {
    const event =
      state.status === 'new'
        ? start
        : state.status === 'ended' || state.status === 'parked'
          ? null
          : events.get(state.nodeId!)!;
    if (event === null) {
      state = initialState(ticket);
      continue;
    }
    const result = transition(document, state, event, { now: 1_700_000_000_000 + i });
    calls++;
    if (result.ok) state = result.state;
    else {
      failures++;
      state = initialState(ticket);
    }
  }
}

drive(200_000); // warm-up
calls = 0;
const t0 = performance.now();
drive(1_000_000);
const elapsed = performance.now() - t0;
console.log(
  `transition: ${((elapsed * 1000) / calls).toFixed(3)} µs per call over ${calls} calls (${failures} refused)`,
);

const big = generateFlow(5000, 1);
const first = performance.now();
validate(big);
const firstMs = performance.now() - first;
for (let i = 0; i < 30; i++) validate(big);
const times: number[] = [];
for (let i = 0; i < 100; i++) {
  const t = performance.now();
  validate(big);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  `validate 5,000 nodes / ${big.edges.length} edges: first call ${firstMs.toFixed(2)} ms, median ${times[50]!.toFixed(2)} ms, p90 ${times[90]!.toFixed(2)} ms`,
);
