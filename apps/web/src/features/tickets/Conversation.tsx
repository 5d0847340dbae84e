import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Send } from 'lucide-react';
import { toast } from 'sonner';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Linkified } from '../../ui/Linkified.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { errorMessage, type TicketDetail, useTRPC } from '../../trpc.ts';

type From = 'agent' | 'customer';
const MAX_BODY = 10_000;

/**
 * The conversation with the customer: the request itself, then every message (customer, agent, system)
 * with who and when; below it the agent's reply box, which can also log what the customer said on a
 * call (a customer reply moves a ticket that waits for one).
 */
export function Conversation({
  detail,
  now,
  onSent,
}: {
  detail: TicketDetail;
  now: number;
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
  const count = detail.messages.length;

  // Keep the newest message in view as messages arrive.
  useEffect(() => {
    const list = listRef.current;
    if (list && count >= 0) list.scrollTop = list.scrollHeight;
  }, [count]);

  const send = useMutation(
    trpc.tickets.addMessage.mutationOptions({
      onSuccess: (result) => {
        setBody('');
        setError(null);
        onSent(result.messageId, result.seq);
        void queryClient.invalidateQueries({ queryKey: trpc.tickets.get.queryKey({ ticketId: t.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.tickets.queue.queryKey() });
        if (result.movedOn) toast.success('The customer’s reply moved the ticket on.');
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (text === '') {
      setError(from === 'agent' ? 'Write a reply first.' : 'Write what the customer said first.');
      return;
    }
    if (text.length > MAX_BODY) {
      setError('A message is at most 10,000 characters.');
      return;
    }
    send.mutate({ ticketId: t.id, body: text, from });
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
        {detail.messages.map((m) => (
          <li key={m.id} className={`message is-${m.authorKind}`}>
            <div className="message-head">
              <strong>{m.authorName ?? (m.authorKind === 'customer' ? t.customer.name : 'Stepwise')}</strong>
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
        ))}
        {!t.description && count === 0 && <li className="muted">No messages yet.</li>}
      </ol>

      <form className="reply" onSubmit={submit} aria-busy={send.isPending}>
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
              value="customer"
              checked={from === 'customer'}
              onChange={() => setFrom('customer')}
            />
            Log customer reply
          </label>
        </fieldset>
        <div className={error ? 'field has-error' : 'field'}>
          <label htmlFor={`${id}-body`} className="sr-only">
            {from === 'agent' ? 'Your reply' : 'What the customer said'}
          </label>
          <textarea
            id={`${id}-body`}
            rows={3}
            value={body}
            maxLength={MAX_BODY}
            placeholder={
              from === 'agent'
                ? `Write to ${t.customer.name}…`
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
            disabled={send.isPending}
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
                : 'Ctrl+Enter to send.'}
            </span>
          )}
        </div>
        <div className="reply-actions">
          <button type="submit" className="btn btn-primary btn-small" disabled={send.isPending}>
            <Send size={14} aria-hidden="true" />
            {send.isPending ? 'Sending…' : from === 'agent' ? 'Send reply' : 'Log reply'}
          </button>
        </div>
      </form>
    </section>
  );
}
