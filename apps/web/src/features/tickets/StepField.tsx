import type { FormField } from '@stepwise/flow';

type Props = {
  idPrefix: string;
  field: FormField;
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: string) => void;
};

const INPUT_TYPE: Record<Exclude<FormField['type'], 'choice'>, string> = {
  text: 'text',
  number: 'number',
  date: 'date',
  email: 'email',
};

/** One typed form input of a step, with its label, required mark and the server's error for it. */
export function StepField({ idPrefix, field, value, error, disabled, onChange }: Props) {
  const inputId = `${idPrefix}-field-${field.key}`;
  const errorId = `${inputId}-error`;
  const common = {
    id: inputId,
    name: field.key,
    value,
    disabled,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'aria-required': field.required || undefined,
  } as const;
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={inputId}>
        {field.label}
        {field.required && (
          <span className="required-mark" aria-hidden="true">
            {' '}
            *
          </span>
        )}
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
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
