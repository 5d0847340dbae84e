import { Check, Copy } from 'lucide-react';
import { useEffect, useState } from 'react';

/** Copies `text` to the clipboard and says so for a moment (announced to screen readers). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const id = window.setTimeout(() => setState('idle'), 2000);
    return () => window.clearTimeout(id);
  }, [state]);

  const copy = () => {
    if (!navigator.clipboard) {
      setState('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };

  return (
    <button type="button" className="btn btn-secondary btn-small" onClick={copy}>
      {state === 'copied' ? <Check size={15} aria-hidden="true" /> : <Copy size={15} aria-hidden="true" />}
      <span aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy it by hand' : label}
      </span>
    </button>
  );
}

/** A secret shown once: a read-only field (easy to select), a copy button and the warning. */
export function SecretReveal({ label, value, warning }: { label: string; value: string; warning: string }) {
  return (
    <div className="secret">
      <label className="secret-label">
        {label}
        <input
          type="text"
          readOnly
          value={value}
          className="secret-value"
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <CopyButton text={value} />
      <p className="secret-warning">{warning}</p>
    </div>
  );
}
