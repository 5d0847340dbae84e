import type { StepNode } from '@stepwise/flow';
import { ArrowRight, Check, TimerOff, Users } from 'lucide-react';
import { useId, useState } from 'react';
import { formatMinutes, nodeTitle } from '../../canvas/describe.ts';
import { Markdown } from '../../ui/Markdown.tsx';
import { Notice } from '../../ui/Notice.tsx';
import { LiveSlaClock } from '../../ui/SlaClock.tsx';
import type { TicketDetail } from '../../trpc.ts';
import { gateHint, outcomeGates, requirementLabel } from '../../canvas/requirements.ts';
import { MacroPicker } from './MacroPicker.tsx';
import { StepField } from './StepField.tsx';
import type { StepCompletion, TicketCore } from './ticketCore.ts';
import { useCompleteStep } from './useCompleteStep.ts';

type Props = {
  detail: TicketDetail;
  step: StepNode;
  /** The agent's name, for macros' `{{agent.name}}`. */
  agentName: string;
  onCompleted: (moved: StepCompletion) => void;
  onConflict: (fresh: TicketCore | null) => void;
};

/** What the SLA's breach does on this step: the breach path drawn, or the default escalation. */
function breachText(detail: TicketDetail, step: StepNode): string | null {
  if (step.data.slaMinutes === null) return null;
  const document = detail.version?.document;
  const edge = document?.edges.find((e) => e.source === step.id && e.sourceHandle === 'sla_breach');
  const target = edge ? document?.nodes.find((n) => n.id === edge.target) : undefined;
  if (target) return `If the SLA passes, the ticket goes to “${nodeTitle(target)}”.`;
  return 'If the SLA passes, the ticket is marked breached and its priority is raised.';
}

/**
 * The one thing to do now on this ticket: instructions, checklist (required items gate the outcomes
 * that need them: an item required only for "Refund" leaves "Not eligible" free),
 * the form, and one button per outcome saying where it leads. Keyed by the ticket's sequence by its
 * parent, so it starts empty at every new step.
 */
export function StepCard({ detail, step, agentName, onCompleted, onConflict }: Props) {
  const id = useId();
  const [reply, setReply] = useState('');
  const replying = reply.trim() !== '';
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [values, setValues] = useState<Record<string, string>>({});
  const { submit, pending, pendingOutcome, fieldErrors, error } = useCompleteStep(detail, {
    onCompleted,
    onConflict,
  });
  const { title, instructions, checklist, form, outcomes, slaMinutes } = step.data;
  const gates = outcomeGates(checklist, outcomes, checked);
  // Every outcome waits for the same items (the usual "required for all"): one hint says so.
  const gateLists = [...gates.values()];
  const sameGate =
    gates.size === outcomes.length &&
    gateLists.every(
      (m) => m.length === gateLists[0]!.length && m.every((item, i) => item === gateLists[0]![i]),
    );
  const { ticket } = detail;
  const breach = ticket.breached ? null : breachText(detail, step);

  const toggle = (itemId: string) =>
    setChecked((prev) => {
      const next = new Set(prev);
      if (next.has(itemId)) next.delete(itemId);
      else next.add(itemId);
      return next;
    });

  return (
    <section className="step-card" aria-labelledby={`${id}-title`}>
      <div className="step-card-head">
        <div>
          <div className="eyebrow">Current step</div>
          <h2 id={`${id}-title`} className="step-title" tabIndex={-1}>
            {title}
          </h2>
        </div>
        <div className="step-card-meta">
          {ticket.teamName && (
            <span className="meta-chip">
              <Users size={14} aria-hidden="true" /> {ticket.teamName}
            </span>
          )}
          {(ticket.slaDueAt !== null || ticket.breached) && (
            <LiveSlaClock dueAt={ticket.slaDueAt} breached={ticket.breached} />
          )}
          {ticket.slaDueAt === null && !ticket.breached && slaMinutes !== null && (
            <span className="meta-chip">SLA {formatMinutes(slaMinutes)}</span>
          )}
        </div>
      </div>

      {instructions.trim() !== '' && <Markdown source={instructions} className="step-instructions" />}

      {error && <Notice tone="danger">{error}</Notice>}

      {checklist.length > 0 && (
        <fieldset className="step-section">
          <legend>Checklist</legend>
          <ul className="checklist">
            {checklist.map((item) => {
              const inputId = `${id}-check-${item.id}`;
              const problem = fieldErrors[item.id];
              return (
                <li key={item.id}>
                  <input
                    id={inputId}
                    type="checkbox"
                    checked={checked.has(item.id)}
                    onChange={() => toggle(item.id)}
                    disabled={pending}
                    aria-describedby={problem ? `${inputId}-error` : undefined}
                  />
                  <label htmlFor={inputId}>
                    {item.label}
                    <RequirementTag label={requirementLabel(item, outcomes)} />
                  </label>
                  {problem && (
                    <span id={`${inputId}-error`} className="field-error">
                      {problem}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </fieldset>
      )}

      {form.length > 0 && (
        <fieldset className="step-section">
          <legend>Details to record</legend>
          <div className="form-grid">
            {form.map((field) => (
              <StepField
                key={field.key}
                idPrefix={id}
                field={field}
                outcomes={outcomes}
                value={values[field.key] ?? ''}
                error={fieldErrors[field.key]}
                disabled={pending}
                onChange={(v) => setValues((prev) => ({ ...prev, [field.key]: v }))}
              />
            ))}
          </div>
        </fieldset>
      )}

      <div className="step-section step-reply">
        <label htmlFor={`${id}-reply`}>
          Reply to the customer with the outcome <span className="muted">(optional)</span>
        </label>
        <textarea
          id={`${id}-reply`}
          rows={2}
          value={reply}
          maxLength={10_000}
          disabled={pending}
          placeholder={`Sent to ${ticket.customer.name} together with the outcome you pick…`}
          onChange={(e) => setReply(e.target.value)}
        />
        <MacroPicker
          detail={detail}
          agentName={agentName}
          disabled={pending}
          onInsert={(text) => setReply((prev) => (prev.trim() === '' ? text : `${prev}\n${text}`))}
        />
      </div>

      <fieldset className="step-section">
        <legend>Outcome</legend>
        {sameGate && (
          <p className="hint" id={`${id}-gate`}>
            Tick the required checklist {gateLists[0]!.length === 1 ? 'item' : 'items'} to continue.
          </p>
        )}
        {!sameGate && gates.size > 0 && (
          <ul className="hint gate-hints">
            {outcomes.map((outcome) => {
              const missing = gates.get(outcome.id);
              return missing ? (
                <li key={outcome.id} id={`${id}-gate-${outcome.id}`}>
                  {gateHint(outcome, missing)}
                </li>
              ) : null;
            })}
          </ul>
        )}
        <div className="outcomes">
          {outcomes.map((outcome) => {
            const next = detail.nextByOutcome[outcome.id];
            const gated = gates.has(outcome.id);
            return (
              <button
                key={outcome.id}
                type="button"
                className="outcome-btn"
                disabled={gated || pending}
                aria-describedby={gated ? (sameGate ? `${id}-gate` : `${id}-gate-${outcome.id}`) : undefined}
                onClick={() =>
                  submit({ outcomeId: outcome.id, fields: form, values, checklist: [...checked], reply })
                }
              >
                <span className="outcome-label">
                  <Check size={16} aria-hidden="true" />
                  {pending && pendingOutcome === outcome.id
                    ? 'Completing…'
                    : replying
                      ? `Reply and mark ${outcome.label}`
                      : outcome.label}
                </span>
                <span className="outcome-next">
                  <ArrowRight size={13} aria-hidden="true" />
                  {next ? `Next: ${next.label}` : 'Next: not connected'}
                </span>
              </button>
            );
          })}
        </div>
        {breach && (
          <p className="step-next">
            <TimerOff size={14} aria-hidden="true" /> {breach}
          </p>
        )}
      </fieldset>
    </section>
  );
}

/** "Required", or "Required for Refund" when only some outcomes need the item; nothing when none does. */
function RequirementTag({ label }: { label: string | null }) {
  return label === null ? null : <span className="required-tag">{label}</span>;
}
