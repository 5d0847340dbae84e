import {
  type Channel,
  type EngineEvent,
  type FlowDocument,
  type FormField,
  initialState,
  type Priority,
  type RunState,
  type ScalarValue,
  type StepNode,
  type Tier,
  type TrailEntry,
  transition,
  type WaitNode,
} from '@stepwise/flow';

/** The sample ticket a manager fills in to try the flow. */
export type SampleTicket = {
  channel: Channel;
  priority: Priority;
  tier: Tier;
  category: string;
  subject: string;
  customerName: string;
  customerEmail: string;
  /** Custom fields of the document, by key. */
  fields: Record<string, ScalarValue | null>;
};

export const DEFAULT_SAMPLE: SampleTicket = {
  channel: 'email',
  priority: 'normal',
  tier: 'existing',
  category: '',
  subject: 'I was charged twice',
  customerName: 'Sample Customer',
  customerEmail: 'customer@example.com',
  fields: {},
};

/** One line of the run's log: what the engine did, or why it refused an event. */
export type RunLogItem =
  | { kind: 'trail'; entry: TrailEntry }
  | { kind: 'refused'; message: string }
  | { kind: 'event'; label: string };

/**
 * A test run: the same engine the server runs (`transition`), on a snapshot of the document taken when
 * the run started, with the state, the log and the path of nodes the ticket went through.
 */
export type TestRun = {
  document: FlowDocument;
  state: RunState;
  log: RunLogItem[];
  path: string[];
};

function pathOf(log: readonly RunLogItem[]): string[] {
  const path: string[] = [];
  for (const item of log)
    if (item.kind === 'trail' && item.entry.type === 'node_entered') path.push(item.entry.nodeId);
  return path;
}

function apply(run: TestRun, event: EngineEvent, label: string, now: number): TestRun {
  const result = transition(run.document, run.state, event, { now });
  if (!result.ok) {
    return {
      ...run,
      log: [...run.log, { kind: 'event', label }, { kind: 'refused', message: result.error.message }],
    };
  }
  const log: RunLogItem[] = [
    ...run.log,
    { kind: 'event', label },
    ...result.events.map((entry): RunLogItem => ({ kind: 'trail', entry })),
  ];
  return { ...run, state: result.state, log, path: pathOf(log) };
}

/** Starts a run of `document` for the sample ticket: it enters the Start and runs to its first stop. */
export function startRun(document: FlowDocument, sample: SampleTicket, now: number): TestRun {
  const state = initialState({
    channel: sample.channel,
    priority: sample.priority,
    category: sample.category.trim(),
    subject: sample.subject,
    customer: { name: sample.customerName, email: sample.customerEmail, tier: sample.tier },
    tags: [],
    fields: { ...sample.fields },
  });
  return apply({ document, state, log: [], path: [] }, { type: 'start' }, 'Ticket created', now);
}

/** A valid sample value for a form field, so a run can go on without typing. */
export function sampleValue(field: FormField): string {
  switch (field.type) {
    case 'number':
      return '42';
    case 'date':
      return '2025-01-15';
    case 'email':
      return 'customer@example.com';
    case 'choice':
      return field.options?.[0] ?? '';
    case 'boolean':
      return 'yes';
    case 'text':
      return `Sample ${field.label.toLowerCase() || field.key}`;
  }
}

export function sampleForm(step: StepNode): Record<string, string> {
  return Object.fromEntries(step.data.form.map((f) => [f.key, sampleValue(f)]));
}

/** Completes the current step with an outcome, the form as filled and the ticked checklist items. */
export function completeStep(
  run: TestRun,
  step: StepNode,
  outcomeId: string,
  form: Record<string, string>,
  checklist: readonly string[],
  now: number,
): TestRun {
  const outcome = step.data.outcomes.find((o) => o.id === outcomeId);
  return apply(
    run,
    { type: 'complete_step', nodeId: step.id, outcomeId, form, checklist: [...checklist], actorId: null },
    `Agent picked “${outcome?.label || outcomeId}”`,
    now,
  );
}

/** The SLA of the current step runs out. */
export function breachSla(run: TestRun, step: StepNode, now: number): TestRun {
  return apply(run, { type: 'timer_fired', kind: 'sla', nodeId: step.id }, 'SLA breached', now);
}

export function customerReplies(run: TestRun, now: number): TestRun {
  return apply(run, { type: 'customer_replied' }, 'Customer replied', now);
}

/** The wait's time is up: the duration of a duration wait, the time-out of a reply wait. */
export function timeOut(run: TestRun, wait: WaitNode, now: number): TestRun {
  const kind = wait.data.mode === 'duration' ? 'wait' : 'timeout';
  return apply(
    run,
    { type: 'timer_fired', kind, nodeId: wait.id },
    kind === 'wait' ? 'Wait time passed' : 'Timed out',
    now,
  );
}

export function subflowCompletes(run: TestRun, now: number): TestRun {
  return apply(run, { type: 'subflow_completed' }, 'Subflow finished', now);
}

/** The node the simulated ticket is at, if any. */
export function currentNode(run: TestRun) {
  const id = run.state.nodeId;
  return id === null ? undefined : run.document.nodes.find((n) => n.id === id);
}
