import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import {
  errorCode,
  errorDetails,
  errorMessage,
  isNetworkError,
  type TicketDetail,
  useTRPC,
} from '../../trpc.ts';
import { fieldErrorsOf, freshOf } from './completeErrors.ts';
import { type StepCompletion, type TicketCore, withCompletion, withCore } from './ticketCore.ts';
import { fingerprint, formPayload } from './formValues.ts';
import { IdempotencyKeys } from './idempotency.ts';
import { type FormField, readForm } from '@stepwise/flow';
import { refreshQueue } from '../queue/refreshQueue.ts';

export type Submission = {
  outcomeId: string;
  fields: readonly FormField[];
  values: Readonly<Record<string, string>>;
  checklist: readonly string[];
  /** A reply to the customer sent with the outcome ("Reply and mark Done"); empty: none. */
  reply?: string;
};

type Handlers = {
  onCompleted: (moved: StepCompletion) => void;
  /** Another agent moved the ticket first: `fresh` is the ticket as it is now (null when the server sent none). */
  onConflict: (fresh: TicketCore | null) => void;
};

/**
 * Completing the current step: sends `expectedSeq = ticket.seq` with an idempotency key (kept for a retry
 * of the same submission after a network error), and sorts the answer into success, conflict, per-field
 * errors or a general error.
 */
export function useCompleteStep(detail: TicketDetail, handlers: Handlers) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useRef(new IdempotencyKeys());
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const ticketKey = trpc.tickets.get.queryKey({ ticketId: detail.ticket.id });

  const mutation = useMutation(
    trpc.tickets.complete.mutationOptions({
      onSuccess: (result) => {
        keys.current.answered();
        setFieldErrors({});
        setError(null);
        queryClient.setQueryData(ticketKey, (page) => withCompletion(page, result));
        // At the next step the answer holds all the page shows. Anywhere else, the parts only a full read
        // brings (the feedback link of an ended ticket, a subflow's child…) come with a fresh read.
        if (result.ticket.status !== 'at_step') void queryClient.invalidateQueries({ queryKey: ticketKey });
        refreshQueue(queryClient, trpc);
        handlers.onCompleted(result);
      },
      onError: (err) => {
        if (isNetworkError(err)) {
          // Keep the key: the server may have applied it; a retry of the same submission is safe.
          setError(`${errorMessage(err)} Your entries are kept; press the outcome again to retry.`);
          return;
        }
        keys.current.answered();
        const code = errorCode(err);
        const details = errorDetails(err);
        if (code === 'CONFLICT') {
          const fresh = freshOf(details);
          if (fresh) queryClient.setQueryData(ticketKey, (page) => withCore(page, fresh));
          void queryClient.invalidateQueries({ queryKey: ticketKey });
          refreshQueue(queryClient, trpc);
          handlers.onConflict(fresh);
          return;
        }
        const perField = code === 'BAD_REQUEST' ? fieldErrorsOf(details) : {};
        setFieldErrors(perField);
        setError(errorMessage(err));
      },
    }),
  );

  const submit = (s: Submission) => {
    const step = detail.currentStep;
    if (!step || mutation.isPending) return;
    const form = formPayload(s.fields, s.values);
    // The server's own check of the form, run here first: a missing or malformed field is shown (and
    // focused) without a request, so no refused request is ever sent in normal use.
    const { problems } = readForm(s.fields, form, s.outcomeId);
    if (problems) {
      setFieldErrors(problems);
      setError(`Some form fields need attention: ${Object.values(problems).join(' ')}`);
      window.requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('.step-card [aria-invalid="true"]')?.focus(),
      );
      return;
    }
    const parts = {
      ticketId: detail.ticket.id,
      expectedSeq: detail.ticket.seq,
      nodeId: step.id,
      outcomeId: s.outcomeId,
      form,
      checklist: [...s.checklist],
      ...(s.reply && s.reply.trim() !== '' ? { reply: s.reply.trim() } : {}),
    };
    setError(null);
    mutation.mutate({ ...parts, idempotencyKey: keys.current.keyFor(fingerprint(parts)) });
  };

  return {
    submit,
    pending: mutation.isPending,
    pendingOutcome: mutation.variables?.outcomeId,
    fieldErrors,
    error,
  };
}
