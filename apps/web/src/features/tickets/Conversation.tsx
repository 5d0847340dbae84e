import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Lock, Send } from 'lucide-react';
import { toast } from 'sonner';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Linkified } from '../../ui/Linkified.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { errorMessage, type TicketDetail, useTRPC } from '../../trpc.ts';
import { MacroPicker } from './MacroPicker.tsx';
import { refreshQueue } from '../queue/refreshQueue.ts';

type From = 'agent' | 'note' | 'customer';

/** An internal note as the agents' view of the conversation shows it (from its `note.added` event). */
type NoteView = { id: string; authorName: string | null; body: string; createdAt: string };

/** The ticket's internal notes, from its timeline events. */
export function notesOf(detail: TicketDetail): NoteView[] {
  const notes: NoteView[] = [];
  for (const event of detail.events) {
    if (event.type !== 'note.added') continue;
    const input: unknown = event.data.input;
    const body =
      typeof input === 'object' && input !== null && 'body' in input && typeof input.body === 'string'
        ? input.body
        : '';
    notes.push({ id: `note-${event.seq}`, authorName: event.actorName, body, createdAt: event.createdAt });
  }
  return notes;
}
const MAX_BODY = 10_000;

/**
 * The conversation with the customer: the request itself, then every message (customer, agent, system)
 * with who and when, and the agents' internal notes among them (set apart: never sent); below it the
 * agent's box for a reply, an internal note, or what the customer said on a call (a customer reply moves
 * a ticket that waits for one). Macros fill in a reply or note.
 */
export function Conversation({
  detail,
  now,
  onSent,
  agentName,
}: {
  detail: TicketDetail;
  now: number;
  agentName: string;
  /** Called with this agent's own message (and the ticket's sequence after it), so it is not news to them. */
  onSent: (messageId: string, seq: number) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const t = detail.ticket;
  const [body, setBody] = useState('');
  const [from, setFrom] = useState<From>('agent');
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const notes = notesOf(detail);
  const count = detail.messages.length;
  const entries = [
    ...detail.messages.map((m) => ({ kind: 'message' as const, m })),
    ...notes.map((n) => ({ kind: 'note' as const, n })),
  ].sort((a, b) => {
    const at = (e: (typeof entries)[number]) => (e.kind === 'message' ? e.m.createdAt : e.n.createdAt);
    return at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0;
  });

  // Keep the newest message in view as messages and notes arrive.
  const shown = entries.length;
  useEffect(() => {
    const list = listRef.current;
    if (list && shown >= 0) list.scrollTop = list.scrollHeight;
  }, [shown]);

  const send = useMutation(
    trpc.tickets.addMessage.mutationOptions({
      onSuccess: (result) => {
        setBody('');
        setError(null);
        onSent(result.messageId, result.seq);
        void queryClient.invalidateQueries({ queryKey: trpc.tickets.get.queryKey({ ticketId: t.id }) });
        refreshQueue(queryClient, trpc);
        if (result.movedOn) toast.success('The customer’s reply moved the ticket on.');
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const note = useMutation(
    trpc.work.addNote.mutationOptions({
      onSuccess: (page) => {
        setBody('');
        setError(null);
        onSent(`note-${page.ticket.seq}`, page.ticket.seq);
        queryClient.setQueryData(trpc.tickets.get.queryKey({ ticketId: t.id }), page);
        toast.success('Internal note added (agents only).');
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const pending = send.isPending || note.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (text === '') {
      setError(
        from === 'agent'
          ? 'Write a reply first.'
          : from === 'note'
            ? 'Write the note first.'
            : 'Write what the customer said first.',
      );
      return;
    }
    if (text.length > MAX_BODY) {
      setError('A message is at most 10,000 characters.');
      return;
    }
    if (from === 'note') note.mutate({ ticketId: t.id, body: text });
    else send.mutate({ ticketId: t.id, body: text, from });
  };

  const waitsForReply = t.status === 'waiting';

  return (
    <section className="panel conversation" aria-labelledby={`${id}-heading`}>
      <div className="panel-head">
        <h2 id={`${id}-heading`}>Conversation</h2>
        <span className="muted">
          {count + (t.description ? 1 : 0)} {count + (t.description ? 1 : 0) === 1 ? 'message' : 'messages'}
        </span>
      </div>
      <ol className="messages" ref={listRef} aria-label="Messages, oldest first">
        {t.description && (
          <li className="message is-customer">
            <div className="message-head">
              <strong>{t.customer.name}</strong>
              <span className="message-role">Customer</span>
              <time className="muted" dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                {formatRelative(t.createdAt, now)}
              </time>
            </div>
            <p className="message-body">{t.description}</p>
          </li>
        )}
        {entries.map((entry) =>
          entry.kind === 'note' ? (
            <li
              key={entry.n.id}
              className="message is-note"
              aria-label="Internal note, not sent to the customer"
            >
              <div className="message-head">
                <strong>{entry.n.authorName ?? 'Stepwise'}</strong>
                <span className="message-role">
                  <Lock size={12} aria-hidden="true" /> Internal note
                </span>
                <time
                  className="muted"
                  dateTime={entry.n.createdAt}
                  title={formatDateTime(entry.n.createdAt)}
                >
                  {formatRelative(entry.n.createdAt, now)}
                </time>
              </div>
              <p className="message-body">
                <Linkified text={entry.n.body} />
              </p>
            </li>
          ) : (
            <MessageItem key={entry.m.id} m={entry.m} customerName={t.customer.name} now={now} />
          ),
        )}
        {!t.description && entries.length === 0 && <li className="muted">No messages yet.</li>}
      </ol>

      <form className={from === 'note' ? 'reply is-note' : 'reply'} onSubmit={submit} aria-busy={pending}>
        <fieldset className="reply-mode">
          <legend className="sr-only">Message type</legend>
          <label>
            <input
              type="radio"
              name={`${id}-from`}
              value="agent"
              checked={from === 'agent'}
              onChange={() => setFrom('agent')}
            />
            Reply to the customer
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-from`}
              value="note"
              checked={from === 'note'}
              onChange={() => setFrom('note')}
            />
            Internal note
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-from`}
              value="customer"
              checked={from === 'customer'}
              onChange={() => setFrom('customer')}
            />
            Log customer reply
          </label>
        </fieldset>
        <div className={error ? 'field has-error' : 'field'}>
          <label htmlFor={`${id}-body`} className="sr-only">
            {from === 'agent'
              ? 'Your reply'
              : from === 'note'
                ? 'Your internal note'
                : 'What the customer said'}
          </label>
          <textarea
            id={`${id}-body`}
            rows={3}
            value={body}
            maxLength={MAX_BODY}
            placeholder={
              from === 'agent'
                ? `Write to ${t.customer.name}…`
                : from === 'note'
                  ? 'A note for your colleagues: never sent to the customer…'
                  : `What ${t.customer.name} said (e.g. on a call)…`
            }
            onChange={(e) => {
              setBody(e.target.value);
              if (error) setError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
            disabled={pending}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : `${id}-hint`}
          />
          {error ? (
            <span id={`${id}-error`} className="field-error" role="alert">
              {error}
            </span>
          ) : (
            <span id={`${id}-hint`} className="field-hint">
              {from === 'customer' && waitsForReply
                ? 'The flow is waiting: logging the customer’s reply moves it on.'
                : from === 'note'
                  ? 'Only people in your organization see notes. Ctrl+Enter to add.'
                  : 'Ctrl+Enter to send.'}
            </span>
          )}
        </div>
        <div className="reply-actions">
          {from !== 'customer' && (
            <MacroPicker
              detail={detail}
              agentName={agentName}
              disabled={pending}
              onInsert={(text) => {
                setBody((prev) => (prev.trim() === '' ? text : `${prev}\n${text}`));
                if (error) setError(null);
              }}
            />
          )}
          <button type="submit" className="btn btn-primary btn-small" disabled={pending}>
            {from === 'note' ? <Lock size={14} aria-hidden="true" /> : <Send size={14} aria-hidden="true" />}
            {pending
              ? 'Sending…'
              : from === 'agent'
                ? 'Send reply'
                : from === 'note'
                  ? 'Add note'
                  : 'Log reply'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** One message of the conversation: who, their role, when, and what they said. */
function MessageItem({
  m,
  customerName,
  now,
}: {
  m: TicketDetail['messages'][number];
  customerName: string;
  now: number;
}) {
  return (
    <li className={`message is-${m.authorKind}`}>
      <div className="message-head">
        <strong>{m.authorName ?? (m.authorKind === 'customer' ? customerName : 'Stepwise')}</strong>
        <span className="message-role">
          {m.authorKind === 'customer' ? 'Customer' : m.authorKind === 'agent' ? 'Agent' : 'Automatic'}
        </span>
        <time className="muted" dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
          {formatRelative(m.createdAt, now)}
        </time>
      </div>
      <p className="message-body">
        <Linkified text={m.body} />
      </p>
    </li>
  );
}
