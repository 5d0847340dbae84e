import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { UserPlus } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { Badge } from '../../ui/Badge.tsx';
import { ConfirmDialog } from '../../ui/Dialog.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { errorMessage, type Role, useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { InvitationLink, InviteForm, PendingInvitations, ROLES, type SentLink } from './InvitationsAdmin.tsx';
import { ResetPasswordDialog } from './ResetPasswordDialog.tsx';

/**
 * Users of the organization: invite someone with a role (and teams) and see the pending invitations,
 * change roles, reset a password, disable, enable.
 */
export function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const users = useQuery(trpc.users.list.queryOptions());
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [adding, setAdding] = useState(false);
  const [sent, setSent] = useState<SentLink | null>(null);
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
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setSent(null);
              setAdding(true);
            }}
          >
            <UserPlus size={16} aria-hidden="true" /> Invite user
          </button>
        )}
      </div>
      {adding && (
        <InviteForm
          onSent={(link) => {
            setAdding(false);
            setSent(link);
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {sent && <InvitationLink sent={sent} onDone={() => setSent(null)} />}
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
                              aria-label={`Reset password of ${u.name}`}
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
                              aria-label={`Sign out everywhere: ${u.name}`}
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
      <PendingInvitations onResent={setSent} />
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
