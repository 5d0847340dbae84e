import { z } from 'zod';
import { FieldKey, Id, Label, LIMITS, nodeBase, Text } from '../schemaBase.ts';
import { defineKind, repeatedIds } from './kind.ts';

const MINUTE = 60_000;

/**
 * For which outcomes a required checklist item or form field is required: absent, for every outcome
 * (what `required: true` always meant); a list of outcome ids, only when the step is completed with one
 * of them ("Refund" needs the receipt checked, "Not eligible" does not). Ignored when `required` is false.
 */
const RequiredFor = z.array(Id).max(50).optional();

export const ChecklistItem = z.strictObject({
  id: Id,
  label: Label,
  required: z.boolean(),
  requiredFor: RequiredFor,
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

/** The types of a step's form field; `boolean` is a yes/no question, captured as true or false. */
export const FORM_FIELD_TYPES = ['text', 'number', 'choice', 'date', 'email', 'boolean'] as const;

export const FormField = z.strictObject({
  /** Captured into the ticket's fields under this key. */
  key: FieldKey,
  label: Label,
  type: z.enum(FORM_FIELD_TYPES),
  required: z.boolean(),
  requiredFor: RequiredFor,
  options: z.array(Label).max(LIMITS.maxListItems).optional(),
});
export type FormField = z.infer<typeof FormField>;

/** A checklist item's or form field's requirement: required or not, and for which outcomes. */
export type Requirement = Pick<ChecklistItem, 'required' | 'requiredFor'>;

/** True when completing the step with `outcomeId` needs `item` ticked or filled in. */
export function isRequiredFor(item: Requirement, outcomeId: string): boolean {
  return item.required && (item.requiredFor === undefined || item.requiredFor.includes(outcomeId));
}

/** True when `item` is required for every outcome of its step (not only some). */
export function isRequiredForAll(item: Requirement): boolean {
  return item.required && item.requiredFor === undefined;
}

export const Outcome = z.strictObject({ id: Id, label: Label });
export type Outcome = z.infer<typeof Outcome>;

export const StepNode = z.strictObject({
  ...nodeBase,
  type: z.literal('step'),
  data: z.strictObject({
    title: Label,
    instructions: Text,
    checklist: z.array(ChecklistItem).max(LIMITS.maxListItems),
    form: z.array(FormField).max(LIMITS.maxListItems),
    /** The team that works the step (null: none picked yet). Ignored when `teamSource` is `current`. */
    teamId: Id.nullable(),
    /**
     * Where the step's team comes from. Absent or `named`: the team `teamId` (entering the step moves
     * the ticket to it). `current`: the ticket keeps the team it has when it arrives — the one an
     * earlier step or an assign action (e.g. an escalation's) gave it; `teamId` is then null.
     */
    teamSource: z.enum(['named', 'current']).optional(),
    /** Due within N minutes of entering the step; null = no SLA. */
    slaMinutes: z.number().int().positive().max(525_600).nullable(),
    outcomes: z.array(Outcome).max(50),
  }),
});
export type StepNode = z.infer<typeof StepNode>;

/**
 * The team entering `step` moves a ticket to, or null when the step leaves the ticket's team as it is
 * (a step set to the ticket's current team, or one with no team picked).
 */
export function namedTeamOf(step: StepNode): string | null {
  if (step.data.teamSource === 'current') return null;
  const teamId = step.data.teamId;
  return teamId === null || teamId === '' ? null : teamId;
}

/** A task for an agent: instructions, checklist, form, an SLA, and one output per outcome. */
export const stepKind = defineKind(StepNode, {
  nameKey: 'title',
  words: {
    label: 'Step',
    description: 'A task for an agent, with outcomes',
    properties: {
      title: 'Title',
      instructions: 'Instructions',
      teamId: 'Team',
      teamSource: 'Team source',
      slaMinutes: 'SLA (minutes)',
    },
  },
  defaults: () => ({
    title: 'New step',
    instructions: '',
    checklist: [],
    form: [],
    teamId: null,
    slaMinutes: null,
    outcomes: [{ id: 'done', label: 'Done' }],
  }),
  outputs: [
    { prefix: 'outcome:', items: (node) => node.data.outcomes },
    // Only with an SLA (without one nothing can breach). Unconnected, the ticket escalates in place
    // (its priority is raised).
    {
      handle: 'sla_breach',
      label: 'On SLA breach',
      unconnected: 'optional',
      breach: true,
      when: (node) => node.data.slaMinutes !== null,
    },
  ],
  automatic: false,
  waitsAs: 'at_step',
  enter(node, ctx) {
    const state = ctx.state;
    state.status = 'at_step';
    state.breached = false;
    // A step set to the ticket's current team keeps whatever team the ticket arrived with.
    const teamId = namedTeamOf(node);
    if (teamId !== null && teamId !== state.teamId) {
      state.teamId = teamId;
      // The assignee belonged to the previous team's work.
      state.assigneeId = null;
    }
    if (node.data.slaMinutes !== null) {
      ctx.effect({
        type: 'schedule_timer',
        kind: 'sla',
        nodeId: node.id,
        dueAt: ctx.enteredAt + node.data.slaMinutes * MINUTE,
      });
    }
    return { stop: true };
  },
  validate(node, report, name) {
    const data = node.data;
    if (data.outcomes.length === 0) {
      report('NO_OUTCOMES', `${name} has no outcomes: add at least one outcome button (for example "Done").`);
    }
    if (data.teamSource !== 'current' && (data.teamId === null || data.teamId === '')) {
      report('STEP_WITHOUT_TEAM', `${name} has no team: pick the team that works it.`);
    }
    if (data.slaMinutes === null) {
      report(
        'STEP_WITHOUT_SLA',
        `${name} has no SLA: set a due time so late tickets stand out in the queue.`,
      );
    }
    const lists = [
      ['outcome', repeatedIds(data.outcomes, (o) => o.id)],
      ['checklist item', repeatedIds(data.checklist, (c) => c.id)],
      ['form field', repeatedIds(data.form, (f) => f.key)],
    ] as const;
    const outcomeIds = new Set(data.outcomes.map((o) => o.id));
    const requirements = [
      ...data.checklist.map((c) => ({ item: c, what: `checklist item "${c.label || c.id}"` })),
      ...data.form.map((f) => ({ item: f, what: `form field "${f.label || f.key}"` })),
    ];
    for (const { item, what } of requirements) {
      if (!item.required || item.requiredFor === undefined) continue;
      for (const outcomeId of item.requiredFor) {
        if (outcomeIds.has(outcomeId)) continue;
        report(
          'REQUIREMENT_UNKNOWN_OUTCOME',
          `${name}: the ${what} is required for the outcome "${outcomeId}", which the step no longer has: pick its outcomes again or make it required for all.`,
        );
      }
      if (item.requiredFor.length === 0) {
        report(
          'REQUIREMENT_UNKNOWN_OUTCOME',
          `${name}: the ${what} is required for no outcome: pick the outcomes that need it, or make it optional.`,
        );
      }
    }
    for (const [what, ids] of lists) {
      for (const id of ids) {
        report(
          'DUPLICATE_ITEM_ID',
          `${name} has more than one ${what} with the id "${id}": give each ${what} its own id.`,
        );
      }
    }
  },
  setsTeam: (node) => namedTeamOf(node) !== null,
  usesCurrentTeam: (node) => node.data.teamSource === 'current',
  slaMinutes: (node) => node.data.slaMinutes,
  capturedFields: (node) => node.data.form,
});
