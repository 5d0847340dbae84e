import { CHANNELS, PRIORITIES, TIERS } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, Plus, Trash2 } from 'lucide-react';
import { type FocusEvent, type FormEvent, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { inputIssuesOf } from '../../ui/apiErrors.ts';
import { capitalize } from '../../ui/Badge.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { draftProblems, EMPTY_DRAFT, serverProblems, type TicketDraft, toPayload } from './ticketDraft.ts';
import { refreshQueue } from '../queue/refreshQueue.ts';

const TIER_LABEL: Record<string, string> = { new: 'New', existing: 'Existing', vip: 'VIP' };
const CATEGORY_SUGGESTIONS = [
  'billing',
  'refund',
  'technical',
  'account',
  'complaint',
  'onboarding',
  'other',
];

/** The draft's problem keys a control of the form shows. */
const PLACED = /^(customer\.(name|email)|subject|description|category|tags|fields\.\d+\.(key|value))$/;

/**
 * The new-ticket form (phone calls, walk-ins, anything that did not come through an integration):
 * validated as it is filled, the server's own refusals shown on the controls they concern; on success
 * the agent lands on the ticket, already routed into its flow.
 */
export function NewTicketPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useTitle('New ticket');
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [draft, setDraft] = useState<TicketDraft>(EMPTY_DRAFT);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const nextRow = useRef(1);
  const formRef = useRef<HTMLFormElement>(null);

  const create = useMutation(
    trpc.tickets.create.mutationOptions({
      onSuccess: (detail) => {
        refreshQueue(queryClient, trpc);
        toast.success(
          detail.flow
            ? `Ticket #${detail.ticket.number} created on “${detail.flow.name}”.`
            : `Ticket #${detail.ticket.number} created. No flow matched it.`,
        );
        void navigate(`/tickets/${detail.ticket.id}`);
      },
      onError: (error) => {
        const issues = inputIssuesOf(error);
        const sorted = serverProblems(draft, issues);
        if (Object.keys(issues).length === 0) sorted.general.push(errorMessage(error));
        setServer(sorted);
      },
    }),
  );

  const local = draftProblems(draft);
  // Problems no control of the form shows (too many custom fields, say) are listed above the form.
  const unplaced = submitted ? Object.entries(local).filter(([key]) => !PLACED.test(key)) : [];
  const general = [...server.general, ...unplaced.map(([, message]) => message)];
  const problem = (key: string): string | undefined =>
    server.byField[key] ?? (submitted || touched.has(key) ? local[key] : undefined);

  const update = <K extends keyof TicketDraft>(key: K, value: TicketDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setServer((s) => ({ byField: {}, general: s.general.length > 0 ? [] : s.general }));
  };
  // A field's problem shows when it is left — except when it is left for the submit button: the problems
  // show with the submit anyway, and one appearing on the way would shift the button from under the pointer
  // between its press and release, so the click would miss.
  const touch = (key: string) => (event: FocusEvent) => {
    if (event.relatedTarget instanceof HTMLButtonElement && event.relatedTarget.type === 'submit') return;
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) {
      // Take the keyboard to the first control that needs attention.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    create.mutate(toPayload(draft));
  };

  const routable = (flows.data ?? []).filter((f) => f.activeVersion !== null);
  const pending = create.isPending;

  return (
    <div className="form-page">
      <Link to="/queue" className="back-link">
        <ArrowLeft size={14} aria-hidden="true" /> Queue
      </Link>
      <div className="page-head">
        <div>
          <h1>New ticket</h1>
          <p className="page-sub">
            Record a request from a call, a chat or a walk-in. It enters the matching flow straight away.
          </p>
        </div>
      </div>

      <form ref={formRef} className="panel form-panel" noValidate onSubmit={onSubmit} aria-busy={pending}>
        {general.length > 0 && (
          <Notice tone="danger">
            {general.map((m) => (
              <div key={m}>{m}</div>
            ))}
          </Notice>
        )}

        <fieldset className="form-section" disabled={pending}>
          <legend>Customer</legend>
          <div className="form-row form-row-3">
            <FormField label="Name" required error={problem('customer.name')}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  autoComplete="off"
                  value={draft.customerName}
                  onChange={(e) => update('customerName', e.target.value)}
                  onBlur={touch('customer.name')}
                />
              )}
            </FormField>
            <FormField label="Email" required error={problem('customer.email')}>
              {(p) => (
                <input
                  {...p}
                  type="email"
                  autoComplete="off"
                  value={draft.customerEmail}
                  onChange={(e) => update('customerEmail', e.target.value)}
                  onBlur={touch('customer.email')}
                />
              )}
            </FormField>
            <FormField label="Tier">
              {(p) => (
                <select
                  {...p}
                  value={draft.tier}
                  onChange={(e) => update('tier', e.target.value as TicketDraft['tier'])}
                >
                  {TIERS.map((t) => (
                    <option key={t} value={t}>
                      {TIER_LABEL[t] ?? capitalize(t)}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
          </div>
        </fieldset>

        <fieldset className="form-section" disabled={pending}>
          <legend>Request</legend>
          <div className="form-row form-row-3">
            <FormField label="Channel">
              {(p) => (
                <select
                  {...p}
                  value={draft.channel}
                  onChange={(e) => update('channel', e.target.value as TicketDraft['channel'])}
                >
                  {CHANNELS.map((c) => (
                    <option key={c} value={c}>
                      {c === 'web' ? 'Web form' : capitalize(c)}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
            <FormField label="Category" error={problem('category')} hint="Flows route on it, e.g. refund.">
              {(p) => (
                <>
                  <input
                    {...p}
                    type="text"
                    list="category-suggestions"
                    value={draft.category}
                    onChange={(e) => update('category', e.target.value)}
                    onBlur={touch('category')}
                  />
                  <datalist id="category-suggestions">
                    {CATEGORY_SUGGESTIONS.map((c) => (
                      <option key={c} value={c} />
                    ))}
                  </datalist>
                </>
              )}
            </FormField>
            <FormField label="Priority">
              {(p) => (
                <select
                  {...p}
                  value={draft.priority}
                  onChange={(e) => update('priority', e.target.value as TicketDraft['priority'])}
                >
                  {PRIORITIES.map((v) => (
                    <option key={v} value={v}>
                      {capitalize(v)}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
          </div>
          <FormField label="Subject" required error={problem('subject')}>
            {(p) => (
              <input
                {...p}
                type="text"
                value={draft.subject}
                onChange={(e) => update('subject', e.target.value)}
                onBlur={touch('subject')}
              />
            )}
          </FormField>
          <FormField
            label="Description"
            error={problem('description')}
            hint="What the customer asked, in their words."
          >
            {(p) => (
              <textarea
                {...p}
                rows={5}
                value={draft.description}
                onChange={(e) => update('description', e.target.value)}
                onBlur={touch('description')}
              />
            )}
          </FormField>
          <div className="form-row form-row-2">
            <FormField label="Tags" error={problem('tags')} hint="Comma-separated.">
              {(p) => (
                <input
                  {...p}
                  type="text"
                  value={draft.tags}
                  onChange={(e) => update('tags', e.target.value)}
                  onBlur={touch('tags')}
                />
              )}
            </FormField>
            <FormField
              label="Flow"
              hint={draft.flowId ? 'Starts this flow by hand.' : 'The first flow whose start filters match.'}
            >
              {(p) => (
                <select {...p} value={draft.flowId} onChange={(e) => update('flowId', e.target.value)}>
                  <option value="">Route automatically</option>
                  {routable.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
          </div>
        </fieldset>

        <fieldset className="form-section" disabled={pending}>
          <legend>Custom fields</legend>
          {draft.fields.length === 0 ? (
            <p className="hint">None. Add the details your flows decide on (order number, amount…).</p>
          ) : (
            <ul className="kv-rows">
              {draft.fields.map((row, i) => (
                <li key={row.id} className="kv-row">
                  <FormField label={`Field ${i + 1} key`} error={problem(`fields.${row.id}.key`)}>
                    {(p) => (
                      <input
                        {...p}
                        type="text"
                        placeholder="order_id"
                        value={row.key}
                        onChange={(e) =>
                          update(
                            'fields',
                            draft.fields.map((r) => (r.id === row.id ? { ...r, key: e.target.value } : r)),
                          )
                        }
                        onBlur={touch(`fields.${row.id}.key`)}
                      />
                    )}
                  </FormField>
                  <FormField label={`Field ${i + 1} value`} error={problem(`fields.${row.id}.value`)}>
                    {(p) => (
                      <input
                        {...p}
                        type="text"
                        value={row.value}
                        onChange={(e) =>
                          update(
                            'fields',
                            draft.fields.map((r) => (r.id === row.id ? { ...r, value: e.target.value } : r)),
                          )
                        }
                      />
                    )}
                  </FormField>
                  <button
                    type="button"
                    className="icon-btn kv-remove"
                    aria-label={`Remove field ${i + 1}`}
                    onClick={() =>
                      update(
                        'fields',
                        draft.fields.filter((r) => r.id !== row.id),
                      )
                    }
                  >
                    <Trash2 size={16} aria-hidden="true" />
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button
            type="button"
            className="btn btn-secondary btn-small"
            onClick={() => {
              const id = nextRow.current++;
              update('fields', [...draft.fields, { id, key: '', value: '' }]);
            }}
          >
            <Plus size={15} aria-hidden="true" /> Add field
          </button>
        </fieldset>

        <div className="form-actions">
          <Link to="/queue" className="btn btn-ghost">
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary" disabled={pending}>
            {pending ? 'Creating…' : 'Create ticket'}
          </button>
        </div>
      </form>
    </div>
  );
}
