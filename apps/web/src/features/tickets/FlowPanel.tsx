import type { FlowDocument } from '@stepwise/flow';
import { ChevronDown, ChevronRight } from 'lucide-react';
import { useId, useState } from 'react';
import { LazyFlowCanvas as FlowCanvas } from '../../canvas/LazyFlowCanvas.tsx';
import { PHONE_QUERY, useMediaQuery } from '../../ui/useMediaQuery.ts';
import type { Team } from '../../trpc.ts';

/**
 * The ticket's flow with its path, in a panel that folds: open on a wide screen, folded on a phone (the
 * step card and the conversation come first there), the canvas loaded only once it is opened.
 */
export function FlowPanel({
  document,
  flowName,
  versionNumber,
  ticketNumber,
  teams,
  path,
  focus,
}: {
  document: FlowDocument;
  flowName: string | undefined;
  versionNumber: number;
  ticketNumber: number;
  teams: readonly Team[] | undefined;
  path: readonly string[];
  focus: readonly string[];
}) {
  const phone = useMediaQuery(PHONE_QUERY);
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? !phone;
  const id = useId();
  const Chevron = open ? ChevronDown : ChevronRight;
  return (
    <section className="panel flow-panel" aria-labelledby={`${id}-heading`}>
      <div className="panel-head">
        <h2 id={`${id}-heading`}>
          <button
            type="button"
            className="panel-toggle"
            aria-expanded={open}
            aria-controls={`${id}-body`}
            onClick={() => setChosen(!open)}
          >
            <Chevron size={16} aria-hidden="true" /> Flow
          </button>
        </h2>
        <span className="muted">
          {flowName} · version {versionNumber} · path so far highlighted
        </span>
      </div>
      <div id={`${id}-body`} hidden={!open}>
        {open && (
          <FlowCanvas
            document={document}
            label={`Flow of ticket ${ticketNumber}`}
            teams={teams}
            path={path}
            focus={focus}
            height={phone ? 360 : 440}
          />
        )}
      </div>
    </section>
  );
}
