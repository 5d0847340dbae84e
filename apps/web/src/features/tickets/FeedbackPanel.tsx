import { Star } from 'lucide-react';
import { CopyButton } from '../../ui/CopyButton.tsx';
import type { TicketDetail } from '../../trpc.ts';

/** The customer's satisfaction score, or the pending feedback link the end of the flow sent them. */
export function FeedbackPanel({ detail }: { detail: TicketDetail }) {
  const { csat, feedbackUrl } = detail;
  if (!csat && !feedbackUrl) return null;
  return (
    <section className="panel" aria-labelledby="feedback-heading">
      <h2 id="feedback-heading">Customer feedback</h2>
      {csat ? (
        <div className="csat">
          <div className="csat-score" role="img" aria-label={`${csat.score} out of 5`}>
            {[1, 2, 3, 4, 5].map((n) => (
              <Star
                key={n}
                size={18}
                aria-hidden="true"
                className={n <= csat.score ? 'star is-on' : 'star'}
                fill={n <= csat.score ? 'currentColor' : 'none'}
              />
            ))}
            <span className="csat-number">{csat.score}/5</span>
          </div>
          {csat.comment ? (
            <blockquote className="csat-comment">{csat.comment}</blockquote>
          ) : (
            <p className="muted">No comment.</p>
          )}
        </div>
      ) : (
        feedbackUrl && (
          <div className="feedback-pending">
            <p className="muted">The customer was asked for feedback and has not answered yet.</p>
            <CopyButton text={new URL(feedbackUrl, window.location.origin).href} label="Copy feedback link" />
          </div>
        )
      )}
    </section>
  );
}
