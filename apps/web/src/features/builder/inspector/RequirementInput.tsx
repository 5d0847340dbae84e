import type { Outcome, Requirement } from '@stepwise/flow';
import { useId } from 'react';
import { requirementMode, withRequiredFor, withRequirementMode } from './requirementOps.ts';

/**
 * The "Required" control of a checklist item or form field: a checkbox, and — when the step has more
 * than one outcome — whether it is required for all outcomes or only for the ones ticked below (so
 * "Not eligible" need not wait for "Within return window").
 */
export function RequirementInput<T extends Requirement>({
  item,
  name,
  outcomes,
  onChange,
}: {
  item: T;
  /** Names the item in the controls' accessible names ("checklist item “Order found”"). */
  name: string;
  outcomes: readonly Outcome[];
  onChange: (item: T) => void;
}) {
  const id = useId();
  const mode = requirementMode(item);
  const some = mode === 'some';
  return (
    <div className="insp-requirement">
      <div className="insp-check">
        <input
          id={`${id}-required`}
          type="checkbox"
          checked={mode !== 'optional'}
          aria-label={`Required: ${name}`}
          onChange={(e) =>
            onChange(withRequirementMode(item, e.target.checked ? 'all' : 'optional', outcomes))
          }
        />
        <label htmlFor={`${id}-required`}>Required</label>
      </div>
      {mode !== 'optional' && outcomes.length > 1 && (
        <fieldset className="insp-required-for">
          <legend className="sr-only">{`Which outcomes need ${name}`}</legend>
          <label className="insp-radio">
            <input
              type="radio"
              name={`${id}-for`}
              checked={!some}
              onChange={() => onChange(withRequirementMode(item, 'all', outcomes))}
            />
            for all outcomes
          </label>
          <label className="insp-radio">
            <input
              type="radio"
              name={`${id}-for`}
              checked={some}
              onChange={() => onChange(withRequirementMode(item, 'some', outcomes))}
            />
            only for:
          </label>
          {outcomes.map((outcome) => {
            const checked = some && (item.requiredFor ?? []).includes(outcome.id);
            return (
              <label key={outcome.id} className={checked ? 'insp-chip is-on' : 'insp-chip'}>
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={!some}
                  onChange={(e) => onChange(withRequiredFor(item, outcome.id, e.target.checked, outcomes))}
                />
                {outcome.label || outcome.id}
              </label>
            );
          })}
        </fieldset>
      )}
    </div>
  );
}
