import type { Outcome, Requirement, StepNode } from '@stepwise/flow';

/** How an item is required: not at all, for every outcome, or only for the outcomes it lists. */
export type RequirementMode = 'optional' | 'all' | 'some';

export function requirementMode(item: Requirement): RequirementMode {
  if (!item.required) return 'optional';
  return item.requiredFor === undefined ? 'all' : 'some';
}

/** `item` without an outcome list (required for every outcome, or not at all). */
function withoutList<T extends Requirement>(item: T): T {
  const { requiredFor: _dropped, ...rest } = item;
  return rest as T;
}

/**
 * `item` made optional, required for every outcome, or required only for some: switching to "some"
 * keeps the list it had, else starts with the first outcome (so it is never required for nothing).
 */
export function withRequirementMode<T extends Requirement>(
  item: T,
  mode: RequirementMode,
  outcomes: readonly Outcome[],
): T {
  if (mode === 'optional') return { ...withoutList(item), required: false };
  if (mode === 'all' || outcomes.length === 0) return { ...withoutList(item), required: true };
  const kept = (item.requiredFor ?? []).filter((id) => outcomes.some((o) => o.id === id));
  return { ...item, required: true, requiredFor: kept.length > 0 ? kept : [outcomes[0]!.id] };
}

/**
 * `item` with `outcomeId` added to or taken from the outcomes that need it, in the step's outcome order.
 * Taking the last one away makes the item optional: "required for no outcome" is not a state to keep.
 */
export function withRequiredFor<T extends Requirement>(
  item: T,
  outcomeId: string,
  on: boolean,
  outcomes: readonly Outcome[],
): T {
  const current = new Set(item.requiredFor ?? outcomes.map((o) => o.id));
  if (on) current.add(outcomeId);
  else current.delete(outcomeId);
  const list = outcomes.filter((o) => current.has(o.id)).map((o) => o.id);
  if (list.length === 0) return { ...withoutList(item), required: false };
  return { ...item, required: true, requiredFor: list };
}

/**
 * The step's data after removing the outcome `outcomeId`: the outcome goes, and every checklist item
 * and form field required only for it forgets it — an item left required for no outcome is optional.
 */
export function withoutOutcome(data: StepNode['data'], outcomeId: string): StepNode['data'] {
  const outcomes = data.outcomes.filter((o) => o.id !== outcomeId);
  const prune = <T extends Requirement>(item: T): T => {
    if (item.requiredFor === undefined) return item;
    if (!item.requiredFor.includes(outcomeId)) return item;
    const list = item.requiredFor.filter((id) => id !== outcomeId);
    return list.length === 0 ? { ...withoutList(item), required: false } : { ...item, requiredFor: list };
  };
  return { ...data, outcomes, checklist: data.checklist.map(prune), form: data.form.map(prune) };
}
