import { useMutation, useQuery } from '@tanstack/react-query';
import { CheckCircle2, MessageSquareHeart } from 'lucide-react';
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

function Message({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Frame>
      <div className="public-message">
        <CheckCircle2 size={36} aria-hidden="true" className="public-icon" />
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
    const missing = errorCode(request.error) === 'NOT_FOUND' || errorCode(request.error) === 'BAD_REQUEST';
    return (
      <Message title={missing ? 'This link does not work' : 'Something went wrong'}>
        {missing
          ? 'The feedback link is not valid or has expired. If you copied it, check that it is complete.'
          : errorMessage(request.error)}
      </Message>
    );
  }
  const info = request.data;
  if (info.alreadyAnswered || errorCode(submit.error) === 'CONFLICT') {
    return (
      <Message title="Thanks — we already have your feedback">
        Your answer about “{info.subject}” reached {info.orgName}. There is nothing more to do.
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
