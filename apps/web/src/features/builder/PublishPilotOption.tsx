import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTRPC } from '../../trpc.ts';

/** How a publish rolls out: to every new ticket, or as a pilot on a share of them. */
export type PilotChoice = { mode: 'all' | 'pilot'; percent: number };

export const ALL_NEW_TICKETS: PilotChoice = { mode: 'all', percent: 50 };

/** A whole share from 1 to 99 %. */
export function validPilotPercent(percent: number): boolean {
  return Number.isInteger(percent) && percent >= 1 && percent <= 99;
}

/** The `pilotPercent` to publish with (undefined: the new version becomes active), or null when invalid. */
export function pilotPercentOf(choice: PilotChoice): number | undefined | null {
  if (choice.mode === 'all') return undefined;
  return validPilotPercent(choice.percent) ? choice.percent : null;
}

/**
 * The publish dialog's rollout choice: make the new version active for every new ticket, or publish it
 * as a pilot on N % of new tickets while the active version keeps the rest. A flow with no active
 * version has nothing to share new tickets with: the choice is not offered, and it says why.
 */
export function PublishPilotOption({
  flowId,
  choice,
  onChange,
}: {
  flowId: string;
  choice: PilotChoice;
  onChange: (choice: PilotChoice) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  if (versions.isPending || versions.isError) return null;
  const active = versions.data.find((v) => v.isActive);
  const pilot = versions.data.find((v) => v.isPilot);
  if (!active) {
    return (
      <p className="publish-rollout-note muted">
        {versions.data.length === 0
          ? 'This is the first version: it becomes active for all new tickets.'
          : 'This flow has no active version: the new version becomes active for all new tickets.'}{' '}
        A pilot on a share of new tickets needs an active version to share them with.
      </p>
    );
  }
  const invalid = choice.mode === 'pilot' && !validPilotPercent(choice.percent);
  return (
    <fieldset className="publish-rollout">
      <legend>Who gets the new version</legend>
      <label className="publish-rollout-choice">
        <input
          className="publish-rollout-radio"
          type="radio"
          name={`${id}-rollout`}
          checked={choice.mode === 'all'}
          onChange={() => onChange({ ...choice, mode: 'all' })}
        />
        <span>All new tickets (it replaces v{active.number} as the active version)</span>
      </label>
      <label className="publish-rollout-choice">
        <input
          className="publish-rollout-radio"
          type="radio"
          name={`${id}-rollout`}
          checked={choice.mode === 'pilot'}
          onChange={() => onChange({ ...choice, mode: 'pilot' })}
        />
        <span>
          Publish as a pilot on {validPilotPercent(choice.percent) ? choice.percent : 'N'}% of new tickets
        </span>
      </label>
      <div className="publish-rollout-percent">
        <label htmlFor={`${id}-percent`}>Pilot share of new tickets (%)</label>
        <input
          className="publish-rollout-number"
          id={`${id}-percent`}
          type="number"
          min={1}
          max={99}
          step={1}
          inputMode="numeric"
          value={Number.isNaN(choice.percent) ? '' : choice.percent}
          aria-invalid={invalid || undefined}
          aria-describedby={`${id}-percent-help`}
          onChange={(e) => onChange({ mode: 'pilot', percent: e.target.valueAsNumber })}
        />
      </div>
      <p id={`${id}-percent-help`} className={invalid ? 'field-error' : 'muted'}>
        {invalid
          ? 'Choose a whole number from 1 to 99.'
          : choice.mode === 'pilot'
            ? `${choice.percent}% of new tickets start on the new version; v${active.number} stays active for the other ${100 - choice.percent}%. Promote or roll back from the flow page.${pilot ? ` This replaces the running pilot of v${pilot.number}.` : ''}`
            : 'Tickets already running stay on their version.'}
      </p>
    </fieldset>
  );
}
