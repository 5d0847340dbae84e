import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Megaphone, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { Badge, type BadgeTone, humanize } from '../../ui/Badge.tsx';
import { ConfirmDialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { type TestOutcome, TestOutcomeLine } from './WebhooksAdmin.tsx';

type Kind = 'slack' | 'teams';
const KIND_LABEL: Record<Kind, string> = { slack: 'Slack', teams: 'Microsoft Teams' };
const URL_HINT: Record<Kind, string> = {
  slack:
    'In Slack: an app with Incoming Webhooks, “Add New Webhook to Workspace”, pick the channel, copy its URL.',
  teams:
    'In Teams: Workflows, “Post to a channel when a webhook request is received”, pick the channel, copy the URL it gives.',
};

/** Whether the server will accept the URL: https, or http to this machine (allowed on development servers). */
function urlProblemOf(text: string): string | undefined {
  if (text.trim() === '') return 'Enter the URL Slack or Teams gave you.';
  try {
    const url = new URL(text.trim());
    if (url.protocol === 'https:') return undefined;
    if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
      return undefined;
    return 'Enter an https:// URL.';
  } catch {
    return 'Enter a full https:// URL.';
  }
}

function AddChannelForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('slack');
  const [url, setUrl] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const create = useMutation(
    trpc.admin.channels.create.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.channels.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.admin.channels.names.queryKey() });
        toast.success(`Channel ${created.name} added. Send a test to check it.`);
        onDone();
      },
      onError: (e) => {
        const issues = inputIssuesOf(e);
        const message = errorMessage(e);
        // The server names the field first ("url: …", "name: …") when the check is its own.
        const named = /^(name|url): (.*)$/.exec(message);
        if (named?.[1] && named[2]) {
          setServer({ ...issues, [named[1]]: named[2] });
          setGeneral(null);
        } else {
          setServer(issues);
          setGeneral(Object.keys(issues).length === 0 ? message : null);
        }
      },
    }),
  );
  const nameProblem =
    server.name ??
    (submitted && name.trim() === ''
      ? 'Enter a name, e.g. Escalations.'
      : name.length > 200
        ? 'A name is at most 200 characters.'
        : undefined);
  const urlProblem = server.url ?? (submitted ? urlProblemOf(url) : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (name.trim() === '' || name.length > 200 || urlProblemOf(url)) return;
    create.mutate({ name: name.trim(), kind, url: url.trim() });
  };

  return (
    <form className="panel admin-form" onSubmit={submit} noValidate aria-label="Add a channel">
      <h2>Add a channel</h2>
      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      <fieldset className="form-row form-row-2" disabled={create.isPending}>
        <legend className="sr-only">New channel</legend>
        <FormField
          label="Name"
          required
          error={nameProblem}
          hint="Notify nodes name the channel by this name."
        >
          {(p) => (
            <input
              {...p}
              type="text"
              placeholder="Escalations"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setServer({});
              }}
            />
          )}
        </FormField>
        <FormField label="Service" required>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="slack">Slack (incoming webhook)</option>
              <option value="teams">Microsoft Teams (workflow)</option>
            </select>
          )}
        </FormField>
      </fieldset>
      <fieldset className="form-row" disabled={create.isPending}>
        <legend className="sr-only">Where to post</legend>
        <FormField label="URL" required error={urlProblem} hint={URL_HINT[kind]}>
          {(p) => (
            <input
              {...p}
              type="url"
              placeholder={
                kind === 'slack'
                  ? 'https://hooks.slack.com/services/…'
                  : 'https://prod-00.westeurope.logic.azure.com/workflows/…'
              }
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                setServer({});
              }}
            />
          )}
        </FormField>
      </fieldset>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onDone} disabled={create.isPending}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add channel'}
        </button>
      </div>
    </form>
  );
}

const DELIVERY_TONE: Record<string, BadgeTone> = { delivered: 'success', pending: 'info', failed: 'danger' };

function ChannelLog({ channels }: { channels: ReadonlyArray<{ id: string; name: string }> }) {
  const trpc = useTRPC();
  const now = useNow(15_000);
  const [channelId, setChannelId] = useState('');
  const log = useQuery(
    trpc.admin.channels.deliveries.queryOptions(
      { limit: 50, ...(channelId ? { channelId } : {}) },
      { refetchInterval: 5_000 },
    ),
  );
  return (
    <section className="admin-subsection" aria-labelledby="channel-log-heading">
      <div className="panel-head">
        <h3 id="channel-log-heading">Delivery log</h3>
        <label className="filter">
          <span>Channel</span>
          <select value={channelId} onChange={(e) => setChannelId(e.target.value)}>
            <option value="">All channels</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {log.isPending ? (
        <Loading label="Loading the log…" />
      ) : log.isError ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : log.data.length === 0 ? (
        <EmptyState title="Nothing posted yet">
          Messages appear here when a ticket passes a notify node, or when you send a test.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">The latest {log.data.length} channel messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((d) => (
                <tr key={d.id}>
                  <td className="cell-wide">
                    <div className="channel-text">{d.text}</div>
                    <div className="row-sub">
                      {d.ticketId ? (
                        <Link to={`/tickets/${d.ticketId}`}>Ticket #{d.ticketNumber}</Link>
                      ) : (
                        'Test message'
                      )}
                    </div>
                  </td>
                  <td>{d.channelName}</td>
                  <td>
                    <Badge tone={DELIVERY_TONE[d.status] ?? 'neutral'}>{humanize(d.status)}</Badge>
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td>
                    {d.lastStatusCode !== null && <code>HTTP {d.lastStatusCode}</code>}
                    {d.lastError && <div className="row-sub delivery-error">{d.lastError}</div>}
                    {d.lastStatusCode === null && !d.lastError && <span className="muted">—</span>}
                  </td>
                  <td>
                    {d.status === 'pending' ? (
                      <span className="muted">
                        Next try{' '}
                        <time dateTime={d.nextAttemptAt} title={formatDateTime(d.nextAttemptAt)}>
                          {formatRelative(d.nextAttemptAt, now)}
                        </time>
                      </span>
                    ) : (
                      <time
                        dateTime={d.deliveredAt ?? d.createdAt}
                        title={formatDateTime(d.deliveredAt ?? d.createdAt)}
                      >
                        {formatRelative(d.deliveredAt ?? d.createdAt, now)}
                      </time>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * Slack and Microsoft Teams channels: set up once for the organization, named by the flows' notify nodes,
 * tested from here, with the log of what was posted.
 */
export function IntegrationsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.admin.channels.list.queryOptions(undefined, { refetchInterval: 15_000 }));
  const now = useNow(30_000);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const [tests, setTests] = useState<Record<string, TestOutcome>>({});
  const refreshLog = () =>
    void queryClient.invalidateQueries({ queryKey: trpc.admin.channels.deliveries.queryKey() });
  const test = useMutation(
    trpc.admin.channels.test.mutationOptions({
      onSuccess: (result, input) => {
        setTests((t) => ({ ...t, [input.channelId]: result }));
        void queryClient.invalidateQueries({ queryKey: trpc.admin.channels.list.queryKey() });
        refreshLog();
      },
      onError: (e) => toast.error(`Could not send the test: ${errorMessage(e)}`),
    }),
  );
  const remove = useMutation(
    trpc.admin.channels.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.channels.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.admin.channels.names.queryKey() });
        refreshLog();
        setDeleting(null);
        toast.success('Channel removed.');
      },
    }),
  );

  return (
    <section aria-labelledby="integrations-heading">
      <div className="page-head">
        <div>
          <h2 id="integrations-heading" className="section-title">
            Integrations
          </h2>
          <p className="page-sub">
            Slack and Microsoft Teams channels your flows post to: a “Notify a channel” node names one of them
            (for example on an SLA breach). Messages are retried until the channel accepts them. Webhooks for
            other systems are under <Link to="/admin/webhooks">Webhooks</Link>.
          </p>
        </div>
        {!adding && (
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
            <Plus size={16} aria-hidden="true" /> Add channel
          </button>
        )}
      </div>
      {adding && <AddChannelForm onDone={() => setAdding(false)} />}
      {channels.isPending ? (
        <Loading label="Loading channels…" />
      ) : channels.isError ? (
        <ErrorState error={channels.error} onRetry={() => void channels.refetch()} />
      ) : channels.data.length === 0 ? (
        <EmptyState title="No channels">
          Add a Slack or Teams channel to let flows notify your team.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{channels.data.length} channels</caption>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Service</th>
                <th scope="col">Added</th>
                <th scope="col">Messages</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {channels.data.map((c) => (
                <tr key={c.id}>
                  <td className="cell-wide">
                    <div className="row-title">
                      <Megaphone size={14} aria-hidden="true" className="row-icon" /> {c.name}
                    </div>
                    <div className="row-sub cell-url">{c.urlHint}</div>
                    <TestOutcomeLine outcome={tests[c.id]} />
                  </td>
                  <td>{KIND_LABEL[c.kind]}</td>
                  <td>
                    <time dateTime={c.createdAt} title={formatDateTime(c.createdAt)}>
                      {formatRelative(c.createdAt, now)}
                    </time>
                    {c.createdByName && <div className="row-sub">by {c.createdByName}</div>}
                  </td>
                  <td>
                    <span className="tags">
                      <Badge tone="success">{c.delivered} delivered</Badge>
                      {c.pending > 0 && <Badge tone="info">{c.pending} pending</Badge>}
                      {c.failed > 0 && <Badge tone="danger">{c.failed} failed</Badge>}
                    </span>
                  </td>
                  <td className="cell-action">
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      disabled={test.isPending}
                      onClick={() => test.mutate({ channelId: c.id })}
                      aria-label={`Send test to ${c.name}`}
                    >
                      {test.isPending && test.variables?.channelId === c.id ? 'Sending…' : 'Send test'}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-small btn-danger-text"
                      onClick={() => {
                        remove.reset();
                        setDeleting({ id: c.id, name: c.name });
                      }}
                      aria-label={`Remove ${c.name}`}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {channels.data && <ChannelLog channels={channels.data} />}

      <ConfirmDialog
        open={deleting !== null}
        title="Remove this channel?"
        body={
          <>
            <strong>{deleting?.name}</strong> and its log are removed. Notify nodes that name it then log a
            failed message until a channel of that name is added again.
          </>
        }
        confirmLabel="Remove channel"
        danger
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate({ channelId: deleting.id })}
        onClose={() => setDeleting(null)}
      />
    </section>
  );
}
