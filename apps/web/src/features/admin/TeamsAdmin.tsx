import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Pencil, Plus, UsersRound } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { toast } from 'sonner';
import { Dialog } from '../../ui/Dialog.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { errorMessage, type Team, useTRPC } from '../../trpc.ts';

function TeamNameForm({
  label,
  initial,
  pending,
  error,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial: string;
  pending: boolean;
  error: string | null;
  submitLabel: string;
  onSubmit: (name: string) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [name, setName] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? error;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return setProblem('Enter a name.');
    if (trimmed.length > 200) return setProblem('A name is at most 200 characters.');
    setProblem(null);
    onSubmit(trimmed);
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <div className={shown ? 'field has-error' : 'field'}>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="text"
          value={name}
          disabled={pending}
          onChange={(e) => {
            setName(e.target.value);
            setProblem(null);
          }}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? `${id}-error` : undefined}
        />
        {shown && (
          <span id={`${id}-error`} className="field-error">
            {shown}
          </span>
        )}
      </div>
      <button type="submit" className="btn btn-primary btn-small" disabled={pending}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="btn btn-ghost btn-small" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      )}
    </form>
  );
}

function MembersDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set(team.memberIds));
  const save = useMutation(
    trpc.teams.setMembers.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
        toast.success(`${team.name} now has ${selected.size} ${selected.size === 1 ? 'member' : 'members'}.`);
        onClose();
      },
    }),
  );
  const toggle = (userId: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(userId)) next.delete(userId);
      else next.add(userId);
      return next;
    });

  return (
    <Dialog
      open
      title={`Members of ${team.name}`}
      description="Tickets routed to this team show in its members’ queues."
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose} disabled={save.isPending}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={save.isPending || users.isPending}
            onClick={() => save.mutate({ teamId: team.id, userIds: [...selected] })}
          >
            {save.isPending ? 'Saving…' : 'Save members'}
          </button>
        </>
      }
    >
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <fieldset className="member-list">
          <legend className="sr-only">Members</legend>
          {users.data.map((u) => (
            <label key={u.id} className="member-option">
              <input type="checkbox" checked={selected.has(u.id)} onChange={() => toggle(u.id)} />
              <span>
                {u.name} <span className="muted">· {u.role}</span>
                {u.disabled && <span className="muted"> · disabled</span>}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {save.isError && (
        <p className="field-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </Dialog>
  );
}

/** Teams receive work: create them, rename them and choose their members. */
export function TeamsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const users = useQuery(trpc.users.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [editingMembers, setEditingMembers] = useState<Team | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });

  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: (team) => {
        refresh();
        setCreating(false);
        toast.success(`Team ${team.name} created. Add its members next.`);
      },
    }),
  );
  const rename = useMutation(
    trpc.teams.rename.mutationOptions({
      onSuccess: (team) => {
        refresh();
        setRenaming(null);
        toast.success(`Renamed to ${team.name}.`);
      },
    }),
  );
  const userName = new Map((users.data ?? []).map((u) => [u.id, u.name]));

  return (
    <section aria-labelledby="teams-heading">
      <div className="page-head">
        <div>
          <h2 id="teams-heading" className="section-title">
            Teams
          </h2>
          <p className="page-sub">Steps belong to a team; its members see those tickets in their queue.</p>
        </div>
        {!creating && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              create.reset();
              setCreating(true);
            }}
          >
            <Plus size={16} aria-hidden="true" /> New team
          </button>
        )}
      </div>
      {creating && (
        <div className="panel admin-form">
          <TeamNameForm
            label="Team name"
            initial=""
            pending={create.isPending}
            error={create.error ? errorMessage(create.error) : null}
            submitLabel="Create team"
            onSubmit={(name) => create.mutate({ name })}
            onCancel={() => setCreating(false)}
          />
        </div>
      )}
      {teams.isPending ? (
        <Loading label="Loading teams…" />
      ) : teams.isError ? (
        <ErrorState error={teams.error} onRetry={() => void teams.refetch()} />
      ) : teams.data.length === 0 ? (
        <EmptyState title="No teams yet">Create a team for each group that receives work.</EmptyState>
      ) : (
        <ul className="team-list">
          {teams.data.map((team) => (
            <li key={team.id} className="panel team-card">
              {renaming === team.id ? (
                <TeamNameForm
                  label={`New name for ${team.name}`}
                  initial={team.name}
                  pending={rename.isPending}
                  error={rename.error ? errorMessage(rename.error) : null}
                  submitLabel="Save"
                  onSubmit={(name) => rename.mutate({ teamId: team.id, name })}
                  onCancel={() => setRenaming(null)}
                />
              ) : (
                <div className="team-head">
                  <h3>
                    <UsersRound size={16} aria-hidden="true" /> {team.name}
                  </h3>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    onClick={() => {
                      rename.reset();
                      setRenaming(team.id);
                    }}
                    aria-label={`Rename ${team.name}`}
                  >
                    <Pencil size={14} aria-hidden="true" /> Rename
                  </button>
                </div>
              )}
              <p className="team-members">
                {team.memberIds.length === 0 ? (
                  <span className="muted">No members yet.</span>
                ) : (
                  team.memberIds.map((id) => userName.get(id) ?? 'Someone').join(', ')
                )}
              </p>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => setEditingMembers(team)}
                aria-label={`Edit members of ${team.name}`}
              >
                Edit members
              </button>
            </li>
          ))}
        </ul>
      )}
      {editingMembers && <MembersDialog team={editingMembers} onClose={() => setEditingMembers(null)} />}
    </section>
  );
}
