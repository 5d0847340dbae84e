import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { Badge } from '../../ui/Badge.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { ConfirmDialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { errorMessage, type Role, type Team, useTRPC } from '../../trpc.ts';

export const ROLES: ReadonlyArray<{ value: Role; label: string; hint: string }> = [
  { value: 'agent', label: 'Agent', hint: 'works tickets' },
  { value: 'manager', label: 'Manager', hint: 'designs flows, manages teams' },
  { value: 'admin', label: 'Admin', hint: 'everything, incl. users and integrations' },
];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A link just made for an invitation: the only moment it can be shown (the server keeps its hash). */
export type SentLink = { email: string; link: string };

/** The link of an invitation just sent, to copy and pass on (the product works without mail). */
export function InvitationLink({ sent, onDone }: { sent: SentLink; onDone: () => void }) {
  return (
    <section className="panel admin-form invite-link" aria-labelledby="invite-link-heading">
      <h2 id="invite-link-heading">Invitation link for {sent.email}</h2>
      <div className="secret">
        <label className="secret-label">
          Invitation link
          <input
            type="text"
            readOnly
            value={sent.link}
            className="secret-value"
            onFocus={(e) => e.currentTarget.select()}
          />
        </label>
        <CopyButton text={sent.link} label="Copy link" />
        <p className="secret-hint">
          It is also sent to {sent.email} when this server has mail set up. Pass it on privately: it works
          once, for 7 days. It is shown only now; “Resend” makes a new one.
        </p>
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

/** Invites an address with a role and teams; the person joins once they accept the link. */
export function InviteForm({ onSent, onCancel }: { onSent: (sent: SentLink) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const invite = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: (result) => {
        void queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
        toast.success(`Invitation sent to ${result.invitation.email}.`);
        onSent({ email: result.invitation.email, link: result.link });
      },
      onError: (error) => {
        const issues = inputIssuesOf(error);
        setServer(issues);
        setGeneral(Object.keys(issues).length === 0 ? errorMessage(error) : null);
      },
    }),
  );
  const emailProblem =
    server.email ?? (submitted && !EMAIL.test(email.trim()) ? 'Enter a valid email address.' : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!EMAIL.test(email.trim())) return;
    invite.mutate({ email: email.trim(), role, teamIds });
  };
  const toggleTeam = (team: Team, on: boolean) =>
    setTeamIds((ids) => (on ? [...ids, team.id] : ids.filter((id) => id !== team.id)));

  return (
    <form className="panel admin-form" onSubmit={submit} noValidate aria-label="Invite a user">
      <h2>Invite a user</h2>
      <p className="page-sub">
        They get a link to join. Someone who already uses Stepwise signs in with their own password; someone
        new chooses a name and a password.
      </p>
      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      <fieldset className="form-row form-row-2" disabled={invite.isPending}>
        <legend className="sr-only">Invitation</legend>
        <FormField label="Email" required error={emailProblem}>
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="off"
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                setServer({});
                setGeneral(null);
              }}
            />
          )}
        </FormField>
        <FormField label="Role">
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label} — {r.hint}
                </option>
              ))}
            </select>
          )}
        </FormField>
      </fieldset>
      {teams.data && teams.data.length > 0 && (
        <fieldset className="invite-teams" disabled={invite.isPending}>
          <legend>Teams (optional)</legend>
          {teams.data.map((team) => (
            <label key={team.id} className="radio-line">
              <input
                type="checkbox"
                checked={teamIds.includes(team.id)}
                onChange={(e) => toggleTeam(team, e.target.checked)}
              />
              {team.name}
            </label>
          ))}
        </fieldset>
      )}
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={invite.isPending}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
          {invite.isPending ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}

/** The open invitations: who was invited, as what, until when; resend (a new link) or revoke. */
export function PendingInvitations({ onResent }: { onResent: (sent: SentLink) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.invitations.list.queryOptions());
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [revoking, setRevoking] = useState<{ id: string; email: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
  const resend = useMutation(
    trpc.invitations.resend.mutationOptions({
      onSuccess: (result) => {
        refresh();
        toast.success(`A new invitation went to ${result.invitation.email}.`);
        onResent({ email: result.invitation.email, link: result.link });
      },
      onError: (e) => {
        refresh();
        toast.error(`Could not resend: ${errorMessage(e)}`);
      },
    }),
  );
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSuccess: (result) => {
        refresh();
        setRevoking(null);
        toast.success(`The invitation of ${result.email} no longer works.`);
      },
    }),
  );
  const teamName = new Map((teams.data ?? []).map((t) => [t.id, t.name]));

  if (invitations.isPending) return <Loading label="Loading invitations…" />;
  if (invitations.isError)
    return <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />;
  if (invitations.data.length === 0) return null;
  return (
    <section aria-labelledby="invitations-heading" className="invitations">
      <h3 id="invitations-heading" className="subsection-title">
        Pending invitations
      </h3>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">{invitations.data.length} pending invitations</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Teams</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((i) => (
              <tr key={i.id}>
                <td>
                  <div className="row-title">{i.email}</div>
                  <div className="row-sub">
                    Sent {formatDateTime(i.sentAt)}
                    {i.invitedByName ? ` by ${i.invitedByName}` : ''}
                  </div>
                </td>
                <td>{ROLES.find((r) => r.value === i.role)?.label ?? i.role}</td>
                <td>
                  {i.teamIds.length === 0 ? (
                    <span className="muted">None</span>
                  ) : (
                    <span className="tags">
                      {i.teamIds.map((id) => (
                        <Badge key={id}>{teamName.get(id) ?? 'Team'}</Badge>
                      ))}
                    </span>
                  )}
                </td>
                <td>
                  {i.expired ? (
                    <Badge tone="danger" title={`Expired ${formatDateTime(i.expiresAt)}`}>
                      Expired
                    </Badge>
                  ) : (
                    <Badge tone="warning" title={`Works until ${formatDateTime(i.expiresAt)}`}>
                      Pending
                    </Badge>
                  )}
                </td>
                <td className="cell-action">
                  <span className="row-actions">
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      disabled={resend.isPending}
                      onClick={() => resend.mutate({ invitationId: i.id })}
                      aria-label={`Resend the invitation of ${i.email}`}
                    >
                      Resend
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      onClick={() => {
                        revoke.reset();
                        setRevoking({ id: i.id, email: i.email });
                      }}
                      aria-label={`Revoke the invitation of ${i.email}`}
                    >
                      Revoke
                    </button>
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the invitation of ${revoking?.email ?? 'this address'}?`}
        body="Its link stops working at once. You can invite the address again later."
        confirmLabel="Revoke invitation"
        danger
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate({ invitationId: revoking.id })}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}
