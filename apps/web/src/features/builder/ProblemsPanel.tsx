import { AlertCircle, AlertTriangle, CheckCircle2, ChevronDown, ChevronUp } from 'lucide-react';
import type { BuilderIssue } from './teamIssues.ts';
import type { Validation } from './useValidation.ts';

/**
 * The problems list under the canvas: errors (which block publishing) and warnings, with counts; a
 * click on a problem selects the nodes it names and brings them into view.
 */
export function ProblemsPanel({
  validation,
  open,
  onToggle,
  onFocus,
}: {
  validation: Validation;
  open: boolean;
  onToggle: () => void;
  onFocus: (issue: BuilderIssue) => void;
}) {
  const { errors, warnings, issues } = validation;
  const sorted = [...issues].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  return (
    <section className={open ? 'problems is-open' : 'problems'} aria-label="Problems">
      <button type="button" className="problems-head" aria-expanded={open} onClick={onToggle}>
        <span className="problems-title">Problems</span>
        {issues.length === 0 ? (
          <span className="problems-ok">
            <CheckCircle2 size={14} aria-hidden="true" /> None — ready to publish
          </span>
        ) : (
          <>
            <span className={errors > 0 ? 'count-badge is-error' : 'count-badge'} data-testid="error-count">
              <AlertCircle size={13} aria-hidden="true" /> {errors} {errors === 1 ? 'error' : 'errors'}
            </span>
            <span className={warnings > 0 ? 'count-badge is-warning' : 'count-badge'}>
              <AlertTriangle size={13} aria-hidden="true" /> {warnings}{' '}
              {warnings === 1 ? 'warning' : 'warnings'}
            </span>
          </>
        )}
        <span className="problems-chevron">
          {open ? <ChevronDown size={16} aria-hidden="true" /> : <ChevronUp size={16} aria-hidden="true" />}
        </span>
      </button>
      {open && issues.length > 0 && (
        <ul className="problems-list">
          {sorted.map((issue, i) => (
            // Issues have no id; the same message can name several nodes, so the position disambiguates.
            <li key={`${issue.code}:${issue.message}:${i}`}>
              <button
                type="button"
                className={`problem is-${issue.severity}`}
                onClick={() => onFocus(issue)}
                disabled={issue.nodeIds.length === 0 && issue.edgeIds.length === 0}
              >
                {issue.severity === 'error' ? (
                  <AlertCircle size={14} aria-label="Error" />
                ) : (
                  <AlertTriangle size={14} aria-label="Warning" />
                )}
                <span className="problem-text">{issue.message}</span>
                <code className="problem-code">{issue.code}</code>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
