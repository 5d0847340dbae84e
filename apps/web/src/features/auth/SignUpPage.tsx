import { useMutation } from '@tanstack/react-query';
import { Building2, MailCheck } from 'lucide-react';
import { type FormEvent, useRef, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { FormField } from '../../ui/FormField.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { fieldProblemsOf } from './fieldProblems.ts';
import { homeFor } from './home.ts';
import { MIN_PASSWORD, passwordProblem } from './passwordRules.ts';
import { useMe } from './useMe.ts';

type SignUp = { orgName: string; name: string; email: string; password: string };
type Key = keyof SignUp;
const EMPTY: SignUp = { orgName: '', name: '', email: '', password: '' };
const ORDER: Key[] = ['orgName', 'name', 'email', 'password'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the form can tell before asking the server (the server checks the same, and more). */
function problemsOf(v: SignUp): Partial<Record<Key, string>> {
  const out: Partial<Record<Key, string>> = {};
  if (v.orgName.trim() === '') out.orgName = 'Enter the name of your organization.';
  else if (v.orgName.trim().length > 200) out.orgName = 'A name is at most 200 characters.';
  if (v.name.trim() === '') out.name = 'Enter your name.';
  else if (v.name.trim().length > 200) out.name = 'A name is at most 200 characters.';
  if (!EMAIL.test(v.email.trim())) out.email = 'Enter a valid email address.';
  const password = passwordProblem(v.password);
  if (password) out.password = password;
  return out;
}

/**
 * What a sign-up answers, whatever the address: the workspace is created from the link mailed to it.
 * (Without mail on the server, the link is in the server's log.)
 */
function CheckInbox({ email }: { email: string }) {
  return (
    <main className="login signup">
      <div className="login-card signup-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Stepwise
        </div>
        <div className="public-message">
          <MailCheck size={36} aria-hidden="true" className="public-icon" />
          <h1>Check your inbox</h1>
          <p>
            We sent a message to <strong>{email}</strong>. Open the link in it to create your workspace; it
            works for 24 hours.
          </p>
          <p className="signup-note">
            Nothing arrived? Check your spam folder. If this server has no mail set up, whoever runs it finds
            the link in its log.
          </p>
        </div>
        <p className="signup-switch">
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </div>
    </main>
  );
}

/**
 * Sign-up: a new team asks for its organization with its first admin; the workspace is created (and its
 * admin logged in) from the link mailed to the address. Reached from the log-in page.
 */
export function SignUpPage() {
  const trpc = useTRPC();
  const me = useMe();
  useTitle('Create a workspace');
  const [values, setValues] = useState<SignUp>(EMPTY);
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const focusFirst = (key: Key | undefined) => {
    if (!key) return;
    // After React has rendered the error, move focus to the first field that has one.
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[name="${key}"]`)?.focus());
  };

  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onError: (error) => {
        const problems = { ...inputIssuesOf(error), ...fieldProblemsOf(error) };
        setServer(problems);
        setGeneral(ORDER.some((k) => problems[k]) ? null : errorMessage(error));
        focusFirst(ORDER.find((k) => problems[k]));
      },
    }),
  );

  if (me.isPending) return <Loading />;
  if (me.data) return <Navigate to={homeFor(me.data.role)} replace />;
  if (signUp.isSuccess && signUp.variables) return <CheckInbox email={signUp.variables.email} />;

  const local = problemsOf(values);
  const problem = (key: Key) => server[key] ?? (submitted ? local[key] : undefined);
  const set = (key: Key, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    setServer((s) => {
      const { [key]: _dropped, ...rest } = s;
      return rest;
    });
    setGeneral(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const first = ORDER.find((k) => local[k]);
    if (first) {
      focusFirst(first);
      return;
    }
    signUp.mutate({
      orgName: values.orgName.trim(),
      name: values.name.trim(),
      email: values.email.trim(),
      password: values.password,
    });
  };

  return (
    <main className="login signup">
      <div className="login-card signup-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Stepwise
        </div>
        <h1>Create a workspace for your team</h1>
        <p className="signup-lead">
          You become its admin: draw your flows, add your colleagues and start working tickets.
        </p>
        <form ref={form} onSubmit={submit} noValidate aria-label="Create a workspace">
          {general && <Notice tone="danger">{general}</Notice>}
          <fieldset className="signup-fields" disabled={signUp.isPending}>
            <legend className="sr-only">Your organization and your account</legend>
            <FormField label="Organization name" required error={problem('orgName')}>
              {(p) => (
                <input
                  {...p}
                  name="orgName"
                  type="text"
                  autoComplete="organization"
                  value={values.orgName}
                  onChange={(e) => set('orgName', e.target.value)}
                />
              )}
            </FormField>
            <FormField label="Your name" required error={problem('name')}>
              {(p) => (
                <input
                  {...p}
                  name="name"
                  type="text"
                  autoComplete="name"
                  value={values.name}
                  onChange={(e) => set('name', e.target.value)}
                />
              )}
            </FormField>
            <FormField label="Work email" required error={problem('email')}>
              {(p) => (
                <input
                  {...p}
                  name="email"
                  type="email"
                  autoComplete="username"
                  value={values.email}
                  onChange={(e) => set('email', e.target.value)}
                />
              )}
            </FormField>
            <FormField
              label="Password"
              required
              error={problem('password')}
              hint={`At least ${MIN_PASSWORD} characters.`}
            >
              {(p) => (
                <input
                  {...p}
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  value={values.password}
                  onChange={(e) => set('password', e.target.value)}
                />
              )}
            </FormField>
          </fieldset>
          <button type="submit" className="btn btn-primary btn-block" disabled={signUp.isPending}>
            <Building2 size={16} aria-hidden="true" />
            {signUp.isPending ? 'Sending…' : 'Create workspace'}
          </button>
        </form>
        <p className="signup-switch">
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </div>
    </main>
  );
}
