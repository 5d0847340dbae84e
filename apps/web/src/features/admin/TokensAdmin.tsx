import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Plus } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { toast } from 'sonner';
import { Badge } from '../../ui/Badge.tsx';
import { SecretReveal } from '../../ui/CopyButton.tsx';
import { ConfirmDialog, Dialog } from '../../ui/Dialog.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { errorMessage, useTRPC } from '../../trpc.ts';

function CreateTokenForm({
  onCreated,
  onCancel,
}: {
  onCreated: (token: { name: string; token: string }) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(
    trpc.admin.tokens.create.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.tokens.list.queryKey() });
        setName('');
        onCreated({ name: created.name, token: created.token });
      },
      onError: (e) => setProblem(errorMessage(e)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return setProblem('Name the token after what will use it, e.g. “Email gateway”.');
    if (trimmed.length > 200) return setProblem('A name is at most 200 characters.');
    create.mutate({ name: trimmed });
  };
  return (
    <form className="panel admin-form inline-form" onSubmit={submit} noValidate>
      <div className={problem ? 'field has-error' : 'field'}>
        <label htmlFor={id}>Token name</label>
        <input
          id={id}
          type="text"
          value={name}
          placeholder="Email gateway"
          disabled={create.isPending}
          onChange={(e) => {
            setName(e.target.value);
            setProblem(null);
          }}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-error` : `${id}-hint`}
        />
        {problem ? (
          <span id={`${id}-error`} className="field-error">
            {problem}
          </span>
        ) : (
          <span id={`${id}-hint`} className="field-hint">
            What will use it: it may create tickets and log customer messages.
          </span>
        )}
      </div>
      <button type="submit" className="btn btn-primary btn-small" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create token'}
      </button>
      <button
        type="button"
        className="btn btn-ghost btn-small"
        onClick={onCancel}
        disabled={create.isPending}
      >
        Cancel
      </button>
    </form>
  );
}

/**
 * API tokens let other systems (an email gateway, a chat widget, another helpdesk) create tickets. A new
 * token is shown once; the list shows only its prefix, when it was made and last used.
 */
export function TokensAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.admin.tokens.list.queryOptions());
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const revoke = useMutation(
    trpc.admin.tokens.revoke.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.tokens.list.queryKey() });
        toast.success(`Token “${revoking?.name ?? ''}” revoked. Requests with it are refused from now on.`);
        setRevoking(null);
      },
    }),
  );

  return (
    <section aria-labelledby="tokens-heading">
      <div className="page-head">
        <div>
          <h2 id="tokens-heading" className="section-title">
            API tokens
          </h2>
          <p className="page-sub">
            Send <code>Authorization: Bearer &lt;token&gt;</code> to create tickets from other systems.
          </p>
        </div>
        {!creating && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            <Plus size={16} aria-hidden="true" /> New token
          </button>
        )}
      </div>
      {creating && (
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(token) => {
            setCreating(false);
            setCreated(token);
          }}
        />
      )}
      {tokens.isPending ? (
        <Loading label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens">Create one for each system that sends tickets in.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{tokens.data.length} API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id} className={t.revokedAt ? 'is-disabled' : undefined}>
                  <td>
                    <div className="row-title">
                      <KeyRound size={14} aria-hidden="true" className="row-icon" /> {t.name}
                    </div>
                  </td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>
                    <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                      {formatRelative(t.createdAt, now)}
                    </time>
                    {t.createdByName && <div className="row-sub">by {t.createdByName}</div>}
                  </td>
                  <td>
                    {t.lastUsedAt ? (
                      <time dateTime={t.lastUsedAt} title={formatDateTime(t.lastUsedAt)}>
                        {formatRelative(t.lastUsedAt, now)}
                      </time>
                    ) : (
                      <span className="muted">Never</span>
                    )}
                  </td>
                  <td>
                    {t.revokedAt ? (
                      <Badge tone="danger">Revoked</Badge>
                    ) : (
                      <Badge tone="success">Active</Badge>
                    )}
                  </td>
                  <td className="cell-action">
                    {!t.revokedAt && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-small btn-danger-text"
                        onClick={() => {
                          revoke.reset();
                          setRevoking({ id: t.id, name: t.name });
                        }}
                        aria-label={`Revoke ${t.name}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Dialog
        open={created !== null}
        title="Your new API token"
        description={`“${created?.name ?? ''}” is ready. Copy the token now and store it in the system that will use it.`}
        onClose={() => setCreated(null)}
        footer={
          <button type="button" className="btn btn-primary" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        }
      >
        {created && (
          <SecretReveal
            label="Token"
            value={created.token}
            warning="This is the only time the token is shown. If you lose it, revoke it and create a new one."
          />
        )}
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        body="Any system using this token can no longer create tickets. This cannot be undone."
        confirmLabel="Revoke token"
        danger
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate({ tokenId: revoking.id })}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}
