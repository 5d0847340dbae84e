import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Building2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { FormField } from '../../ui/FormField.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { errorCode, errorMessage, useTRPC } from '../../trpc.ts';
import { fieldProblemsOf } from './fieldProblems.ts';
import { homeFor } from './home.ts';
import { LinkProblem, PublicCard } from './PublicCard.tsx';

/**
 * The page of a sign-up's confirmation link: one click creates the workspace and logs its admin in. An
 * address that already has an account signs in with its existing password first. Nothing happens on
 * opening the page (mail scanners open links too).
 */
export function SignUpConfirmPage() {
  const { token = '' } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  useTitle('Create your workspace');
  const request = useQuery(
    trpc.auth.signUpRequest.queryOptions({ token }, { retry: false, refetchOnWindowFocus: false }),
  );
  const [password, setPassword] = useState('');
  const confirm = useMutation(
    trpc.auth.confirmSignUp.mutationOptions({
      onSuccess: (me) => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), me);
        void navigate(homeFor(me.role), { replace: true });
      },
    }),
  );

  if (request.isPending) return <Loading />;
  if (request.isError) {
    return (
      <LinkProblem title="This link does not work">
        {errorCode(request.error) === 'NOT_FOUND'
          ? 'This confirmation link is not valid. Check that you opened all of it, or sign up again.'
          : errorMessage(request.error)}
      </LinkProblem>
    );
  }
  const info = request.data;
  const refused = errorCode(confirm.error) === 'PRECONDITION_FAILED' ? errorMessage(confirm.error) : null;
  if (info.status === 'used' || refused)
    return (
      <LinkProblem title="This link was already used">
        {refused ?? `${info.orgName} exists. Log in to open it.`}
      </LinkProblem>
    );
  if (info.status === 'expired')
    return (
      <LinkProblem title="This link has expired">
        Confirmation links work for 24 hours. <Link to="/signup">Sign up again</Link> to get a new one.
      </LinkProblem>
    );

  const fieldProblem = fieldProblemsOf(confirm.error).password;
  const general = confirm.error && !fieldProblem ? errorMessage(confirm.error) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate(info.signIn ? { token, password } : { token });
  };
  return (
    <PublicCard>
      <h1>Create {info.orgName}</h1>
      <p className="signup-lead">
        {info.signIn
          ? `${info.email} already has a Stepwise account. Sign in with its password to create the workspace; you become its admin.`
          : `You become the admin of ${info.orgName}, as ${info.name} (${info.email}).`}
      </p>
      <form onSubmit={submit} noValidate aria-label="Create the workspace">
        {general && <Notice tone="danger">{general}</Notice>}
        {info.signIn && (
          <fieldset className="signup-fields" disabled={confirm.isPending}>
            <legend className="sr-only">Sign in</legend>
            <FormField label="Your password" required error={fieldProblem}>
              {(p) => (
                <input
                  {...p}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => {
                    setPassword(e.target.value);
                    confirm.reset();
                  }}
                />
              )}
            </FormField>
          </fieldset>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={confirm.isPending}>
          <Building2 size={16} aria-hidden="true" />
          {confirm.isPending
            ? 'Creating your workspace…'
            : info.signIn
              ? 'Sign in and create workspace'
              : 'Create workspace'}
        </button>
      </form>
    </PublicCard>
  );
}
