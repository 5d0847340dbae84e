import type { StepNode } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, Globe, Mail, MessageSquare, Phone, Play, Radio, Share2 } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { toast } from 'sonner';
import { describeEndStatus, formatMinutes } from '../../canvas/describe.ts';
import { Badge, capitalize, PriorityBadge, StatusBadge } from '../../ui/Badge.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { type TicketDetail, useTRPC } from '../../trpc.ts';
import { useTitle } from '../../ui/useTitle.ts';
import { useMe } from '../auth/useMe.ts';
import { WorkspaceShortcuts } from '../workspace/WorkspaceShortcuts.tsx';
import { AssignControl } from './AssignControl.tsx';
import { Conversation } from './Conversation.tsx';
import { CustomerPanel } from './CustomerPanel.tsx';
import { FeedbackPanel } from './FeedbackPanel.tsx';
import { FlowPanel } from './FlowPanel.tsx';
import { describeUpdate, entrySeq } from './liveNotice.ts';
import { StartFlowDialog } from './StartFlowDialog.tsx';
import { StepCard } from './StepCard.tsx';
import type { StepCompletion, TicketCore } from './ticketCore.ts';
import { Timeline } from './Timeline.tsx';
import { useTicketLive } from './useTicketLive.ts';
import { WorkPanel } from './WorkPanel.tsx';

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
function NoStep({ detail, onStartFlow }: { detail: TicketDetail; onStartFlow: () => void }) {
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
      body = waitingText(detail);
      break;
    case 'in_subflow':
      title = 'In a subflow';
      body = 'Another flow is running for this ticket; it continues here when that one ends.';
      break;
    case 'parked':
      title = 'Needs attention';
      body = 'The flow stopped on this ticket (see the timeline for why). A manager needs to look at it.';
      break;
    case 'unrouted':
      title = 'Not on a flow';
      body = 'No flow’s start filters matched this ticket when it arrived. Start the right flow by hand.';
      break;
    default:
      title = detail.flow ? 'Not started' : 'Not on a flow';
      body = detail.flow
        ? 'This ticket has not entered its flow yet.'
        : 'No flow matched this ticket when it arrived.';
  }
  const canStart = ticket.status === 'ended' || ticket.status === 'unrouted' || !detail.flow;
  return (
    <section className="step-card is-idle" aria-label="Current step">
      <div className="eyebrow">Current step</div>
      <h2 className="step-title">{title}</h2>
      <p className="muted">{body}</p>
      {canStart && (
        <button type="button" className="btn btn-secondary btn-small" onClick={onStartFlow}>
          <Play size={14} aria-hidden="true" />{' '}
          {ticket.status === 'ended' ? 'Start another flow…' : 'Start a flow…'}
        </button>
      )}
    </section>
  );
}

/** What a waiting ticket waits for, from the wait node it sits at. */
function waitingText(detail: TicketDetail): string {
  const node = detail.version?.document.nodes.find((n) => n.id === detail.ticket.nodeId);
  if (node?.type === 'wait') {
    if (node.data.mode === 'reply') {
      return node.data.minutes
        ? `Waiting for the customer’s reply (gives up after ${formatMinutes(node.data.minutes)}). Log their reply below if they answered by phone.`
        : 'Waiting for the customer’s reply. Log their reply below if they answered by phone.';
    }
    if (node.data.minutes) return `Waiting ${formatMinutes(node.data.minutes)}; the flow moves on by itself.`;
  }
  return 'The flow is waiting for the customer or for a timer. It moves on by itself.';
}

/**
 * Live-update bookkeeping: what this agent's own actions produced (their step, message or take), and a
 * one-line notice when someone else changed the ticket while the page was open.
 */
function useUpdateNotice(detail: TicketDetail | undefined, selfName: string | null) {
  const previous = useRef<TicketDetail | null>(null);
  const ownUpTo = useRef(-1);
  const ownMessages = useRef(new Set<string>());
  /** A conflict without a fresh state: the next change is explained by the conflict notice. */
  const explainNext = useRef(false);
  const [notice, setNotice] = useState<{ text: string; ticketId: string } | null>(null);

  useEffect(() => {
    if (!detail) return;
    const before = previous.current;
    previous.current = detail;
    if (!before || before.ticket.id !== detail.ticket.id) {
      ownUpTo.current = -1;
      ownMessages.current.clear();
      return;
    }
    if (explainNext.current && detail.ticket.seq !== before.ticket.seq) {
      explainNext.current = false;
      ownUpTo.current = Math.max(ownUpTo.current, detail.ticket.seq);
      return;
    }
    const text = describeUpdate(before, detail, {
      selfName,
      ownUpTo: ownUpTo.current,
      ownMessages: ownMessages.current,
    });
    if (text) setNotice({ text, ticketId: detail.ticket.id });
  }, [detail, selfName]);

  const dismiss = useCallback(() => setNotice(null), []);
  /**
   * This agent's action left the ticket at `seq` (every event up to it is theirs). Acting on the ticket
   * also means they have seen what the last notice said.
   */
  const own = useCallback((seq: number) => {
    ownUpTo.current = Math.max(ownUpTo.current, seq);
    setNotice(null);
  }, []);
  const ownMessage = useCallback((messageId: string, seq: number) => {
    ownMessages.current.add(messageId);
    ownUpTo.current = Math.max(ownUpTo.current, seq);
    setNotice(null);
  }, []);
  /** The conflict notice explains the change that comes with the fresh state. */
  const conflicted = useCallback((freshSeq: number | null) => {
    setNotice(null);
    if (freshSeq === null) explainNext.current = true;
    else ownUpTo.current = Math.max(ownUpTo.current, freshSeq);
  }, []);
  return {
    notice: notice && detail && notice.ticketId === detail.ticket.id ? notice : null,
    dismiss,
    own,
    ownMessage,
    conflicted,
  };
}

export function TicketPage() {
  const { ticketId = '' } = useParams();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const me = useMe();
  const ticket = useQuery(trpc.tickets.get.queryOptions({ ticketId }));
  const teams = useQuery(trpc.teams.list.queryOptions());
  const people = useQuery(trpc.work.people.queryOptions());
  const live = useTicketLive(ticketId, ticket.data?.ticket.seq);
  const now = useNow(30_000);
  useTitle(ticket.data ? `#${ticket.data.ticket.number} ${ticket.data.ticket.subject}` : 'Ticket');
  const [conflictOn, setConflictOn] = useState<string | null>(null);
  const [startingFlow, setStartingFlow] = useState(false);
  const conflict = conflictOn === ticketId;
  const updates = useUpdateNotice(ticket.data, me.data?.user.name ?? null);
  const { own, ownMessage, conflicted, dismiss } = updates;

  const onCompleted = useCallback(
    (detail: StepCompletion) => {
      own(detail.ticket.seq);
      setConflictOn(null);
      const next = detail.currentStep?.data.title;
      toast.success(next ? `Step completed. Next: ${next}` : 'Step completed.');
      // The pressed button is gone with the step: the focus goes to the next step's title (or, when the
      // ticket left the steps, the first heading of the ticket's main column) once it has rendered.
      window.setTimeout(() => {
        const target =
          window.document.querySelector<HTMLElement>('.step-card .step-title') ??
          window.document.querySelector<HTMLElement>('.ticket-main h2');
        if (target && !target.hasAttribute('tabindex')) target.tabIndex = -1;
        target?.focus();
      }, 0);
    },
    [own],
  );
  const onConflict = useCallback(
    (fresh: TicketCore | null) => {
      conflicted(fresh ? fresh.ticket.seq : null);
      setConflictOn(ticketId);
    },
    [ticketId, conflicted],
  );

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
          {(t.breached || t.slaBreachedAt !== null) && (
            <Badge
              tone="danger"
              title={
                t.slaBreachedAt !== null
                  ? `SLA first breached ${formatDateTime(t.slaBreachedAt)}; the ticket stays marked`
                  : undefined
              }
            >
              SLA breached
            </Badge>
          )}
          {detail.flow && detail.version && (
            <Link
              className="meta-chip meta-link"
              to={`/flows/${detail.flow.id}?version=${detail.version.id}`}
            >
              {detail.flow.name} v{detail.version.number}
            </Link>
          )}
          <span
            className={`live-dot${live === 'pending' ? ' is-live' : ''}`}
            title={live === 'pending' ? 'This page updates by itself' : 'Reconnecting to live updates'}
          >
            <Radio size={13} aria-hidden="true" /> {live === 'pending' ? 'Live' : 'Connecting…'}
          </span>
          {me.data && <AssignControl detail={detail} meId={me.data.user.id} onChanged={(seq) => own(seq)} />}
        </div>
      </div>

      <div aria-live="polite" className="notices">
        {conflict && (
          <Notice tone="warning" onDismiss={() => setConflictOn(null)}>
            Another agent completed this step first — here is the ticket as it is now.
          </Notice>
        )}
        {updates.notice && !conflict && (
          <Notice tone="info" onDismiss={dismiss}>
            {updates.notice.text}
          </Notice>
        )}
      </div>

      <div className="ticket-grid">
        <div className="ticket-main">
          {step ? (
            <StepCard
              key={`${t.id}:${t.nodeId}:${entrySeq(detail)}`}
              detail={detail}
              step={step}
              agentName={me.data?.user.name ?? ''}
              onCompleted={onCompleted}
              onConflict={onConflict}
            />
          ) : (
            <NoStep detail={detail} onStartFlow={() => setStartingFlow(true)} />
          )}

          <Conversation detail={detail} now={now} onSent={ownMessage} agentName={me.data?.user.name ?? ''} />

          {document && detail.version && (
            <FlowPanel
              document={document}
              flowName={detail.flow?.name}
              versionNumber={detail.version.number}
              ticketNumber={t.number}
              teams={teams.data}
              path={detail.path}
              focus={focus}
            />
          )}

          <section className="panel" aria-labelledby="timeline-heading">
            <div className="panel-head">
              <h2 id="timeline-heading">Timeline</h2>
            </div>
            <Timeline
              events={detail.events}
              document={document}
              now={now}
              teams={teams.data}
              people={people.data}
            />
          </section>
        </div>

        <aside className="ticket-side" aria-label="Ticket details">
          <CustomerPanel detail={detail} now={now} />

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
                <dt>Assignee</dt>
                <dd>{t.assigneeName ?? <span className="muted">Unassigned</span>}</dd>
              </div>
              <div>
                <dt>Opened</dt>
                <dd>
                  <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                    {formatRelative(t.createdAt, now)}
                  </time>
                </dd>
              </div>
              {t.external && (
                <div>
                  <dt>External id</dt>
                  <dd>
                    <code>{t.external.id}</code> <span className="muted">from {t.external.source}</span>
                  </dd>
                </div>
              )}
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

          <WorkPanel key={`${t.id}:${t.seq}`} detail={detail} onChanged={(seq) => own(seq)} />

          <FeedbackPanel detail={detail} />
        </aside>
      </div>

      <WorkspaceShortcuts page="ticket" />
      {startingFlow && (
        <StartFlowDialog
          ticket={{ id: t.id, number: t.number, subject: t.subject }}
          onClose={() => setStartingFlow(false)}
          onStarted={(started) => {
            own(started.ticket.seq);
            setStartingFlow(false);
            toast.success(`Started “${started.flow?.name ?? 'the flow'}”.`);
            void navigate(`/tickets/${started.ticket.id}`, { replace: true });
          }}
        />
      )}
    </>
  );
}
