import { z } from 'zod';
import { limitFeedback } from '../auth/rateLimits.ts';
import { clientIpOf } from '../createContext.ts';
import { hashFeedbackToken } from '../runtime/feedbackLink.ts';
import { recordFeedback } from '../runtime/operations.ts';
import { SafeString } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';
import { withLinkOrg } from '../services/linkScope.ts';

const FeedbackToken = SafeString.max(64, 'This feedback link is not valid.').regex(
  /^[A-Za-z0-9_-]{43}$/,
  'This feedback link is not valid.',
);

const LINK_NOT_FOUND = 'This feedback link is not valid or has expired.';

/**
 * Each client address may open or answer feedback links 30 times in 10 minutes, counted in the database
 * (so across every server and restart): a link's token cannot be guessed at speed.
 */
function limit(ctx: Parameters<typeof clientIpOf>[0], now: Date): Promise<void> {
  return limitFeedback(ctx.db, clientIpOf(ctx), now);
}

/**
 * What a feedback link is about, as a typed state: the public page shows each in words. An unknown,
 * malformed, expired or used token is an ordinary answer (HTTP 200), not an error status — the page is
 * opened by customers, and a browser reports failed loads in its console.
 */
export type FeedbackRequestView =
  | { state: 'open'; orgName: string; ticketNumber: number; subject: string }
  | { state: 'answered'; orgName: string; ticketNumber: number }
  | { state: 'expired'; orgName: string }
  | { state: 'invalid' };

/** Any string a link may carry; only a well-formed token is looked up. */
const GivenToken = SafeString.max(256, 'This feedback link is not valid.');
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export const feedbackRouter = router({
  /** The public feedback page: what the link is about (no login; the link's token is the key). */
  get: procedure('public')
    .input(z.strictObject({ token: GivenToken }))
    .query(async ({ ctx, input }): Promise<FeedbackRequestView> => {
      const now = ctx.now();
      await limit(ctx, now);
      if (!TOKEN_RE.test(input.token)) return { state: 'invalid' };
      const tokenHash = hashFeedbackToken(input.token);
      const rows = await withLinkOrg(ctx.db, 'feedback', tokenHash, () =>
        ctx.db.query<{
          org_name: string;
          number: number;
          subject: string;
          used: boolean;
          expired: boolean;
        }>(
          `SELECT o.name AS org_name, t.number, t.subject, fr.used_at IS NOT NULL AS used,
                fr.expires_at <= $2::timestamptz AS expired
           FROM feedback_requests fr JOIN tickets t ON t.org_id = fr.org_id AND t.id = fr.ticket_id
           JOIN organizations o ON o.id = fr.org_id
          WHERE fr.token_hash = $1`,
          [tokenHash, now.toISOString()],
        ),
      );
      const row = rows[0];
      if (!row) return { state: 'invalid' };
      if (row.used) return { state: 'answered', orgName: row.org_name, ticketNumber: row.number };
      if (row.expired) return { state: 'expired', orgName: row.org_name };
      return { state: 'open', orgName: row.org_name, ticketNumber: row.number, subject: row.subject };
    }),

  /**
   * Records the customer's rating (1–5) and comment on the ticket, once: the link is spent in the same
   * statement, and a second answer is a CONFLICT. The ticket gets a `feedback.received` event.
   */
  submit: procedure('public')
    .input(
      z.strictObject({
        token: FeedbackToken,
        score: z.number().int().min(1, 'Pick a score from 1 to 5.').max(5, 'Pick a score from 1 to 5.'),
        comment: SafeString.trim().max(2000, 'A comment is at most 2,000 characters.').optional(),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<{ ok: true; ticketNumber: number }> => {
      const now = ctx.now();
      await limit(ctx, now);
      const tokenHash = hashFeedbackToken(input.token);
      const answer = await withLinkOrg(ctx.db, 'feedback', tokenHash, () =>
        recordFeedback(ctx.db, { tokenHash, score: input.score, comment: input.comment ?? null, now }),
      );
      if (answer.state === 'recorded') return { ok: true, ticketNumber: answer.ticketNumber };
      if (answer.state === 'answered') fail('CONFLICT', 'Thanks — we already have your feedback.');
      fail('NOT_FOUND', LINK_NOT_FOUND);
    }),
});
