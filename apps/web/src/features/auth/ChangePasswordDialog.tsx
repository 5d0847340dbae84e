import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { fieldProblemsOf } from './fieldProblems.ts';
import { MIN_PASSWORD, passwordProblem } from './passwordRules.ts';

type Values = { currentPassword: string; newPassword: string; confirm: string };
type Key = keyof Values;
const EMPTY: Values = { currentPassword: '', newPassword: '', confirm: '' };

function problemsOf(v: Values): Partial<Record<Key, string>> {
  const out: Partial<Record<Key, string>> = {};
  if (v.currentPassword === '') out.currentPassword = 'Enter your current password.';
  const fresh = passwordProblem(v.newPassword);
  if (fresh) out.newPassword = fresh;
  else if (v.newPassword === v.currentPassword)
    out.newPassword = 'Choose a password that differs from the current one.';
  if (v.confirm !== v.newPassword) out.confirm = 'The two new passwords are not the same.';
  return out;
}

/**
 * The signed-in person changes their password: the current one, then the new one twice. Their other
 * sessions (other browsers, other devices) end; this one stays.
 */
export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const [values, setValues] = useState<Values>(EMPTY);
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const close = () => {
    setValues(EMPTY);
    setSubmitted(false);
    setServer({});
    setGeneral(null);
    onClose();
  };
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: (result) => {
        toast.success(
          result.endedSessions > 0
            ? `Password changed. ${result.endedSessions === 1 ? 'Your other session was' : `Your ${result.endedSessions} other sessions were`} logged out.`
            : 'Password changed.',
        );
        close();
      },
      onError: (error) => {
        const problems = { ...inputIssuesOf(error), ...fieldProblemsOf(error) };
        setServer(problems);
        setGeneral(Object.keys(problems).length === 0 ? errorMessage(error) : null);
      },
    }),
  );
  const local = problemsOf(values);
  const problem = (key: Key) => server[key] ?? (submitted ? local[key] : undefined);
  const set = (key: Key, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    setServer({});
    setGeneral(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) return;
    change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  };

  return (
    <Dialog
      open={open}
      title="Change your password"
      description="You stay logged in here; every other session of yours is logged out."
      onClose={close}
    >
      <form onSubmit={submit} noValidate aria-label="Change your password" className="password-form">
        {general && (
          <p className="field-error" role="alert">
            {general}
          </p>
        )}
        <fieldset disabled={change.isPending} className="password-fields">
          <legend className="sr-only">Passwords</legend>
          <FormField label="Current password" required error={problem('currentPassword')}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="current-password"
                value={values.currentPassword}
                onChange={(e) => set('currentPassword', e.target.value)}
              />
            )}
          </FormField>
          <FormField
            label="New password"
            required
            error={problem('newPassword')}
            hint={`At least ${MIN_PASSWORD} characters.`}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                value={values.newPassword}
                onChange={(e) => set('newPassword', e.target.value)}
              />
            )}
          </FormField>
          <FormField label="New password again" required error={problem('confirm')}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                value={values.confirm}
                onChange={(e) => set('confirm', e.target.value)}
              />
            )}
          </FormField>
        </fieldset>
        <div className="modal-foot password-actions">
          <button type="button" className="btn btn-ghost" onClick={close} disabled={change.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
