import {
  type ActionOp,
  type FlowNode,
  nameOf,
  outputLabel as labelOfOutput,
  type StartTrigger,
} from '@stepwise/flow';
import { type CanvasNames, fieldNamer } from './types.ts';

/** The label an output (handle) shows on the canvas: the outcome or branch label, "Otherwise", "Next"… */
export function outputLabel(node: FlowNode, handle: string): string {
  return labelOfOutput(node, handle);
}

/** The node's name as a person reads it: a step's title, otherwise its label, else its type. */
export function nodeTitle(node: FlowNode): string {
  const title = nameOf(node);
  return title.trim() !== '' ? title : `Untitled ${node.type}`;
}

/** `30 min`, `2 h`, `1 h 30 min`, `3 d`. */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(minutes / (24 * 60));
  const h = Math.floor((minutes % (24 * 60)) / 60);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

const list = (items: readonly string[]) => items.join(', ');

/** What lets a ticket in: `Manual start`, or `Email, chat · priority high, urgent` (`Any ticket`). */
export function describeTrigger(trigger: StartTrigger): string {
  if (trigger.mode === 'manual') return 'Started by an agent';
  const parts: string[] = [];
  if (trigger.channels.length) parts.push(`channel ${list(trigger.channels)}`);
  if (trigger.categories.length) parts.push(`category ${list(trigger.categories)}`);
  if (trigger.priorities.length) parts.push(`priority ${list(trigger.priorities)}`);
  if (trigger.tiers.length) parts.push(`tier ${list(trigger.tiers)}`);
  return parts.length ? `Tickets with ${parts.join('; ')}` : 'Any new ticket';
}

const STRATEGY: Record<'team' | 'round_robin' | 'least_loaded', string> = {
  team: "the team's queue",
  round_robin: 'round robin',
  least_loaded: 'least loaded agent',
};

/** One action operation in words: `Set priority to high`, `Assign to Billing (round robin)`. */
export function describeOp(op: ActionOp, names: CanvasNames): string {
  switch (op.op) {
    case 'set_field':
      return `Set ${fieldNamer(names.fields)(op.field)} to ${String(op.value)}`;
    case 'add_tag':
      return `Add tag “${op.tag}”`;
    case 'assign':
      return `Assign to ${names.teams.get(op.teamId) ?? 'a team'} (${STRATEGY[op.strategy]})`;
    case 'send_message':
      return 'Send a message to the customer';
    case 'webhook': {
      let host = op.url;
      try {
        host = new URL(op.url).host;
      } catch {
        // Keep the raw text: the schema already checked it is a URL.
      }
      return `Call webhook ${host}`;
    }
  }
}

const END_WORDS: Record<string, string> = {
  resolved: 'Resolved',
  closed_unresolved: 'Closed unresolved',
  transferred: 'Transferred',
};

export function describeEndStatus(status: string): string {
  return END_WORDS[status] ?? status;
}
