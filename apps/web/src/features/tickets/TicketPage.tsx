import type { StepNode } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, Mail, MessageSquare, Phone, Share2, Globe } from 'lucide-react';
import { useCallback, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { toast } from 'sonner';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import { describeEndStatus } from '../../canvas/describe.ts';
import { Badge, capitalize, PriorityBadge, StatusBadge } from '../../ui/Badge.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { type TicketDetail, useTRPC } from '../../trpc.ts';
import { StepCard } from './StepCard.tsx';
import { Timeline } from './Timeline.tsx';
import { useTitle } from '../../ui/useTitle.ts';

const CHANNEL_ICON = { email: Mail, chat: MessageSquare, phone: Phone, social: Share2, web: Globe } as const;

function ChannelLabel({ channel }: { channel: string }) {
  const Icon = CHANNEL_ICON[channel as keyof typeof CHANNEL_ICON] ?? Globe;
  return (
    <span className="meta-chip">
      <Icon size={14} aria-hidden="true" /> {capitalize(channel)}
    </span>
  );
}

/** The part of the flow worth seeing first: where the ticket came from, where it is, where it can go. */
export function focusOf(detail: TicketDetail): string[] {
  const path = detail.path;
  const current = path.at(-1) ?? detail.ticket.nodeId;
  if (current === null || current === undefined) return [];
  const ids = [path.at(-2), current, ...Object.values(detail.nextByOutcome).map((n) => n.nodeId)];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/** Labels of the ticket's custom and captured fields, from the flow's field list and its steps' forms. */
function fieldLabels(detail: TicketDetail): Map<string, string> {
  const labels = new Map<string, string>();
  const document = detail.version?.document;
  if (!document) return labels;
  for (const f of document.fields) labels.set(f.key, f.label);
  for (const node of document.nodes) {
    if (node.type === 'step')
      for (const f of node.data.form) if (!labels.has(f.key)) labels.set(f.key, f.label);
  }
  return labels;
}

/** What the step card says when the ticket is not waiting for an agent. */
function NoStep({ detail }: { detail: TicketDetail }) {
  const { ticket } = detail;
  let title: string;
  let body: string;
  switch (ticket.status) {
    case 'ended':
      title = `Closed: ${describeEndStatus(ticket.endStatus ?? 'resolved')}`;
      body = 'This ticket has reached the end of its flow. Nothing is left to do.';
      break;
    case 'waiting':
      title = 'Waiting';
      body = 'The flow is waiting for the customer or for a timer. It moves on by itself.';
      break;
    case 'in_subflow':
      title = 'In a subflow';
      body = 'Another flow is running for this ticket; it continues here when that one ends.';
      break;
    case 'parked':
      title = 'Needs attention';
      body = 'The flow stopped on this ticket (see the timeline for why). A manager needs to look at it.';
      break;
    default:
      title = detail.flow ? 'Not started' : 'Not on a flow';
      body = detail.flow
        ? 'This ticket has not entered its flow yet.'
        : 'No flow matched this ticket when it arrived.';
  }
  return (
    <section className="step-card is-idle" aria-label="Current step">
      <div className="eyebrow">Current step</div>
      <h2 className="step-title">{title}</h2>
      <p className="muted">{body}</p>
    </section>
  );
}

export function TicketPage() {
  const { ticketId = '' } = useParams();
  const trpc = useTRPC();
  const ticket = useQuery(trpc.tickets.get.queryOptions({ ticketId }));
  const teams = useQuery(trpc.teams.list.queryOptions());
  const now = useNow(30_000);
  useTitle(ticket.data ? `#${ticket.data.ticket.number} ${ticket.data.ticket.subject}` : 'Ticket');
  const [conflictOn, setConflictOn] = useState<string | null>(null);
  const conflict = conflictOn === ticketId;

  const onCompleted = useCallback((detail: TicketDetail) => {
    setConflictOn(null);
    const next = detail.currentStep?.data.title;
    toast.success(next ? `Step completed. Next: ${next}` : 'Step completed.');
  }, []);
  const onConflict = useCallback(() => setConflictOn(ticketId), [ticketId]);

  const focus = useMemo(() => (ticket.data ? focusOf(ticket.data) : []), [ticket.data]);
  const labels = useMemo(
    () => (ticket.data ? fieldLabels(ticket.data) : new Map<string, string>()),
    [ticket.data],
  );

  if (ticket.isPending) return <Loading label="Loading ticket…" />;
  if (ticket.isError) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const detail = ticket.data;
  const t = detail.ticket;
  const step: StepNode | null = detail.currentStep;
  const document = detail.version?.document ?? null;
  const customFields = Object.entries(t.fields).filter(([, v]) => v !== null && v !== '');

  return (
    <>
      <div className="ticket-head">
        <Link to="/queue" className="back-link">
          <ArrowLeft size={14} aria-hidden="true" /> Queue
        </Link>
        <h1>
          <span className="ticket-number">#{t.number}</span> {t.subject}
        </h1>
        <div className="ticket-meta">
          <span className="meta-chip">
            {t.customer.name}
            {t.customer.tier === 'vip' && <Badge tone="accent">VIP</Badge>}
          </span>
          <ChannelLabel channel={t.channel} />
          <PriorityBadge priority={t.priority} />
          <StatusBadge status={t.status} />
          {t.assigneeName && <span className="meta-chip">Assigned to {t.assigneeName}</span>}
          {detail.flow && detail.version && (
            <Link
              className="meta-chip meta-link"
              to={`/flows/${detail.flow.id}?version=${detail.version.id}`}
            >
              {detail.flow.name} v{detail.version.number}
            </Link>
          )}
        </div>
      </div>

      {conflict && (
        <Notice tone="warning" onDismiss={() => setConflictOn(null)}>
          Another agent completed this step first — here is the ticket as it is now.
        </Notice>
      )}

      <div className="ticket-grid">
        <div className="ticket-main">
          {step ? (
            <StepCard
              key={`${t.id}:${t.seq}`}
              detail={detail}
              step={step}
              onCompleted={onCompleted}
              onConflict={onConflict}
            />
          ) : (
            <NoStep detail={detail} />
          )}

          {document && detail.version && (
            <section className="panel" aria-labelledby="flow-heading">
              <div className="panel-head">
                <h2 id="flow-heading">Flow</h2>
                <span className="muted">
                  {detail.flow?.name} · version {detail.version.number} · path so far highlighted
                </span>
              </div>
              <FlowCanvas
                document={document}
                label={`Flow of ticket ${t.number}`}
                teams={teams.data}
                path={detail.path}
                focus={focus}
                height={440}
              />
            </section>
          )}

          <section className="panel" aria-labelledby="timeline-heading">
            <div className="panel-head">
              <h2 id="timeline-heading">Timeline</h2>
            </div>
            <Timeline events={detail.events} document={document} now={now} />
          </section>
        </div>

        <aside className="ticket-side" aria-label="Ticket details">
          <section className="panel" aria-labelledby="customer-heading">
            <h2 id="customer-heading">Customer</h2>
            <dl className="details">
              <div>
                <dt>Name</dt>
                <dd>{t.customer.name}</dd>
              </div>
              <div>
                <dt>Email</dt>
                <dd>
                  <a href={`mailto:${t.customer.email}`}>{t.customer.email}</a>
                </dd>
              </div>
              <div>
                <dt>Tier</dt>
                <dd>{t.customer.tier === 'vip' ? 'VIP' : capitalize(t.customer.tier)}</dd>
              </div>
            </dl>
          </section>

          <section className="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">Ticket</h2>
            <dl className="details">
              <div>
                <dt>Category</dt>
                <dd>{t.category || <span className="muted">None</span>}</dd>
              </div>
              <div>
                <dt>Team</dt>
                <dd>{t.teamName ?? <span className="muted">None</span>}</dd>
              </div>
              <div>
                <dt>Opened</dt>
                <dd>
                  <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                    {formatRelative(t.createdAt, now)}
                  </time>
                </dd>
              </div>
              {t.tags.length > 0 && (
                <div>
                  <dt>Tags</dt>
                  <dd className="tags">
                    {t.tags.map((tag) => (
                      <Badge key={tag}>{tag}</Badge>
                    ))}
                  </dd>
                </div>
              )}
              {customFields.map(([key, value]) => (
                <div key={key}>
                  <dt>{labels.get(key) ?? key}</dt>
                  <dd>{typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value)}</dd>
                </div>
              ))}
            </dl>
          </section>

          <section className="panel" aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">Conversation</h2>
            {t.description && (
              <div className="message is-customer">
                <div className="message-head">
                  <strong>{t.customer.name}</strong>
                  <span className="muted">{formatRelative(t.createdAt, now)}</span>
                </div>
                <p className="message-body">{t.description}</p>
              </div>
            )}
            {detail.messages.map((m) => (
              <div key={m.id} className={`message is-${m.authorKind}`}>
                <div className="message-head">
                  <strong>
                    {m.authorName ?? (m.authorKind === 'customer' ? t.customer.name : 'Stepwise')}
                  </strong>
                  <span className="muted">{formatRelative(m.createdAt, now)}</span>
                </div>
                <p className="message-body">{m.body}</p>
              </div>
            ))}
            {!t.description && detail.messages.length === 0 && <p className="muted">No messages yet.</p>}
          </section>
        </aside>
      </div>
    </>
  );
}
