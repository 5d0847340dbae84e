import { ArrowDown, ArrowUp, Trash2 } from 'lucide-react';
import { type ReactNode, type RefObject, useEffect, useId, useRef, useState } from 'react';

/** Labels are at most 200 characters in the flow document. */
export const LABEL_MAX = 200;
/** Long texts (instructions, notes, message templates) at most 10,000. */
export const TEXT_MAX = 10_000;

export function Section({
  title,
  children,
  actions,
  hint,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <section className="insp-section">
      <div className="insp-section-head">
        <h3>{title}</h3>
        {actions}
      </div>
      {hint && <p className="insp-hint">{hint}</p>}
      {children}
    </section>
  );
}

export function TextInput({
  label,
  value,
  onChange,
  maxLength = LABEL_MAX,
  placeholder,
  hint,
  hideLabel = false,
  type = 'text',
  onEnter,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  maxLength?: number;
  placeholder?: string;
  hint?: string;
  hideLabel?: boolean;
  type?: 'text' | 'email' | 'date' | 'url';
  /** Enter in the field (a list's "add the next one"). */
  onEnter?: () => void;
}) {
  const id = useId();
  return (
    <div className="insp-field">
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <input
        id={id}
        type={type}
        value={value}
        maxLength={maxLength}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={
          onEnter
            ? (e) => {
                if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
                e.preventDefault();
                onEnter();
              }
            : undefined
        }
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint && (
        <p className="insp-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * For lists edited in place (outcomes, checklist items, choices): `added()` before adding an item, and
 * once the list has rendered longer, the new (last) item's first text field gets the focus with its
 * text selected — typing replaces the default label.
 */
export function useFocusNewItem(count: number): {
  listRef: RefObject<HTMLUListElement | null>;
  added: () => void;
} {
  const listRef = useRef<HTMLUListElement>(null);
  const pending = useRef<number | null>(null);
  useEffect(() => {
    if (pending.current === null || count <= pending.current) return;
    pending.current = null;
    const input = listRef.current?.querySelector<HTMLInputElement>(
      ':scope > li:last-child input[type="text"]',
    );
    input?.focus();
    input?.select();
  }, [count]);
  return {
    listRef,
    added: () => {
      pending.current = count;
    },
  };
}

export function TextArea({
  label,
  value,
  onChange,
  rows = 4,
  maxLength = TEXT_MAX,
  placeholder,
  hint,
  hideLabel = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  maxLength?: number;
  placeholder?: string;
  hint?: string;
  hideLabel?: boolean;
}) {
  const id = useId();
  return (
    <div className="insp-field">
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        maxLength={maxLength}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint && (
        <p className="insp-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * A text input that only hands over values `parse` accepts (the document must stay well-formed):
 * while the text is not acceptable it stays local and the reason shows under the input.
 */
export function ParsedInput<T>({
  label,
  value,
  format,
  parse,
  onChange,
  placeholder,
  hint,
  hideLabel = false,
  inputMode,
  type = 'text',
  maxLength = LABEL_MAX,
}: {
  label: string;
  value: T;
  format: (value: T) => string;
  /** The value of a text, or an error message. */
  parse: (text: string) => { ok: true; value: T } | { ok: false; error: string };
  onChange: (value: T) => void;
  placeholder?: string;
  hint?: string;
  hideLabel?: boolean;
  inputMode?: 'numeric' | 'decimal' | 'url' | 'text';
  type?: 'text' | 'url' | 'date';
  maxLength?: number;
}) {
  const id = useId();
  const formatted = format(value);
  const [text, setText] = useState(formatted);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(formatted);
  // The value changed from outside (undo, another field): show it.
  if (shown !== formatted) {
    setShown(formatted);
    const current = parse(text);
    if (!current.ok || format(current.value) !== formatted) {
      setText(formatted);
      setError(null);
    }
  }
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'insp-field has-error' : 'insp-field'}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <input
        id={id}
        type={type}
        inputMode={inputMode}
        value={text}
        maxLength={maxLength}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(e) => {
          const next = e.target.value;
          setText(next);
          const parsed = parse(next);
          if (parsed.ok) {
            setError(null);
            if (format(parsed.value) !== formatted) onChange(parsed.value);
          } else setError(parsed.error);
        }}
      />
      {hint && !error && (
        <p className="insp-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Whole minutes 1–525,600 (a year), or empty for none when `optional`. */
export function MinutesInput({
  label,
  value,
  onChange,
  optional,
  hint,
}: {
  label: string;
  value: number | null;
  onChange: (value: number | null) => void;
  optional: boolean;
  hint?: string;
}) {
  return (
    <ParsedInput<number | null>
      label={label}
      value={value}
      format={(v) => (v === null ? '' : String(v))}
      inputMode="numeric"
      placeholder={optional ? 'None' : 'Minutes'}
      hint={hint}
      parse={(text) => {
        const t = text.trim();
        if (t === '')
          return optional ? { ok: true, value: null } : { ok: false, error: 'Enter a number of minutes.' };
        const n = Number(t);
        if (!Number.isInteger(n) || n < 1 || n > 525_600) {
          return { ok: false, error: 'Enter whole minutes, from 1 to 525,600 (a year).' };
        }
        return { ok: true, value: n };
      }}
      onChange={onChange}
    />
  );
}

export function SelectInput<T extends string>({
  label,
  value,
  options,
  onChange,
  hideLabel = false,
  hint,
}: {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string; group?: string }>;
  onChange: (value: T) => void;
  hideLabel?: boolean;
  hint?: string;
}) {
  const id = useId();
  const groups = new Map<string, Array<{ value: T; label: string }>>();
  for (const o of options) {
    const key = o.group ?? '';
    const list = groups.get(key) ?? [];
    list.push(o);
    groups.set(key, list);
  }
  return (
    <div className="insp-field">
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      >
        {[...groups].map(([group, list]) =>
          group === '' ? (
            list.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))
          ) : (
            <optgroup key={group} label={group}>
              {list.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ),
        )}
      </select>
      {hint && (
        <p className="insp-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function CheckboxInput({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="insp-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A set of checkboxes for a list value (filters: channels, priorities…). */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  values,
  onChange,
  hint,
}: {
  legend: string;
  options: ReadonlyArray<{ value: T; label: string }>;
  values: readonly T[];
  onChange: (values: T[]) => void;
  hint?: string;
}) {
  const id = useId();
  return (
    <fieldset className="insp-group" aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend>{legend}</legend>
      <div className="insp-chips">
        {options.map((o) => {
          const checked = values.includes(o.value);
          return (
            <label key={o.value} className={checked ? 'insp-chip is-on' : 'insp-chip'}>
              <input
                type="checkbox"
                checked={checked}
                onChange={(e) =>
                  onChange(
                    e.target.checked
                      ? options
                          .filter((x) => x.value === o.value || values.includes(x.value))
                          .map((x) => x.value)
                      : values.filter((v) => v !== o.value),
                  )
                }
              />
              {o.label}
            </label>
          );
        })}
      </div>
      {hint && (
        <p className="insp-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </fieldset>
  );
}

/** A comma-separated list of short texts (categories, choice options). */
export function ListInput({
  label,
  values,
  onChange,
  placeholder,
  hint,
  hideLabel = false,
}: {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  placeholder?: string;
  hint?: string;
  hideLabel?: boolean;
}) {
  return (
    <ParsedInput<string[]>
      label={label}
      value={[...values]}
      format={(v) => v.join(', ')}
      placeholder={placeholder}
      hint={hint ?? 'Separate with commas.'}
      hideLabel={hideLabel}
      maxLength={10_000}
      parse={(text) => {
        const items = text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (items.length > 200) return { ok: false, error: 'At most 200 entries.' };
        if (items.some((s) => s.length > LABEL_MAX))
          return { ok: false, error: 'Each entry is at most 200 characters.' };
        return { ok: true, value: items };
      }}
      onChange={onChange}
    />
  );
}

/** Move up, move down and remove buttons of one item of an ordered list. */
export function ItemControls({
  name,
  index,
  count,
  onMove,
  onRemove,
  removeDisabled = false,
}: {
  /** What the item is called, for the buttons' accessible names, e.g. `outcome “Eligible”`. */
  name: string;
  index: number;
  count: number;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  removeDisabled?: boolean;
}) {
  return (
    <span className="insp-item-controls">
      <button
        type="button"
        className="icon-btn icon-btn-small"
        onClick={() => onMove(-1)}
        disabled={index === 0}
        aria-label={`Move ${name} up`}
        title="Move up"
      >
        <ArrowUp size={14} aria-hidden="true" />
      </button>
      <button
        type="button"
        className="icon-btn icon-btn-small"
        onClick={() => onMove(1)}
        disabled={index === count - 1}
        aria-label={`Move ${name} down`}
        title="Move down"
      >
        <ArrowDown size={14} aria-hidden="true" />
      </button>
      <button
        type="button"
        className="icon-btn icon-btn-small icon-btn-danger"
        onClick={onRemove}
        disabled={removeDisabled}
        aria-label={`Remove ${name}`}
        title="Remove"
      >
        <Trash2 size={14} aria-hidden="true" />
      </button>
    </span>
  );
}
