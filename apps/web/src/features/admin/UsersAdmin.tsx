import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { UserPlus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { Badge } from '../../ui/Badge.tsx';
import { ConfirmDialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { errorMessage, type Role, useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { ResetPasswordDialog } from './ResetPasswordDialog.tsx';

const ROLES: ReadonlyArray<{ value: Role; label: string; hint: string }> = [
  { value: 'agent', label: 'Agent', hint: 'works tickets' },
  { value: 'manager', label: 'Manager', hint: 'designs flows, manages teams' },
  { value: 'admin', label: 'Admin', hint: 'everything, incl. users and integrations' },
];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type NewUser = { name: string; email: string; role: Role; password: string };
const EMPTY: NewUser = { name: '', email: '', role: 'agent', password: '' };

function problemsOf(u: NewUser): Partial<Record<keyof NewUser, string>> {
  const out: Partial<Record<keyof NewUser, string>> = {};
  if (u.name.trim() === '') out.name = 'Enter a name.';
  else if (u.name.trim().length > 200) out.name = 'A name is at most 200 characters.';
  if (!EMAIL.test(u.email.trim())) out.email = 'Enter a valid email address.';
  if (u.password.length < 10) out.password = 'Use a password of at least 10 characters.';
  else if (u.password.length > 1024) out.password = 'A password is at most 1024 characters.';
  return out;
}

function AddUserForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [user, setUser] = useState<NewUser>(EMPTY);
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const add = useMutation(
    trpc.users.add.mutationOptions({
      onSuccess: (member) => {
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
        toast.success(`${member.name} can now log in as ${member.role}.`);
        setUser(EMPTY);
        setSubmitted(false);
        onDone();
      },
      onError: (error) => {
        const issues = inputIssuesOf(error);
        setServer(issues);
        setGeneral(Object.keys(issues).length === 0 ? errorMessage(error) : null);
      },
    }),
  );
  const local = problemsOf(user);
  const problem = (key: keyof NewUser) => server[key] ?? (submitted ? local[key] : undefined);
  const set = <K extends keyof NewUser>(key: K, value: NewUser[K]) => {
    setUser((u) => ({ ...u, [key]: value }));
    setServer({});
    setGeneral(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) return;
    add.mutate({
      name: user.name.trim(),
      email: user.email.trim(),
      role: user.role,
      password: user.password,
    });
  };

  return (
    <form className="panel admin-form" onSubmit={submit} noValidate aria-label="Add a user">
      <h2>Add a user</h2>
      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      <fieldset className="form-row form-row-4" disabled={add.isPending}>
        <legend className="sr-only">New user</legend>
        <FormField label="Name" required error={problem('name')}>
          {(p) => (
            <input {...p} type="text" value={user.name} onChange={(e) => set('name', e.target.value)} />
          )}
        </FormField>
        <FormField label="Email" required error={problem('email')}>
          {(p) => (
            <input {...p} type="email" value={user.email} onChange={(e) => set('email', e.target.value)} />
          )}
        </FormField>
        <FormField label="Role">
          {(p) => (
            <select {...p} value={user.role} onChange={(e) => set('role', e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label} — {r.hint}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField
          label="Initial password"
          required
          error={problem('password')}
          hint="At least 10 characters; share it privately."
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={user.password}
              onChange={(e) => set('password', e.target.value)}
            />
          )}
        </FormField>
      </fieldset>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onDone} disabled={add.isPending}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add user'}
        </button>
      </div>
    </form>
  );
}

/**
 * Users of the organization: add one with a role and a first password, change roles, reset a password,
 * disable, enable.
 */
export function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const users = useQuery(trpc.users.list.queryOptions());
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [adding, setAdding] = useState(false);
  const [disabling, setDisabling] = useState<{ id: string; name: string } | null>(null);
  const [resetting, setResetting] = useState<{ id: string; name: string } | null>(null);
  const [signingOut, setSigningOut] = useState<{ id: string; name: string } | null>(null);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: (m) => {
        refresh();
        toast.success(`${m.name} is now ${m.role === 'admin' ? 'an admin' : `a ${m.role}`}.`);
      },
      onError: (e) => {
        refresh();
        toast.error(`Could not change the role: ${errorMessage(e)}`);
      },
    }),
  );
  const disable = useMutation(
    trpc.users.disable.mutationOptions({
      onSuccess: (m) => {
        refresh();
        setDisabling(null);
        toast.success(`${m.name} is disabled and logged out everywhere.`);
      },
    }),
  );
  const signOut = useMutation(
    trpc.sessions.revokeMember.mutationOptions({
      onSuccess: (result) => {
        toast.success(
          `${signingOut?.name ?? 'They'} ${result.ended === 0 ? 'had no open sessions' : `${result.ended === 1 ? 'is signed out of 1 session' : `is signed out of ${result.ended} sessions`}`}.`,
        );
        setSigningOut(null);
      },
    }),
  );
  const enable = useMutation(
    trpc.users.enable.mutationOptions({
      onSuccess: (m) => {
        refresh();
        toast.success(`${m.name} can log in again.`);
      },
      onError: (e) => toast.error(`Could not enable: ${errorMessage(e)}`),
    }),
  );

  const teamName = new Map((teams.data ?? []).map((t) => [t.id, t.name]));

  return (
    <section aria-labelledby="users-heading">
      <div className="page-head">
        <div>
          <h2 id="users-heading" className="section-title">
            Users
          </h2>
          <p className="page-sub">Everyone who can log in to this workspace, and what they may do.</p>
        </div>
        {!adding && (
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
            <UserPlus size={16} aria-hidden="true" /> Add user
          </button>
        )}
      </div>
      {adding && <AddUserForm onDone={() => setAdding(false)} />}
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{users.data.length} users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Teams</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => {
                const self = u.id === me.data?.user.id;
                return (
                  <tr key={u.id} className={u.disabled ? 'is-disabled' : undefined}>
                    <td>
                      <div className="row-title">
                        {u.name}
                        {self && <span className="muted"> (you)</span>}
                      </div>
                      <div className="row-sub">{u.email}</div>
                    </td>
                    <td>
                      <select
                        aria-label={`Role of ${u.name}`}
                        value={u.role}
                        disabled={setRole.isPending || u.disabled}
                        onChange={(e) => setRole.mutate({ userId: u.id, role: e.target.value as Role })}
                      >
                        {ROLES.map((r) => (
                          <option key={r.value} value={r.value}>
                            {r.label}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {u.teamIds.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <span className="tags">
                          {u.teamIds.map((id) => (
                            <Badge key={id}>{teamName.get(id) ?? 'Team'}</Badge>
                          ))}
                        </span>
                      )}
                    </td>
                    <td>
                      {u.disabled ? (
                        <Badge tone="danger">Disabled</Badge>
                      ) : (
                        <Badge tone="success">Active</Badge>
                      )}
                    </td>
                    <td className="cell-action">
                      {u.disabled ? (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          disabled={enable.isPending}
                          onClick={() => enable.mutate({ userId: u.id })}
                          aria-label={`Enable ${u.name}`}
                        >
                          Enable
                        </button>
                      ) : (
                        !self && (
                          <span className="row-actions">
                            <button
                              type="button"
                              className="btn btn-ghost btn-small"
                              onClick={() => setResetting({ id: u.id, name: u.name })}
                              aria-label={`Reset the password of ${u.name}`}
                            >
                              Reset password
                            </button>
                            <button
                              type="button"
                              className="btn btn-ghost btn-small"
                              onClick={() => {
                                signOut.reset();
                                setSigningOut({ id: u.id, name: u.name });
                              }}
                              aria-label={`Sign ${u.name} out everywhere`}
                            >
                              Sign out everywhere
                            </button>
                            <button
                              type="button"
                              className="btn btn-ghost btn-small"
                              onClick={() => {
                                disable.reset();
                                setDisabling({ id: u.id, name: u.name });
                              }}
                              aria-label={`Disable ${u.name}`}
                            >
                              Disable
                            </button>
                          </span>
                        )
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={disabling !== null}
        title={`Disable ${disabling?.name ?? 'this user'}?`}
        body="They are logged out everywhere and cannot log in until an admin enables them again. Their tickets keep their history."
        confirmLabel="Disable user"
        danger
        pending={disable.isPending}
        error={disable.error ? errorMessage(disable.error) : null}
        onConfirm={() => disabling && disable.mutate({ userId: disabling.id })}
        onClose={() => setDisabling(null)}
      />
      <ConfirmDialog
        open={signingOut !== null}
        title={`Sign ${signingOut?.name ?? 'this user'} out everywhere?`}
        body="Every browser where they are signed in to this workspace is signed out at once. They can log in again with their password (reset it too if someone else may know it)."
        confirmLabel="Sign out everywhere"
        danger
        pending={signOut.isPending}
        error={signOut.error ? errorMessage(signOut.error) : null}
        onConfirm={() => signingOut && signOut.mutate({ userId: signingOut.id })}
        onClose={() => setSigningOut(null)}
      />
      <ResetPasswordDialog target={resetting} onClose={() => setResetting(null)} />
    </section>
  );
}
