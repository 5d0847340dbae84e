import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LogIn } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { capitalize } from '../../ui/Badge.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { Loading } from '../../ui/States.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { homeFor } from './home.ts';
import { useMe } from './useMe.ts';
import { useTitle } from '../../ui/useTitle.ts';

/** Where to go after logging in: back where the user was sent away from, else their home page. */
function useReturnTo(): string | null {
  const location = useLocation();
  const from: unknown = location.state;
  if (
    from &&
    typeof from === 'object' &&
    'from' in from &&
    typeof from.from === 'string' &&
    from.from.startsWith('/')
  ) {
    return from.from;
  }
  return null;
}

export function LoginPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const returnTo = useReturnTo();
  const me = useMe();
  useTitle('Log in');
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // The demo accounts, only when this server has the demo organization (null otherwise).
  const demo = useQuery(
    trpc.auth.demoLogins.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY, retry: false }),
  );

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (result) => {
        // The session belongs to someone new: nothing cached for the previous one may show.
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), result);
        void navigate(returnTo ?? homeFor(result.role), { replace: true });
      },
    }),
  );

  if (me.isPending) return <Loading />;
  if (me.data && !login.isPending) return <Navigate to={returnTo ?? homeFor(me.data.role)} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email: email.trim(), password });
  };

  return (
    <main className="login">
      <div className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Stepwise
        </div>
        <h1>Log in to your workspace</h1>
        <form onSubmit={submit} noValidate>
          {login.error && (
            <Notice tone="danger">
              {login.error.data?.code === 'UNAUTHORIZED' || login.error.data?.code === 'BAD_REQUEST'
                ? 'That email and password do not match an account.'
                : errorMessage(login.error)}
            </Notice>
          )}
          <div className="field">
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              id={`${id}-email`}
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              id={`${id}-password`}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={login.isPending || !email || !password}
          >
            <LogIn size={16} aria-hidden="true" />
            {login.isPending ? 'Logging in…' : 'Log in'}
          </button>
        </form>
        <p className="signup-switch">
          New to Stepwise? <Link to="/signup">Create a workspace for your team</Link>
        </p>
        {demo.data && (
          <aside className="login-hint" aria-label="Demo accounts">
            <p>
              <strong>Demo workspace ({demo.data.orgName}).</strong> These accounts use the password{' '}
              <code>{demo.data.password}</code>:
            </p>
            <ul>
              {demo.data.logins.map((d) => (
                <li key={d.email}>
                  <button
                    type="button"
                    className="link-btn"
                    onClick={() => {
                      setEmail(d.email);
                      setPassword(demo.data?.password ?? '');
                    }}
                  >
                    {d.email}
                  </button>{' '}
                  <span className="muted">({capitalize(d.role)})</span>
                </li>
              ))}
            </ul>
          </aside>
        )}
      </div>
    </main>
  );
}
