import { useMutation, useQuery } from '@tanstack/react-query';
import { CheckCircle2, CircleAlert, MessageSquareHeart } from 'lucide-react';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useParams } from 'react-router';
import { Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { errorCode, errorMessage, useTRPC } from '../../trpc.ts';

export const SCORES = [
  { value: 1, label: 'Very poor' },
  { value: 2, label: 'Poor' },
  { value: 3, label: 'Okay' },
  { value: 4, label: 'Good' },
  { value: 5, label: 'Excellent' },
] as const;

const MAX_COMMENT = 2000;

function Frame({ children }: { children: ReactNode }) {
  return (
    <main className="public-page">
      <div className="public-card">{children}</div>
      <p className="public-foot">Powered by Stepwise</p>
    </main>
  );
}

/** A full-page answer: a green check for a success, an alert (never a check) for a link that does not work. */
function Message({
  title,
  tone = 'success',
  children,
}: {
  title: string;
  tone?: 'success' | 'problem';
  children: ReactNode;
}) {
  return (
    <Frame>
      <div className={tone === 'problem' ? 'public-message is-problem' : 'public-message'}>
        {tone === 'problem' ? (
          <CircleAlert size={36} aria-hidden="true" className="public-icon public-icon-problem" />
        ) : (
          <CheckCircle2 size={36} aria-hidden="true" className="public-icon" />
        )}
        <h1>{title}</h1>
        <p>{children}</p>
      </div>
    </Frame>
  );
}

/**
 * The customer's one-time feedback form, reached from the link at the end of their ticket: no login,
 * no app chrome. A 1–5 score as a radio group of large buttons (arrow keys move between them) and an
 * optional comment.
 */
export function FeedbackPage() {
  const { token = '' } = useParams();
  const trpc = useTRPC();
  const id = useId();
  useTitle('Your feedback');
  const request = useQuery(
    trpc.feedback.get.queryOptions({ token }, { retry: false, refetchOnWindowFocus: false }),
  );
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = useMutation(
    trpc.feedback.submit.mutationOptions({
      onError: (e) => setProblem(errorCode(e) === 'CONFLICT' ? null : errorMessage(e)),
    }),
  );

  if (request.isPending) {
    return (
      <Frame>
        <Loading label="Loading…" />
      </Frame>
    );
  }
  if (request.isError) {
    return (
      <Message title="Something went wrong" tone="problem">
        {errorMessage(request.error)}
      </Message>
    );
  }
  // The lookup answers every link with a state (never an HTTP error): unknown, expired and used links
  // are ordinary outcomes for a customer, shown in words.
  const info = request.data;
  if (info.state === 'invalid') {
    return (
      <Message title="This link does not work" tone="problem">
        This feedback link is not valid. If you copied it from a message, check that it is complete.
      </Message>
    );
  }
  if (info.state === 'expired') {
    return (
      <Message title="This link has expired" tone="problem">
        Feedback links of {info.orgName} work for 30 days. If you would still like to tell them something,
        reply to their last message.
      </Message>
    );
  }
  if (submit.isSuccess) {
    return (
      <Message title="Thank you!">
        Your feedback went to the {info.orgName} team. It helps them get better at what matters to you.
      </Message>
    );
  }
  if (info.state === 'answered' || errorCode(submit.error) === 'CONFLICT') {
    return (
      <Message title="This link was already used" tone="problem">
        {info.orgName} already has an answer from this link about request #{info.ticketNumber}. Each feedback
        link works once, so there is nothing more to do here.
      </Message>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (score === null) {
      setProblem('Choose a score from 1 to 5.');
      document.getElementById(`${id}-score-1`)?.focus();
      return;
    }
    if (comment.length > MAX_COMMENT) {
      setProblem('A comment is at most 2,000 characters.');
      return;
    }
    setProblem(null);
    submit.mutate({ token, score, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  };

  return (
    <Frame>
      <form onSubmit={onSubmit} noValidate className="feedback-form" aria-busy={submit.isPending}>
        <div className="public-brand">
          <MessageSquareHeart size={22} aria-hidden="true" /> {info.orgName}
        </div>
        <h1>How did we do?</h1>
        <p className="muted">
          About your request #{info.ticketNumber}: “{info.subject}”
        </p>

        <fieldset className="score-group" aria-describedby={problem ? `${id}-problem` : undefined}>
          <legend>Your rating</legend>
          <div className="score-options">
            {SCORES.map((s) => (
              <label
                key={s.value}
                className={score === s.value ? 'score-option is-selected' : 'score-option'}
              >
                <input
                  id={`${id}-score-${s.value}`}
                  type="radio"
                  name="score"
                  value={s.value}
                  checked={score === s.value}
                  onChange={() => {
                    setScore(s.value);
                    setProblem(null);
                  }}
                  disabled={submit.isPending}
                />
                <span className="score-number" aria-hidden="true">
                  {s.value}
                </span>
                <span className="score-label">
                  <span className="sr-only">{s.value} — </span>
                  {s.label}
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-comment`}>
            Anything you would like to tell us? <span className="muted">(optional)</span>
          </label>
          <textarea
            id={`${id}-comment`}
            rows={4}
            value={comment}
            maxLength={MAX_COMMENT}
            onChange={(e) => setComment(e.target.value)}
            disabled={submit.isPending}
            aria-describedby={`${id}-count`}
          />
          <span id={`${id}-count`} className="field-hint">
            {comment.length} / {MAX_COMMENT}
          </span>
        </div>

        {problem && (
          <p id={`${id}-problem`} className="field-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-large" disabled={submit.isPending}>
          {submit.isPending ? 'Sending…' : 'Send feedback'}
        </button>
      </form>
    </Frame>
  );
}
