import { describeNode, describeOutput } from './describeNode.ts';
import { type FlowIndex, indexFlow } from './indexFlow.ts';
import type { EntryContext, EntryResult } from './nodes/kind.ts';
import { isNodeKind, kindOf } from './nodes/registry.ts';
import {
  type FlowDocument,
  type FlowNode,
  type FormField,
  isRequiredFor,
  LIMITS,
  type Priority,
  type ScalarValue,
  type StepNode,
} from './schema.ts';
import type {
  Effect,
  EngineContext,
  EngineError,
  EngineErrorCode,
  EngineEvent,
  RunState,
  TicketData,
  TrailEntry,
  TransitionResult,
} from './types.ts';

/**
 * The engine: a pure function in the style of XState's `transition`. Given a flow document, a ticket's
 * run state and an event, it returns the next state, the effects the runtime must perform and a trail
 * of what happened — or a typed refusal. It reads no clock (`ctx.now`), performs nothing, never
 * mutates its inputs and never throws: a flow broken at run time (an unconnected output, a loop of
 * automatic nodes past `LIMITS.maxAutomaticRun`) parks the ticket with the reason in the trail.
 */

/** The state of a ticket that has not entered its flow yet. */
export function initialState(ticket: TicketData): RunState {
  return {
    status: 'new',
    nodeId: null,
    ticket,
    teamId: null,
    assigneeId: null,
    breached: false,
    everBreached: false,
    endStatus: null,
  };
}

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** One transition in progress: the new state (ours to change), and what it emits. */
type Run = {
  index: FlowIndex;
  state: RunState;
  effects: Effect[];
  events: TrailEntry[];
  now: number;
  /** Automatic nodes entered so far in this transition. */
  automatic: number;
};

function refuse(code: EngineErrorCode, message: string, details?: Record<string, string>): TransitionResult {
  const error: EngineError = details ? { code, message, details } : { code, message };
  return { ok: false, error };
}

function park(run: Run, nodeId: string | null, reason: string): void {
  run.state.status = 'parked';
  run.state.nodeId = nodeId;
  run.events.push({ type: 'parked', nodeId, reason });
}

/** Parks a run that hit the bound on automatic nodes, naming the loop it went round. */
function parkLoop(run: Run, next: FlowNode): void {
  const path: string[] = [];
  for (const e of run.events) if (e.type === 'node_entered') path.push(e.nodeId);
  const from = path.lastIndexOf(next.id);
  const loop = (from === -1 ? path.slice(-5) : path.slice(from)).slice(0, 8);
  const names = loop.map((id) => {
    const node = run.index.nodes.get(id);
    return node ? describeNode(node) : `"${id}"`;
  });
  names.push(describeNode(next));
  park(
    run,
    run.state.nodeId,
    `Ran ${LIMITS.maxAutomaticRun} automatic nodes in one move without reaching a step, a wait or an end: ` +
      `the loop ${names.join(' → ')} repeats. Fix the flow, then move the ticket on by hand.`,
  );
}

/** Follows `handle` out of `from` and runs on until the ticket has to wait (or parks). */
function follow(run: Run, from: FlowNode, handle: string): void {
  let source = from;
  let out = handle;
  for (;;) {
    const targetId = run.index.targets.get(source.id)?.get(out);
    if (targetId === undefined) {
      park(
        run,
        source.id,
        `Output ${describeOutput(source, out)} of ${describeNode(source)} is not connected: connect it in the flow, then move the ticket on by hand.`,
      );
      return;
    }
    const target = run.index.nodes.get(targetId);
    if (target === undefined) {
      park(
        run,
        source.id,
        `Output ${describeOutput(source, out)} of ${describeNode(source)} leads to a node that does not exist ("${targetId}"): reconnect it in the flow.`,
      );
      return;
    }
    const next = enter(run, target);
    if (next === null) return;
    source = target;
    out = next;
  }
}

/**
 * Enters `node`: records `node_entered` and does what the node's kind does on entry (its `enter`),
 * changing `state` and adding effects and trail entries. The engine's own entry, shared with
 * `planMigration`, which lands a ticket on a node of another version the way the engine would.
 * `enteredAt`: when the ticket's time at the node started (`now` but for a migration).
 */
export function enterNode(
  node: FlowNode,
  state: RunState,
  clock: { now: number; enteredAt: number },
  effects: Effect[],
  events: TrailEntry[],
): EntryResult {
  state.nodeId = node.id;
  events.push({ type: 'node_entered', nodeId: node.id, nodeType: node.type });
  return kindOf(node).enter(node, new Entry(state, node, clock.now, clock.enteredAt, effects, events));
}

/**
 * The entry context as a class: its methods live on the prototype, so a move (which may enter several
 * nodes) creates no closures, and the node's name is only worked out when a kind's message needs it.
 */
class Entry implements EntryContext {
  #name: string | undefined;
  constructor(
    readonly state: RunState,
    private readonly node: FlowNode,
    readonly now: number,
    readonly enteredAt: number,
    private readonly effects: Effect[],
    private readonly events: TrailEntry[],
  ) {}
  get name(): string {
    this.#name ??= describeNode(this.node);
    return this.#name;
  }
  effect(effect: Effect): void {
    this.effects.push(effect);
  }
  record(entry: TrailEntry): void {
    this.events.push(entry);
  }
}

/** Enters a node: returns the output to follow for an automatic node, or null when the run stops. */
function enter(run: Run, node: FlowNode): string | null {
  if (!isNodeKind(node.type)) {
    // Only an unparsed document holds one: the ticket is parked there for a person to move on.
    run.state.nodeId = node.id;
    run.events.push({ type: 'node_entered', nodeId: node.id, nodeType: node.type });
    park(run, node.id, `The flow holds a node of unknown type at "${node.id}".`);
    return null;
  }
  if (kindOf(node).automatic) {
    if (run.automatic >= LIMITS.maxAutomaticRun) {
      parkLoop(run, node);
      return null;
    }
    run.automatic++;
  }
  const result = enterNode(node, run.state, { now: run.now, enteredAt: run.now }, run.effects, run.events);
  if ('follow' in result) return result.follow;
  if ('incomplete' in result) park(run, node.id, `${result.incomplete.problem}: ${result.incomplete.fix}`);
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return day <= days[month - 1]!;
}

/** The problems so far, with one more (created on the first). */
function withProblem(
  problems: Record<string, string> | null,
  key: string,
  message: string,
): Record<string, string> {
  const all = problems ?? {};
  all[key] = message;
  return all;
}

/**
 * Checks a submitted form against a step's fields for one outcome — the check completing a step makes —
 * and returns the coerced values and the problems by field key (null when none). The step card runs it
 * before sending, so a missing required field is shown without a request.
 */
export function readForm(
  fields: readonly FormField[],
  submitted: unknown,
  outcomeId: string,
): { values: Record<string, ScalarValue>; problems: Record<string, string> | null } {
  const form = isRecord(submitted) ? submitted : {};
  const values: Record<string, ScalarValue> = {};
  let problems: Record<string, string> | null = null;
  for (const field of fields) {
    const key = field.key;
    if (FORBIDDEN_KEYS.has(key)) continue;
    const name = field.label.trim() || key;
    const raw = Object.hasOwn(form, key) ? form[key] : undefined;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      if (isRequiredFor(field, outcomeId)) {
        problems = withProblem(
          problems,
          key,
          field.type === 'boolean' ? `${name} needs an answer: yes or no.` : `${name} is required.`,
        );
      }
      continue;
    }
    if (typeof raw === 'string' && raw.length > LIMITS.maxString) {
      problems = withProblem(problems, key, `${name} is at most ${LIMITS.maxString} characters.`);
      continue;
    }
    switch (field.type) {
      case 'number': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
        if (Number.isFinite(n)) values[key] = n;
        else problems = withProblem(problems, key, `${name} must be a number.`);
        break;
      }
      case 'email': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (text.length <= 254 && EMAIL.test(text)) values[key] = text;
        else
          problems = withProblem(problems, key, `${name} must be an email address, like name@example.com.`);
        break;
      }
      case 'date': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (isCalendarDate(text)) values[key] = text;
        else problems = withProblem(problems, key, `${name} must be a date written YYYY-MM-DD.`);
        break;
      }
      case 'boolean': {
        // true/false from the app; "yes"/"no" (or "true"/"false") from an API caller typing text.
        const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
        if (typeof raw === 'boolean') values[key] = raw;
        else if (text === 'yes' || text === 'true') values[key] = true;
        else if (text === 'no' || text === 'false') values[key] = false;
        else problems = withProblem(problems, key, `${name} must be yes or no.`);
        break;
      }
      case 'choice': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        const options = field.options ?? [];
        const option =
          options.find((o) => o === text) ?? options.find((o) => o.toLowerCase() === text.toLowerCase());
        if (option !== undefined) values[key] = option;
        else if (options.length === 0 && text !== '') values[key] = text;
        else problems = withProblem(problems, key, `${name} must be one of: ${options.join(', ')}.`);
        break;
      }
      default: {
        if (typeof raw === 'string') values[key] = raw;
        else if (typeof raw === 'number' && Number.isFinite(raw)) values[key] = String(raw);
        else problems = withProblem(problems, key, `${name} must be text.`);
        break;
      }
    }
  }
  return { values, problems };
}

function completeStep(
  run: Run,
  state: RunState,
  event: Extract<EngineEvent, { type: 'complete_step' }>,
): TransitionResult | null {
  if (state.status === 'ended' || state.status === 'parked') {
    return refuse('TICKET_CLOSED', `This ticket is ${state.status}: it has no step to complete.`);
  }
  if (state.status !== 'at_step' || state.nodeId === null || event.nodeId !== state.nodeId) {
    return refuse(
      'NOT_AT_THIS_STEP',
      'The ticket is no longer at this step (someone may have moved it): reload it to see where it is now.',
    );
  }
  const node = run.index.nodes.get(state.nodeId);
  if (node === undefined || node.type !== 'step') {
    return refuse(
      'BROKEN_FLOW',
      `The ticket's current node "${state.nodeId}" is not a step of this flow version.`,
    );
  }
  let outcome: (typeof node.data.outcomes)[number] | undefined;
  for (const o of node.data.outcomes) if (o.id === event.outcomeId) outcome ??= o;
  if (outcome === undefined) {
    const choices = node.data.outcomes.map((o) => `"${o.label || o.id}"`).join(', ');
    return refuse(
      'UNKNOWN_OUTCOME',
      `${describeNode(node)} has no outcome "${String(event.outcomeId)}": choose one of ${choices}.`,
    );
  }
  const ticked = new Set<string>();
  if (Array.isArray(event.checklist))
    for (const id of event.checklist) if (typeof id === 'string') ticked.add(id);
  let missing: Record<string, string> | null = null;
  const checklist: string[] = [];
  for (const item of node.data.checklist) {
    if (ticked.has(item.id)) checklist.push(item.id);
    else if (isRequiredFor(item, outcome.id) && !FORBIDDEN_KEYS.has(item.id)) {
      missing ??= {};
      missing[item.id] = item.label;
    }
  }
  if (missing) {
    return refuse(
      'CHECKLIST_INCOMPLETE',
      `Tick the required checklist items first: ${Object.values(missing).join('; ')}.`,
      missing,
    );
  }
  const { values, problems } = readForm(node.data.form, event.form, outcome.id);
  if (problems) {
    return refuse(
      'FORM_INVALID',
      `Some form fields need attention: ${Object.values(problems).join(' ')}`,
      problems,
    );
  }
  leave(run);
  let captured = false;
  for (const _ in values) {
    captured = true;
    break;
  }
  if (captured) {
    run.state.ticket = { ...run.state.ticket, fields: { ...run.state.ticket.fields, ...values } };
    run.effects.push({ type: 'set_fields', values });
  }
  run.events.push({ type: 'step_completed', nodeId: node.id, outcomeId: outcome.id, values, checklist });
  follow(run, node, `outcome:${outcome.id}`);
  return null;
}

/** Leaving a step, wait or subflow: its timers are void and the breach flag was about it. */
function leave(run: Run): void {
  run.effects.push({ type: 'cancel_timers' });
  run.state.breached = false;
}

const RAISED: Record<Priority, Priority> = {
  low: 'normal',
  normal: 'high',
  high: 'urgent',
  urgent: 'urgent',
};

function timerFired(
  run: Run,
  state: RunState,
  event: Extract<EngineEvent, { type: 'timer_fired' }>,
): TransitionResult | null {
  const expected = event.kind === 'sla' ? 'at_step' : 'waiting';
  if (state.nodeId === null || event.nodeId !== state.nodeId || state.status !== expected) {
    return refuse('STALE_TIMER', 'This timer is for a node the ticket has left: nothing to do.');
  }
  const node = run.index.nodes.get(state.nodeId);
  if (node === undefined) {
    return refuse('BROKEN_FLOW', `The ticket's current node "${state.nodeId}" is not in this flow version.`);
  }
  if (event.kind === 'sla') {
    if (node.type !== 'step' || state.breached) {
      return refuse('STALE_TIMER', 'This SLA has already been handled: nothing to do.');
    }
    run.events.push({ type: 'timer_fired', nodeId: node.id, kind: 'sla' });
    return slaBreached(run, node);
  }
  const wanted = event.kind === 'wait' ? 'duration' : 'reply';
  if (node.type !== 'wait' || node.data.mode !== wanted) {
    return refuse('STALE_TIMER', `A ${event.kind} timer does not apply to the ticket's current node.`);
  }
  run.events.push({ type: 'timer_fired', nodeId: node.id, kind: event.kind });
  leave(run);
  follow(run, node, event.kind === 'wait' ? 'next' : 'timeout');
  return null;
}

function slaBreached(run: Run, node: StepNode): null {
  const state = run.state;
  state.everBreached = true;
  if (run.index.targets.get(node.id)?.has('sla_breach')) {
    run.events.push({ type: 'sla_breached', nodeId: node.id, escalatedBy: 'edge' });
    leave(run);
    follow(run, node, 'sla_breach');
    return null;
  }
  state.breached = true;
  run.events.push({ type: 'sla_breached', nodeId: node.id, escalatedBy: 'priority' });
  const raised = RAISED[state.ticket.priority] ?? 'urgent';
  if (raised !== state.ticket.priority) {
    state.ticket = { ...state.ticket, priority: raised };
    run.effects.push({ type: 'set_fields', values: { priority: raised } });
  }
  return null;
}

function closedOr(state: RunState, code: EngineErrorCode, message: string): TransitionResult {
  if (state.status === 'ended' || state.status === 'parked') {
    return refuse('TICKET_CLOSED', `This ticket is ${state.status}: it is not waiting for anything.`);
  }
  if (state.status === 'new') return refuse('NOT_STARTED', 'This ticket has not entered its flow yet.');
  return refuse(code, message);
}

function dispatch(
  document: FlowDocument,
  state: RunState,
  event: EngineEvent,
  ctx: EngineContext,
): TransitionResult {
  const run: Run = {
    index: indexFlow(document),
    state: { ...state },
    effects: [],
    events: [],
    now: ctx.now,
    automatic: 0,
  };
  switch (event.type) {
    case 'start': {
      if (state.status !== 'new')
        return refuse('ALREADY_STARTED', 'This ticket has already entered its flow.');
      const start = run.index.start;
      if (start === undefined)
        park(run, null, 'The flow has no Start node: add one, then start the ticket again.');
      else {
        const next = enter(run, start);
        if (next !== null) follow(run, start, next);
      }
      break;
    }
    case 'complete_step': {
      const refused = completeStep(run, state, event);
      if (refused) return refused;
      break;
    }
    case 'timer_fired': {
      const refused = timerFired(run, state, event);
      if (refused) return refused;
      break;
    }
    case 'customer_replied': {
      const node = state.nodeId === null ? undefined : run.index.nodes.get(state.nodeId);
      if (
        state.status !== 'waiting' ||
        node === undefined ||
        node.type !== 'wait' ||
        node.data.mode !== 'reply'
      ) {
        return refuse(
          'NOT_WAITING',
          'The ticket is not waiting for a reply: the reply is only added to the conversation.',
        );
      }
      run.events.push({ type: 'customer_replied', nodeId: node.id });
      leave(run);
      follow(run, node, 'next');
      break;
    }
    case 'subflow_completed': {
      if (state.status !== 'in_subflow') {
        return closedOr(state, 'NOT_WAITING', 'The ticket is not waiting for a subflow.');
      }
      const node = state.nodeId === null ? undefined : run.index.nodes.get(state.nodeId);
      if (node === undefined || node.type !== 'subflow') {
        return refuse(
          'BROKEN_FLOW',
          `The ticket's current node "${state.nodeId}" is not a subflow of this flow version.`,
        );
      }
      leave(run);
      follow(run, node, 'next');
      break;
    }
    default:
      return refuse('BROKEN_FLOW', 'Unknown event.');
  }
  return { ok: true, state: run.state, effects: run.effects, events: run.events };
}

/**
 * Moves a ticket's run by one event and returns the new state (a new object; inputs are never
 * mutated), the effects for the runtime to perform, in order, and the trail of what happened — or a
 * typed refusal (`ALREADY_STARTED`, `TICKET_CLOSED`, `NOT_AT_THIS_STEP`, `UNKNOWN_OUTCOME`,
 * `CHECKLIST_INCOMPLETE`, `FORM_INVALID`, `STALE_TIMER`, `NOT_WAITING`, `NOT_STARTED`, `BROKEN_FLOW`)
 * that changes nothing.
 *
 * Events: `start` enters the Start node; `complete_step` checks outcome, checklist and form, captures
 * the form into the ticket's fields and follows the outcome; `timer_fired` follows an SLA breach edge
 * (or raises the priority and marks the ticket breached), ends a duration wait or times out a reply
 * wait; `customer_replied` ends a reply wait; `subflow_completed` continues after a subflow. After each,
 * automatic nodes run until the ticket reaches a step, a wait, a subflow or an end — at most
 * `LIMITS.maxAutomaticRun` of them, past which the ticket is parked.
 */
export function transition(
  document: FlowDocument,
  state: RunState,
  event: EngineEvent,
  ctx: EngineContext,
): TransitionResult {
  try {
    return dispatch(document, state, event, ctx);
  } catch (cause) {
    // A document or state that is not what the types say (e.g. an unparsed row) must not crash the
    // runtime; the refusal keeps what was thrown, so a bug in the engine still shows its stack.
    return {
      ok: false,
      error: {
        code: 'BROKEN_FLOW',
        message: 'The flow or the ticket state is malformed: the ticket was not moved.',
        cause,
      },
    };
  }
}
