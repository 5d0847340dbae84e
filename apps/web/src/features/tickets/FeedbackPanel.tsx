import { Star } from 'lucide-react';
import type { TicketDetail } from '../../trpc.ts';

/**
 * The customer's satisfaction score, or that a feedback link went to them. The link is shown masked
 * (`…/feedback/••••3f2a`): it works once, and it is the customer's to use.
 */
export function FeedbackPanel({ detail }: { detail: TicketDetail }) {
  const { csat, feedbackLink } = detail;
  if (!csat && !feedbackLink) return null;
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
        feedbackLink && (
          <div className="feedback-pending">
            <p>
              Feedback link sent (<span className="masked-link">{feedbackLink}</span>).
            </p>
            <p className="muted">The customer has not answered yet. The link works once, for 30 days.</p>
          </div>
        )
      )}
    </section>
  );
}
