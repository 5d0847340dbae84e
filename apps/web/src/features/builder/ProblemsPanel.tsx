import { AlertCircle, AlertTriangle, CheckCircle2, ChevronDown, ChevronUp } from 'lucide-react';
import { type KeyboardEvent, type PointerEvent, useRef } from 'react';
import type { BuilderIssue } from './teamIssues.ts';
import type { Validation } from './useValidation.ts';

/** The list's height bounds, in pixels (the canvas takes the rest). */
export const PROBLEMS_HEIGHT = { min: 48, initial: 104, max: 480 } as const;
const KEY_STEP = 24;

export function clampProblemsHeight(height: number): number {
  return Math.round(Math.min(PROBLEMS_HEIGHT.max, Math.max(PROBLEMS_HEIGHT.min, height)));
}

/**
 * The problems list under the canvas: errors (which block publishing) and warnings, with counts; a
 * click on a problem selects the nodes it names and brings them into view.
 */
export function ProblemsPanel({
  validation,
  open,
  onToggle,
  onFocus,
  height,
  onResize,
}: {
  validation: Validation;
  open: boolean;
  onToggle: () => void;
  onFocus: (issue: BuilderIssue) => void;
  /** The list's height; the canvas above it shrinks or grows to match. */
  height: number;
  onResize: (height: number) => void;
}) {
  const drag = useRef<{ y: number; height: number } | null>(null);
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { y: event.clientY, height };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    onResize(clampProblemsHeight(drag.current.height + drag.current.y - event.clientY));
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const by =
      event.key === 'ArrowUp'
        ? KEY_STEP
        : event.key === 'ArrowDown'
          ? -KEY_STEP
          : event.key === 'Home'
            ? -1e4
            : event.key === 'End'
              ? 1e4
              : 0;
    if (by === 0) return;
    event.preventDefault();
    onResize(clampProblemsHeight(height + by));
  };
  const { errors, warnings, issues } = validation;
  const sorted = [...issues].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  return (
    <section className={open ? 'problems is-open' : 'problems'} aria-label="Problems">
      {open && issues.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: a focusable window splitter (ARIA's separator with a value) that an <hr> cannot be
        <div
          className="problems-resize"
          role="separator"
          aria-orientation="horizontal"
          aria-label="Height of the problems list"
          aria-valuemin={PROBLEMS_HEIGHT.min}
          aria-valuemax={PROBLEMS_HEIGHT.max}
          aria-valuenow={height}
          tabIndex={0}
          title="Drag (or use the arrow keys) to give the canvas more or less room"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onKeyDown={onKeyDown}
        />
      )}
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
        <ul className="problems-list" style={{ maxHeight: height }}>
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
