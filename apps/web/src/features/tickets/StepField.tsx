import type { FormField, Outcome } from '@stepwise/flow';
import { requirementLabel } from '../../canvas/requirements.ts';

type Props = {
  idPrefix: string;
  field: FormField;
  /** The step's outcomes, to say which of them need the field. */
  outcomes: readonly Outcome[];
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: string) => void;
};

const INPUT_TYPE: Record<Exclude<FormField['type'], 'choice' | 'boolean'>, string> = {
  text: 'text',
  number: 'number',
  date: 'date',
  email: 'email',
};

/**
 * One typed form input of a step, with its label, required mark and the server's error for it. A yes/no
 * field is a pair of radio buttons: nothing chosen is "not answered", which a single checkbox cannot
 * tell apart from "no" (so a required yes/no could never be refused as unanswered).
 */
export function StepField({ idPrefix, field, outcomes, value, error, disabled, onChange }: Props) {
  const inputId = `${idPrefix}-field-${field.key}`;
  const errorId = `${inputId}-error`;
  const requirement = requirementLabel(field, outcomes);
  const forAll = requirement === 'Required';
  const mark = forAll ? (
    <span className="required-mark" aria-hidden="true">
      {' '}
      *
    </span>
  ) : requirement ? (
    <span className="required-tag">{requirement}</span>
  ) : null;
  const errorText = error && (
    <span id={errorId} className="field-error">
      {error}
    </span>
  );
  if (field.type === 'boolean') {
    const labelId = `${inputId}-label`;
    return (
      <div className={error ? 'field has-error' : 'field'}>
        <span id={labelId} className="field-label">
          {field.label}
          {mark}
        </span>
        <div
          role="radiogroup"
          className="yes-no"
          aria-labelledby={labelId}
          aria-required={forAll || undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        >
          {(['yes', 'no'] as const).map((choice) => (
            <label key={choice} className="yes-no-option">
              <input
                type="radio"
                name={inputId}
                value={choice}
                checked={value === choice}
                disabled={disabled}
                onChange={() => onChange(choice)}
              />
              {choice === 'yes' ? 'Yes' : 'No'}
            </label>
          ))}
        </div>
        {errorText}
      </div>
    );
  }
  const common = {
    id: inputId,
    name: field.key,
    value,
    disabled,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'aria-required': forAll || undefined,
  } as const;
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={inputId}>
        {field.label}
        {mark}
      </label>
      {field.type === 'choice' ? (
        <select {...common} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose…</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={INPUT_TYPE[field.type]}
          inputMode={field.type === 'number' ? 'decimal' : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {errorText}
    </div>
  );
}
