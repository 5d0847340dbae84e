import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus, Webhook } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { Badge, type BadgeTone, humanize } from '../../ui/Badge.tsx';
import { SecretReveal } from '../../ui/CopyButton.tsx';
import { ConfirmDialog, Dialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { describeEventTypes, EVENT_TYPES, type EventType, EventTypesPicker } from './EventTypesPicker.tsx';

/** Whether a URL is one the server will call: absolute http(s). */
export function isWebhookUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function AddEndpointForm({
  onCreated,
  onCancel,
}: {
  onCreated: (created: { url: string; secret: string }) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<Set<EventType>>(() => new Set(EVENT_TYPES.map((e) => e.type)));
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const create = useMutation(
    trpc.admin.webhooks.create.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.webhooks.list.queryKey() });
        onCreated({ url: created.url, secret: created.secret });
      },
      onError: (e) => {
        const issues = inputIssuesOf(e);
        setServer(issues);
        setGeneral(Object.keys(issues).length === 0 ? errorMessage(e) : null);
      },
    }),
  );
  const urlProblem =
    server.url ??
    (submitted
      ? url.trim() === ''
        ? 'Enter the URL to call.'
        : !isWebhookUrl(url)
          ? 'Enter a full http:// or https:// URL.'
          : url.length > 2000
            ? 'A URL is at most 2,000 characters.'
            : undefined
      : undefined);
  const descriptionProblem =
    server.description ?? (description.length > 500 ? 'A description is at most 500 characters.' : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!isWebhookUrl(url) || url.length > 2000 || description.length > 500 || types.size === 0) return;
    create.mutate({
      url: url.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      eventTypes: EVENT_TYPES.map((e) => e.type).filter((t) => types.has(t)),
    });
  };

  return (
    <form className="panel admin-form" onSubmit={submit} noValidate aria-label="Add a webhook endpoint">
      <h2>Add an endpoint</h2>
      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      <fieldset className="form-row form-row-2" disabled={create.isPending}>
        <legend className="sr-only">New endpoint</legend>
        <FormField
          label="URL"
          required
          error={urlProblem}
          hint="We POST the chosen ticket events here as JSON."
        >
          {(p) => (
            <input
              {...p}
              type="url"
              placeholder="https://example.com/hooks/stepwise"
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                setServer({});
              }}
            />
          )}
        </FormField>
        <FormField label="Description" error={descriptionProblem}>
          {(p) => (
            <input
              {...p}
              type="text"
              placeholder="CRM sync"
              value={description}
              onChange={(e) => {
                setDescription(e.target.value);
                setServer({});
              }}
            />
          )}
        </FormField>
      </fieldset>
      <EventTypesPicker
        value={types}
        onChange={setTypes}
        error={
          server.eventTypes ?? (submitted && types.size === 0 ? 'Choose at least one event type.' : undefined)
        }
      />
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add endpoint'}
        </button>
      </div>
    </form>
  );
}

const DELIVERY_TONE: Record<string, BadgeTone> = { delivered: 'success', pending: 'info', failed: 'danger' };

function Deliveries({ endpoints }: { endpoints: ReadonlyArray<{ id: string; url: string }> }) {
  const trpc = useTRPC();
  const now = useNow(15_000);
  const [endpointId, setEndpointId] = useState('');
  const deliveries = useQuery(
    trpc.admin.webhooks.deliveries.queryOptions(
      { limit: 50, ...(endpointId ? { endpointId } : {}) },
      { refetchInterval: 15_000 },
    ),
  );
  const urlOf = new Map(endpoints.map((e) => [e.id, e.url]));

  return (
    <section className="admin-subsection" aria-labelledby="deliveries-heading">
      <div className="panel-head">
        <h3 id="deliveries-heading">Deliveries</h3>
        <label className="filter">
          <span>Endpoint</span>
          <select value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
            <option value="">All endpoints</option>
            {endpoints.map((e) => (
              <option key={e.id} value={e.id}>
                {e.url}
              </option>
            ))}
          </select>
        </label>
      </div>
      {deliveries.isPending ? (
        <Loading label="Loading deliveries…" />
      ) : deliveries.isError ? (
        <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : deliveries.data.length === 0 ? (
        <EmptyState title="No deliveries yet">Events are sent here as tickets move.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">
              The latest {deliveries.data.length} deliveries, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">Delivery</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((d) => (
                <tr key={d.id}>
                  <td className="cell-wide">
                    <div className="row-title">{humanize(d.eventType)}</div>
                    <div className="row-sub">
                      <code title="webhook-id">{d.id}</code>
                      {d.ticketId && (
                        <>
                          {' · '}
                          <Link to={`/tickets/${d.ticketId}`}>ticket</Link>
                        </>
                      )}
                    </div>
                  </td>
                  <td className="cell-url">{urlOf.get(d.endpointId) ?? d.endpointId}</td>
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
                    {d.status === 'pending' && d.nextAttemptAt ? (
                      <time dateTime={d.nextAttemptAt} title={formatDateTime(d.nextAttemptAt)}>
                        {formatRelative(d.nextAttemptAt, now)}
                      </time>
                    ) : d.deliveredAt ? (
                      <span className="muted">
                        Delivered{' '}
                        <time dateTime={d.deliveredAt} title={formatDateTime(d.deliveredAt)}>
                          {formatRelative(d.deliveredAt, now)}
                        </time>
                      </span>
                    ) : (
                      <span className="muted">—</span>
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

/** Changes which event types an endpoint receives. */
function EventTypesDialog({
  endpoint,
  onClose,
}: {
  endpoint: { id: string; url: string; eventTypes: readonly EventType[] } | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [types, setTypes] = useState<Set<EventType> | null>(null);
  const chosen = types ?? new Set(endpoint?.eventTypes ?? []);
  const save = useMutation(
    trpc.admin.webhooks.setEventTypes.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.webhooks.list.queryKey() });
        toast.success('Event types saved.');
        setTypes(null);
        onClose();
      },
    }),
  );
  const close = () => {
    setTypes(null);
    save.reset();
    onClose();
  };
  return (
    <Dialog
      open={endpoint !== null}
      title="Event types"
      description={`What ${endpoint?.url ?? ''} receives from now on. A flow’s own webhook call is always sent.`}
      onClose={close}
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={save.isPending || chosen.size === 0}
            onClick={() =>
              endpoint &&
              save.mutate({
                endpointId: endpoint.id,
                eventTypes: EVENT_TYPES.map((e) => e.type).filter((t) => chosen.has(t)),
              })
            }
          >
            {save.isPending ? 'Saving…' : 'Save event types'}
          </button>
        </>
      }
    >
      <EventTypesPicker
        value={chosen}
        onChange={setTypes}
        error={chosen.size === 0 ? 'Choose at least one event type.' : undefined}
      />
      {save.isError && (
        <p className="field-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </Dialog>
  );
}

/** What the last test send to an endpoint or channel came to, shown under it. */
export type TestOutcome = { ok: boolean; statusCode: number | null; error: string | null };

export function TestOutcomeLine({ outcome }: { outcome: TestOutcome | undefined }) {
  if (!outcome) return null;
  return (
    <p className={`test-result ${outcome.ok ? 'is-ok' : 'is-failed'}`} role="status">
      {outcome.ok
        ? `Test delivered: the endpoint answered HTTP ${outcome.statusCode ?? ''}.`
        : `Test failed: ${outcome.error ?? 'no answer.'}`}
    </p>
  );
}

/** Outbound webhooks: endpoints that receive the ticket events they chose, signed, and the log of deliveries. */
export function WebhooksAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.admin.webhooks.list.queryOptions(undefined, { refetchInterval: 15_000 }));
  const now = useNow(30_000);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; url: string } | null>(null);
  const [editing, setEditing] = useState<{ id: string; url: string; eventTypes: EventType[] } | null>(null);
  const [tests, setTests] = useState<Record<string, TestOutcome>>({});
  const test = useMutation(
    trpc.admin.webhooks.test.mutationOptions({
      onSuccess: (result, input) => {
        setTests((t) => ({ ...t, [input.endpointId]: result }));
        refresh();
        void queryClient.invalidateQueries({ queryKey: trpc.admin.webhooks.deliveries.queryKey() });
      },
      onError: (e) => toast.error(`Could not send the test: ${errorMessage(e)}`),
    }),
  );
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.admin.webhooks.list.queryKey() });
  const disable = useMutation(
    trpc.admin.webhooks.disable.mutationOptions({
      onSuccess: () => {
        refresh();
        toast.success('Endpoint disabled. Nothing more is sent to it.');
      },
      onError: (e) => toast.error(`Could not disable: ${errorMessage(e)}`),
    }),
  );
  const remove = useMutation(
    trpc.admin.webhooks.delete.mutationOptions({
      onSuccess: () => {
        refresh();
        void queryClient.invalidateQueries({ queryKey: trpc.admin.webhooks.deliveries.queryKey() });
        setDeleting(null);
        toast.success('Endpoint deleted.');
      },
    }),
  );

  return (
    <section aria-labelledby="webhooks-heading">
      <div className="page-head">
        <div>
          <h2 id="webhooks-heading" className="section-title">
            Webhooks
          </h2>
          <p className="page-sub">
            The ticket events each endpoint chose are POSTed to it with the ticket’s summary (and the message,
            for replies), signed with the endpoint’s secret, and retried until they are accepted.
          </p>
        </div>
        {!adding && (
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
            <Plus size={16} aria-hidden="true" /> Add endpoint
          </button>
        )}
      </div>
      {adding && (
        <AddEndpointForm
          onCancel={() => setAdding(false)}
          onCreated={(c) => {
            setAdding(false);
            setCreated(c);
          }}
        />
      )}
      {endpoints.isPending ? (
        <Loading label="Loading endpoints…" />
      ) : endpoints.isError ? (
        <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : endpoints.data.length === 0 ? (
        <EmptyState title="No endpoints">Add one to send ticket events to another system.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{endpoints.data.length} webhook endpoints</caption>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                <th scope="col">Queue</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((e) => (
                <tr key={e.id} className={e.disabledAt ? 'is-disabled' : undefined}>
                  <td className="cell-wide">
                    <div className="row-title cell-url">
                      <Webhook size={14} aria-hidden="true" className="row-icon" /> {e.url}
                    </div>
                    {e.description && <div className="row-sub">{e.description}</div>}
                    <TestOutcomeLine outcome={tests[e.id]} />
                  </td>
                  <td>
                    <span title={e.eventTypes.join(', ')}>{describeEventTypes(e.eventTypes)}</span>
                  </td>
                  <td>
                    <time dateTime={e.createdAt} title={formatDateTime(e.createdAt)}>
                      {formatRelative(e.createdAt, now)}
                    </time>
                  </td>
                  <td>
                    {e.pending === 0 && e.failed === 0 ? (
                      <span className="muted">Up to date</span>
                    ) : (
                      <span className="tags">
                        {e.pending > 0 && <Badge tone="info">{e.pending} pending</Badge>}
                        {e.failed > 0 && <Badge tone="danger">{e.failed} failed</Badge>}
                      </span>
                    )}
                  </td>
                  <td>
                    {e.disabledAt ? (
                      <Badge tone="neutral">Disabled</Badge>
                    ) : (
                      <Badge tone="success">Active</Badge>
                    )}
                  </td>
                  <td className="cell-action">
                    {!e.disabledAt && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        disabled={test.isPending}
                        onClick={() => test.mutate({ endpointId: e.id })}
                        aria-label={`Send test to ${e.url}`}
                      >
                        {test.isPending && test.variables?.endpointId === e.id ? 'Sending…' : 'Send test'}
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      onClick={() => setEditing({ id: e.id, url: e.url, eventTypes: e.eventTypes })}
                      aria-label={`Events of ${e.url}`}
                    >
                      Events
                    </button>
                    {!e.disabledAt && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        disabled={disable.isPending}
                        onClick={() => disable.mutate({ endpointId: e.id })}
                        aria-label={`Disable ${e.url}`}
                      >
                        Disable
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-ghost btn-small btn-danger-text"
                      onClick={() => {
                        remove.reset();
                        setDeleting({ id: e.id, url: e.url });
                      }}
                      aria-label={`Delete ${e.url}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {endpoints.data && endpoints.data.length > 0 && <Deliveries endpoints={endpoints.data} />}

      <Dialog
        open={created !== null}
        title="Endpoint added"
        description={`Events for ${created?.url ?? ''} are signed with this secret. Use it to check the webhook-signature header.`}
        onClose={() => setCreated(null)}
        footer={
          <button type="button" className="btn btn-primary" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        }
      >
        {created && (
          <SecretReveal
            label="Signing secret"
            value={created.secret}
            warning="This is the only time the secret is shown. If you lose it, delete the endpoint and add it again."
          />
        )}
      </Dialog>

      <EventTypesDialog endpoint={editing} onClose={() => setEditing(null)} />

      <ConfirmDialog
        open={deleting !== null}
        title="Delete this endpoint?"
        body={
          <>
            <code>{deleting?.url}</code> gets no more events and its pending deliveries are dropped. This
            cannot be undone.
          </>
        }
        confirmLabel="Delete endpoint"
        danger
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate({ endpointId: deleting.id })}
        onClose={() => setDeleting(null)}
      />
    </section>
  );
}
