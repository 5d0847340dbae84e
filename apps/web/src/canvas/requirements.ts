import { type ChecklistItem, isRequiredFor, type Outcome, type Requirement } from '@stepwise/flow';

/** Names joined for a sentence: "Refund", "Refund or Replace", "Refund, Replace or Repair". */
function joinList(names: readonly string[], word: 'or' | 'and'): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} ${word} ${names.at(-1)}`;
}

/**
 * The marker a checklist item or form field shows: "Required" when every outcome needs it, "Required
 * for Refund" when only some do, null when none does (optional, or required only for outcomes the step
 * no longer has — which the builder reports as a problem).
 */
export function requirementLabel(item: Requirement, outcomes: readonly Outcome[]): string | null {
  if (!item.required) return null;
  const names = outcomes.filter((o) => isRequiredFor(item, o.id)).map((o) => o.label || o.id);
  if (names.length === 0) return null;
  if (names.length === outcomes.length) return 'Required';
  return `Required for ${joinList(names, 'or')}`;
}

/** The checklist items completing with `outcomeId` still needs ticked. */
export function missingFor(
  checklist: readonly ChecklistItem[],
  outcomeId: string,
  ticked: ReadonlySet<string>,
): ChecklistItem[] {
  return checklist.filter((item) => isRequiredFor(item, outcomeId) && !ticked.has(item.id));
}

/** Per outcome, the checklist items it still needs; only outcomes that need something are listed. */
export function outcomeGates(
  checklist: readonly ChecklistItem[],
  outcomes: readonly Outcome[],
  ticked: ReadonlySet<string>,
): Map<string, ChecklistItem[]> {
  const gates = new Map<string, ChecklistItem[]>();
  for (const outcome of outcomes) {
    const missing = missingFor(checklist, outcome.id, ticked);
    if (missing.length > 0) gates.set(outcome.id, missing);
  }
  return gates;
}

/** What a gated outcome button says it waits for: "Tick “Within return window” to pick Eligible." */
export function gateHint(outcome: Outcome, missing: readonly ChecklistItem[]): string {
  const items = missing.map((m) => `“${m.label || m.id}”`);
  return `Tick ${joinList(items, 'and')} to pick ${outcome.label || outcome.id}.`;
}
