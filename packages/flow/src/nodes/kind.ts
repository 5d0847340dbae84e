import type { z } from 'zod';
import type { ConditionGroup, FieldDef } from '../schemaBase.ts';
import type { Effect, RunState, RunStatus, TrailEntry } from '../types.ts';
import type { RuleCode } from '../validate.ts';

/**
 * What a node kind is, in one place: its document shape, the node the palette drops, its outputs, what
 * the engine does on entering it, its validation rules and its words. The registry (`registry.ts`)
 * holds one per kind; the engine, the validator, the diff, the migration planner and the canvas read
 * them instead of switching over node types.
 */

/** A node of any kind, as every kind shapes it. */
export type NodeShape<T extends string = string> = {
  id: string;
  type: T;
  position: { x: number; y: number };
  data: object;
};

/** An item of a node's data that gives it one output per item (a step's outcome, a decision's branch). */
export type OutputItem = { id: string; label: string };

/**
 * One entry of a kind's output grammar, in display order. Edges leave a node from these handles only.
 * - a fixed handle (`next`, `default`, `sla_breach`, `timeout`), possibly present only on some nodes;
 * - a family `<prefix><item id>`, one handle per item of a list in the node's data.
 */
export type OutputSpec<N> =
  | {
      handle: string;
      /** What the canvas shows on the output: `Next`, `Otherwise`. */
      label: string;
      /** How messages quote the output; `"<label>"` when absent. */
      quoted?: string;
      /** Only nodes passing this have the output (a wait's `timeout`); every node when absent. */
      when?: (node: N) => boolean;
      /**
       * What the validator says when the output is not connected: `required` (the default) reports
       * `UNCONNECTED_OUTPUT`; `optional` says nothing; a rule reports its own code.
       */
      unconnected?: 'required' | 'optional' | { code: RuleCode; message: (nodeName: string) => string };
      /** The canvas draws it as an escalation (dashed, in red). */
      breach?: boolean;
    }
  | {
      prefix: string;
      items: (node: N) => readonly OutputItem[];
    };

/**
 * What entering a node needs and may change. The engine builds it on every move; the migration
 * planner builds one to land a ticket on a node of another version.
 */
export type EntryContext = {
  /** The ticket's run state, the kind's to change (status, team, end status…). */
  state: RunState;
  /** The node as messages name it: `Subflow "Refunds"`. */
  name: string;
  /** Milliseconds since the epoch. */
  now: number;
  /**
   * When the ticket entered the node: `now` on an ordinary move; a migration keeps the time the ticket
   * entered the node it leaves, so an SLA keeps counting from there.
   */
  enteredAt: number;
  effect(effect: Effect): void;
  record(entry: TrailEntry): void;
};

/**
 * What the engine does after entering a node: follow an output (automatic kinds), stop there (the
 * ticket waits), or stop because the node cannot run as configured (the engine parks the ticket with
 * `problem: fix`; a migration refuses to land there, quoting the problem).
 */
export type EntryResult =
  | { follow: string }
  | { stop: true }
  | { incomplete: { problem: string; fix: string } };

/** Reports one validation issue of a node (the severity comes from the code). */
export type Report = (code: RuleCode, message: string) => void;

/** The words of a kind, for people. */
export type KindWords = {
  /** `Step`, `Decision`: the kind's name in messages, on the canvas and in the inspector. */
  label: string;
  /** One line about what the kind does (the palette shows it). */
  description: string;
  /** Names of the kind's data properties, for the version diff: `{ slaMinutes: 'SLA (minutes)' }`. */
  properties: Readonly<Record<string, string>>;
};

/**
 * A node kind. `N` is the node's parsed type. Callbacks are methods so that a kind of one node type
 * can stand in the registry beside the others.
 */
export type NodeKindDef<N extends NodeShape> = {
  type: N['type'];
  /** The node's zod shape: `{ ...nodeBase, type: z.literal(…), data: … }`. */
  schema: z.ZodType<N>;
  /** The data of a node the palette drops: sensible defaults a manager then edits. */
  defaults(): N['data'];
  /** The data property holding the node's name (a step's `title`, every other kind's `label`). */
  nameKey: keyof N['data'] & string;
  words: KindWords;
  /** Its outputs, in display order (none: the node ends the run). */
  outputs: ReadonlyArray<OutputSpec<N>>;
  /**
   * The engine enters and leaves it without waiting for anyone: it counts towards the bound on
   * automatic nodes per move and may not be connected to itself.
   */
  automatic: boolean;
  /** Tickets enter the flow here: one per flow, nothing leads into it. */
  entry?: true;
  /** A ticket reaching it has finished the flow (every path must reach one). */
  terminal?: true;
  /** The status of a ticket sitting at a node of this kind; absent when no ticket stays there. */
  waitsAs?: RunStatus;
  /** What the engine does on entering the node (after recording `node_entered`). */
  enter(node: N, ctx: EntryContext): EntryResult;
  /** Rules on the node alone (graph-wide rules live in `validate`); `name` names the node in messages. */
  validate?(node: N, report: Report, name: string): void;
  /** Entering it gives the ticket a team. */
  setsTeam?(node: N): boolean;
  /** Works with the team the ticket arrives with (needs a team set on every path to it). */
  usesCurrentTeam?(node: N): boolean;
  /** The SLA of a ticket sitting at it, in minutes; null: none. */
  slaMinutes?(node: N): number | null;
  /** Fields it captures into the ticket (conditions may read them). */
  capturedFields?(node: N): readonly FieldDef[];
  /** The conditions it evaluates, each with where it sits (`branch "VIP"`), for the field checks. */
  conditions?(node: N): ReadonlyArray<{ where: string; condition: ConditionGroup }>;
};

/**
 * Declares a kind from its zod shape: the rest of the definition is checked against the node type the
 * shape parses to, and the shape keeps its own type (the document schema is the union of them).
 */
export function defineKind<S extends z.ZodType<NodeShape>>(
  schema: S,
  def: NoInfer<Omit<NodeKindDef<z.infer<S>>, 'schema' | 'type'>>,
): NodeKindDef<z.infer<S>> & { schema: S } {
  const type = (schema as unknown as z.ZodObject<{ type: z.ZodLiteral<string> }>).shape.type.value;
  return { ...def, schema, type } as NodeKindDef<z.infer<S>> & { schema: S };
}

/** The ids that occur more than once in a list, each once, in order of their second occurrence. */
export function repeatedIds<I>(items: readonly I[], idOf: (item: I) => string): string[] {
  const repeated: string[] = [];
  // Lists are short (a handful of outcomes or fields): comparing pairs beats building sets.
  for (let i = 1; i < items.length; i++) {
    const id = idOf(items[i]!);
    let firstAt = -1;
    for (let j = 0; j < i && firstAt === -1; j++) if (idOf(items[j]!) === id) firstAt = j;
    if (firstAt === -1) continue;
    let reportedBefore = false;
    for (let j = firstAt + 1; j < i && !reportedBefore; j++)
      if (idOf(items[j]!) === id) reportedBefore = true;
    if (!reportedBefore) repeated.push(id);
  }
  return repeated;
}
