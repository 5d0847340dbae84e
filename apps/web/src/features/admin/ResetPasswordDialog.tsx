import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { SecretReveal } from '../../ui/CopyButton.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { MIN_PASSWORD, passwordProblem } from '../auth/passwordRules.ts';

type Target = { id: string; name: string };

/**
 * An admin gives a member a temporary password — generated (shown here once) or typed — and logs them
 * out everywhere. The member should change it from their account menu after logging in.
 */
export function ResetPasswordDialog({ target, onClose }: { target: Target | null; onClose: () => void }) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<'generate' | 'set'>('generate');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [generated, setGenerated] = useState<string | null>(null);
  const reset = useMutation(
    trpc.users.resetPassword.mutationOptions({
      onSuccess: (result) => {
        if (result.temporaryPassword) setGenerated(result.temporaryPassword);
        else {
          toast.success(`${result.member.name} has the new password and was logged out everywhere.`);
          close();
        }
      },
      onError: (error) => setProblem(inputIssuesOf(error).password ?? errorMessage(error)),
    }),
  );
  const close = () => {
    setMode('generate');
    setPassword('');
    setSubmitted(false);
    setProblem(null);
    setGenerated(null);
    reset.reset();
    onClose();
  };
  const local = mode === 'set' ? passwordProblem(password) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    setSubmitted(true);
    if (local) return;
    setProblem(null);
    reset.mutate(mode === 'set' ? { userId: target.id, password } : { userId: target.id });
  };
  const name = target?.name ?? 'this user';

  if (generated) {
    return (
      <Dialog
        open={target !== null}
        title={`Temporary password for ${name}`}
        description={`${name} was logged out everywhere. Give them this password privately; they can change it from their account menu.`}
        onClose={close}
        footer={
          <button type="button" className="btn btn-primary" onClick={close}>
            Done
          </button>
        }
      >
        <SecretReveal
          label="Temporary password"
          value={generated}
          warning="It is shown only now: copy it before you close this dialog."
        />
      </Dialog>
    );
  }

  return (
    <Dialog
      open={target !== null}
      title={`Reset the password of ${name}?`}
      description="Their current password stops working and all their sessions end. The change is recorded in the audit log."
      onClose={close}
    >
      <form
        onSubmit={submit}
        noValidate
        aria-label={`Reset the password of ${name}`}
        className="password-form"
      >
        <fieldset className="reset-choice" disabled={reset.isPending}>
          <legend className="sr-only">New password</legend>
          <label className="radio-line">
            <input
              type="radio"
              name="reset-mode"
              checked={mode === 'generate'}
              onChange={() => setMode('generate')}
            />
            Generate a temporary password (shown once)
          </label>
          <label className="radio-line">
            <input type="radio" name="reset-mode" checked={mode === 'set'} onChange={() => setMode('set')} />
            Set one myself
          </label>
          {mode === 'set' && (
            <FormField
              label="Temporary password"
              required
              hint={`At least ${MIN_PASSWORD} characters; share it privately.`}
              error={submitted ? (local ?? undefined) : undefined}
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => {
                    setPassword(e.target.value);
                    setProblem(null);
                  }}
                />
              )}
            </FormField>
          )}
        </fieldset>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="modal-foot password-actions">
          <button type="button" className="btn btn-ghost" onClick={close} disabled={reset.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-destructive" disabled={reset.isPending}>
            {reset.isPending ? 'Resetting…' : 'Reset password'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
