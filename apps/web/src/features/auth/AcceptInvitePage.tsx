import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { UserCheck } from 'lucide-react';
import { type FormEvent, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { FormField } from '../../ui/FormField.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { useTitle } from '../../ui/useTitle.ts';
import { errorCode, errorMessage, useTRPC } from '../../trpc.ts';
import { fieldProblemsOf } from './fieldProblems.ts';
import { homeFor } from './home.ts';
import { MIN_PASSWORD, passwordProblem } from './passwordRules.ts';
import { LinkProblem, PublicCard } from './PublicCard.tsx';

type Account = 'new' | 'existing';
const ARTICLE = { admin: 'an admin', manager: 'a manager', agent: 'an agent' } as const;

/**
 * The page of an invitation link. It offers both ways in and does not say which applies (the link may be
 * in the hands of the admin who sent it): someone new chooses a name and a password, someone who already
 * uses Stepwise signs in with their one password. Either joins the organization only now, and lands in it.
 */
export function AcceptInvitePage() {
  const { token = '' } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  useTitle('Accept your invitation');
  const invitation = useQuery(
    trpc.invitations.get.queryOptions({ token }, { retry: false, refetchOnWindowFocus: false }),
  );
  const [account, setAccount] = useState<Account>('new');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const form = useRef<HTMLFormElement>(null);
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess: (me) => {
        // A new session: nothing cached for anyone before may show.
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), me);
        void navigate(homeFor(me.role), { replace: true });
      },
      onError: (error) => {
        const problems = { ...inputIssuesOf(error), ...fieldProblemsOf(error) };
        setServer(problems);
        const first = ['name', 'password'].find((k) => problems[k]);
        if (first)
          requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
      },
    }),
  );

  if (invitation.isPending) return <Loading />;
  if (invitation.isError) {
    return (
      <LinkProblem title="This link does not work">
        {errorCode(invitation.error) === 'NOT_FOUND'
          ? 'This invitation link is not valid. Check that you opened all of it, or ask an admin for a new one.'
          : errorMessage(invitation.error)}
      </LinkProblem>
    );
  }
  const info = invitation.data;
  const refused = errorCode(accept.error) === 'PRECONDITION_FAILED' ? errorMessage(accept.error) : null;
  if (info.status === 'accepted' || info.status === 'revoked' || info.status === 'expired' || refused) {
    const title =
      info.status === 'accepted'
        ? 'This invitation was already used'
        : info.status === 'revoked'
          ? 'This invitation was withdrawn'
          : info.status === 'expired'
            ? 'This invitation has expired'
            : 'This invitation cannot be used';
    const words =
      refused ??
      (info.status === 'accepted'
        ? `Log in to open ${info.orgName}.`
        : info.status === 'revoked'
          ? `An admin of ${info.orgName} withdrew it. Ask them for a new one if you still need it.`
          : `It worked until ${formatDateTime(info.expiresAt)}. Ask an admin of ${info.orgName} to send it again.`);
    return <LinkProblem title={title}>{words}</LinkProblem>;
  }

  const local: Record<string, string> = {};
  if (account === 'new') {
    if (name.trim() === '') local.name = 'Enter your name.';
    else if (name.trim().length > 200) local.name = 'A name is at most 200 characters.';
    const weak = passwordProblem(password);
    if (weak) local.password = weak;
  } else if (password === '') {
    local.password = 'Enter your password.';
  }
  const problem = (key: string) => server[key] ?? (submitted ? local[key] : undefined);
  const general =
    server.account ??
    (accept.error && !refused && Object.keys(server).length === 0 ? errorMessage(accept.error) : null);
  const choose = (next: Account) => {
    setAccount(next);
    setServer({});
    setSubmitted(false);
    accept.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const first = ['name', 'password'].find((k) => local[k]);
    if (first) {
      form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    accept.mutate(
      account === 'new'
        ? { token, account: 'new', name: name.trim(), password }
        : { token, account: 'existing', password },
    );
  };

  return (
    <PublicCard>
      <h1>Join {info.orgName}</h1>
      <p className="signup-lead">
        You are invited as {ARTICLE[info.role]} with <strong>{info.email}</strong>.
      </p>
      <form ref={form} onSubmit={submit} noValidate aria-label="Accept the invitation">
        {general && <Notice tone="danger">{general}</Notice>}
        <fieldset className="reset-choice invite-choice" disabled={accept.isPending}>
          <legend className="sr-only">Your account</legend>
          <label className="radio-line">
            <input type="radio" name="account" checked={account === 'new'} onChange={() => choose('new')} />I
            am new to Stepwise
          </label>
          <label className="radio-line">
            <input
              type="radio"
              name="account"
              checked={account === 'existing'}
              onChange={() => choose('existing')}
            />
            I already use Stepwise with this address
          </label>
        </fieldset>
        <fieldset className="signup-fields" disabled={accept.isPending}>
          <legend className="sr-only">{account === 'new' ? 'Your new account' : 'Sign in'}</legend>
          {account === 'new' && (
            <FormField label="Your name" required error={problem('name')}>
              {(p) => (
                <input
                  {...p}
                  name="name"
                  type="text"
                  autoComplete="name"
                  value={name}
                  onChange={(e) => {
                    setName(e.target.value);
                    setServer({});
                  }}
                />
              )}
            </FormField>
          )}
          <FormField
            label={account === 'new' ? 'Choose a password' : 'Your password'}
            required
            error={problem('password')}
            hint={
              account === 'new'
                ? `At least ${MIN_PASSWORD} characters.`
                : 'The one you log in to Stepwise with.'
            }
          >
            {(p) => (
              <input
                {...p}
                name="password"
                type="password"
                autoComplete={account === 'new' ? 'new-password' : 'current-password'}
                value={password}
                onChange={(e) => {
                  setPassword(e.target.value);
                  setServer({});
                }}
              />
            )}
          </FormField>
        </fieldset>
        <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
          <UserCheck size={16} aria-hidden="true" />
          {accept.isPending ? 'Joining…' : account === 'new' ? `Create account and join` : `Sign in and join`}
        </button>
      </form>
      <p className="signup-switch">This invitation works until {formatDateTime(info.expiresAt)}.</p>
    </PublicCard>
  );
}
