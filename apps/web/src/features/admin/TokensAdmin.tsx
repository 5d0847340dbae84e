import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Badge } from '../../ui/Badge.tsx';
import { SecretReveal } from '../../ui/CopyButton.tsx';
import { ConfirmDialog, Dialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { type ApiScope, type ApiTokenRow, errorMessage, useTRPC } from '../../trpc.ts';

/** What each scope lets a token do, in the words the admin chooses by (the API names beside them). */
export const SCOPES = {
  'tickets:create': {
    label: 'Create tickets',
    hint: 'Open tickets from email, chat or another system.',
  },
  'tickets:read': {
    label: 'Read tickets',
    hint: 'Look up a ticket and its current step; list and search tickets.',
  },
  'tickets:reply': {
    label: 'Add messages',
    hint: 'Log the customer’s messages, and reply to them as the token’s bot.',
  },
  'tickets:work': {
    label: 'Work steps as a bot',
    hint: 'Complete a ticket’s current step; its history names the bot, e.g. “Bot: Triage assistant”.',
  },
  'analytics:read': {
    label: 'Read analytics',
    hint: 'Flow reports, version comparisons and pilot read-outs.',
  },
  'flows:read': {
    label: 'Read flows',
    hint: 'List flows and read their published versions.',
  },
} as const satisfies Record<ApiScope, { label: string; hint: string }>;

const SCOPE_ORDER = Object.keys(SCOPES) as ApiScope[];

/** The last moment of a calendar day in the browser's time zone, as ISO (a token works through that day). */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59.999`).toISOString();
}

/** Tomorrow as `YYYY-MM-DD` in the browser's time zone: the first day a new token may expire. */
function tomorrow(now: number): string {
  const d = new Date(now + 24 * 60 * 60 * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

type Created = { name: string; token: string; scopes: ApiScope[]; expiresAt: string | null };

function CreateTokenForm({
  onCreated,
  onCancel,
}: {
  onCreated: (token: Created) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(60_000);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiScope[]>([]);
  const [expiry, setExpiry] = useState('');
  const [problems, setProblems] = useState<{ name?: string; scopes?: string; expiry?: string }>({});
  const [general, setGeneral] = useState<string | null>(null);
  const create = useMutation(
    trpc.admin.tokens.create.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.tokens.list.queryKey() });
        onCreated(created);
      },
      onError: (e) => setGeneral(errorMessage(e)),
    }),
  );
  const minExpiry = tomorrow(now);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const found: typeof problems = {};
    if (trimmed === '') found.name = 'Name the token after what will use it, e.g. “Email gateway”.';
    else if (trimmed.length > 200) found.name = 'A name is at most 200 characters.';
    if (scopes.length === 0) found.scopes = 'Choose at least one thing the token may do.';
    if (expiry !== '' && expiry < minExpiry)
      found.expiry = 'Choose a day from tomorrow on, or leave it empty.';
    setProblems(found);
    setGeneral(null);
    if (Object.keys(found).length > 0) return;
    create.mutate({ name: trimmed, scopes, expiresAt: expiry === '' ? null : endOfDay(expiry) });
  };
  const toggle = (scope: ApiScope, on: boolean) => {
    setScopes((current) => SCOPE_ORDER.filter((s) => (s === scope ? on : current.includes(s))));
    setProblems((p) => ({ ...p, scopes: undefined }));
  };
  return (
    <form className="panel admin-form token-form" onSubmit={submit} noValidate aria-label="New API token">
      <h2>New API token</h2>
      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      <fieldset className="form-row form-row-2" disabled={create.isPending}>
        <legend className="sr-only">Token</legend>
        <FormField
          label="Token name"
          required
          error={problems.name}
          hint="What will use it, e.g. “Email gateway”."
        >
          {(p) => (
            <input
              {...p}
              type="text"
              value={name}
              placeholder="Email gateway"
              autoComplete="off"
              onChange={(e) => {
                setName(e.target.value);
                setProblems((old) => ({ ...old, name: undefined }));
              }}
            />
          )}
        </FormField>
        <FormField
          label="Expires on (optional)"
          error={problems.expiry}
          hint="Leave empty for a token that does not expire. It works until the end of that day."
        >
          {(p) => (
            <input
              {...p}
              type="date"
              value={expiry}
              min={minExpiry}
              onChange={(e) => {
                setExpiry(e.target.value);
                setProblems((old) => ({ ...old, expiry: undefined }));
              }}
            />
          )}
        </FormField>
      </fieldset>
      <fieldset
        className={problems.scopes ? 'scope-choices has-error' : 'scope-choices'}
        disabled={create.isPending}
        aria-describedby={problems.scopes ? 'token-scopes-error' : undefined}
      >
        <legend>
          What it may do
          <span className="required-mark" aria-hidden="true">
            {' '}
            *
          </span>
        </legend>
        {SCOPE_ORDER.map((scope) => (
          <label key={scope} className="scope-choice">
            <input
              type="checkbox"
              className="scope-choice-box"
              checked={scopes.includes(scope)}
              onChange={(e) => toggle(scope, e.target.checked)}
            />
            <span className="scope-choice-text">
              <span className="scope-choice-label">
                {SCOPES[scope].label} <code>{scope}</code>
              </span>
              <span className="scope-choice-hint">{SCOPES[scope].hint}</span>
            </span>
          </label>
        ))}
        {problems.scopes && (
          <span id="token-scopes-error" className="field-error">
            {problems.scopes}
          </span>
        )}
      </fieldset>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

const STATUS: Record<ApiTokenRow['status'], { label: string; tone: 'success' | 'warning' | 'danger' }> = {
  active: { label: 'Active', tone: 'success' },
  expired: { label: 'Expired', tone: 'warning' },
  revoked: { label: 'Revoked', tone: 'danger' },
};

/**
 * API tokens let other systems (an email gateway, a chat widget, a help desk, an AI assistant) work with
 * Stepwise, each within the scopes it was given. A new token is shown once; the list shows its prefix,
 * scopes, who made it and when, when it was last used, its expiry and whether it still works.
 */
export function TokensAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.admin.tokens.list.queryOptions());
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
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
            Other systems send <code>Authorization: Bearer &lt;token&gt;</code>. Each token may do only what
            its scopes allow.
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
        <EmptyState title="No API tokens">
          Create one for each system that works with your tickets.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table tokens-table">
            <caption className="sr-only">{tokens.data.length} API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id} className={t.status === 'active' ? undefined : 'is-disabled'}>
                  <td data-label="Name">
                    <div className="row-title">
                      <KeyRound size={14} aria-hidden="true" className="row-icon" /> {t.name}
                    </div>
                    <div className="row-sub">
                      <code>{t.prefix}…</code>
                    </div>
                  </td>
                  <td data-label="Scopes">
                    <ul className="scope-list" aria-label={`Scopes of ${t.name}`}>
                      {t.scopes.map((scope) => (
                        <li key={scope}>
                          <Badge tone="neutral" title={scope}>
                            {SCOPES[scope].label}
                          </Badge>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-label="Created">
                    <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                      {formatRelative(t.createdAt, now)}
                    </time>
                    <div className="row-sub">
                      {t.createdByName ? `by ${t.createdByName}` : 'by a former member'}
                    </div>
                  </td>
                  <td data-label="Last used">
                    {t.lastUsedAt ? (
                      <time dateTime={t.lastUsedAt} title={formatDateTime(t.lastUsedAt)}>
                        {formatRelative(t.lastUsedAt, now)}
                      </time>
                    ) : (
                      <span className="muted">Never</span>
                    )}
                  </td>
                  <td data-label="Expires">
                    {t.expiresAt ? (
                      <time dateTime={t.expiresAt}>{formatDateTime(t.expiresAt)}</time>
                    ) : (
                      <span className="muted">Never</span>
                    )}
                  </td>
                  <td data-label="Status">
                    <Badge tone={STATUS[t.status].tone}>{STATUS[t.status].label}</Badge>
                  </td>
                  <td className="cell-action">
                    {t.status !== 'revoked' && (
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
          <>
            <SecretReveal
              label="Token"
              value={created.token}
              warning="This is the only time the token is shown. If you lose it, revoke it and create a new one."
            />
            <p className="token-summary">
              It may: {created.scopes.map((scope) => SCOPES[scope].label.toLowerCase()).join(', ')}.{' '}
              {created.expiresAt
                ? `It works until ${formatDateTime(created.expiresAt)}.`
                : 'It does not expire.'}
            </p>
          </>
        )}
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        body="Every request with this token is refused from then on. This cannot be undone."
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
