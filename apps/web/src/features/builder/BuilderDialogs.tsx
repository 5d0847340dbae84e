import { AlertCircle, CopyPlus, RefreshCw, Rocket } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { PublishRoutingCheck } from '../routing/PublishRoutingCheck.tsx';
import { ShortcutsTable } from '../../ui/ShortcutsTable.tsx';
import { Dialog } from './Dialog.tsx';
import type { Conflict } from './DraftSaver.ts';
import type { ImportProblem } from './importExport.ts';
import {
  ALL_NEW_TICKETS,
  type PilotChoice,
  PublishPilotOption,
  pilotPercentOf,
} from './PublishPilotOption.tsx';

const timeOfDay = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const dayAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** `Maya Manager saved this flow at 14:02 since you opened it.` (with the date when not today). */
export function conflictSentence(conflict: Conflict, now: Date = new Date()): string {
  const at = new Date(conflict.updatedAt);
  const when = Number.isNaN(at.getTime())
    ? ''
    : at.toDateString() === now.toDateString()
      ? ` at ${timeOfDay.format(at)}`
      : ` on ${dayAndTime.format(at)}`;
  return `${conflict.updatedBy ?? 'Another manager'} saved this flow${when} since you opened it.`;
}

export function ConflictDialog({
  conflict,
  open,
  busy,
  onReload,
  onSaveCopy,
  onClose,
}: {
  conflict: Conflict;
  open: boolean;
  busy: boolean;
  onReload: () => void;
  onSaveCopy: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      role="alertdialog"
      title="This flow changed while you were editing"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onReload} disabled={busy}>
            <RefreshCw size={15} aria-hidden="true" /> Reload their version
          </button>
          <button type="button" className="btn btn-primary" onClick={onSaveCopy} disabled={busy}>
            <CopyPlus size={15} aria-hidden="true" /> Save mine as a copy
          </button>
        </>
      }
    >
      <p className="conflict-text">{conflictSentence(conflict)}</p>
      <p className="muted">
        Your changes were not saved over theirs. Reload to continue from their version (your unsaved changes
        are dropped), or keep your work as a new flow.
      </p>
    </Dialog>
  );
}

export function PublishDialog({
  flowId,
  open,
  errors,
  busy,
  problems,
  onPublish,
  onClose,
}: {
  flowId: string;
  open: boolean;
  errors: number;
  busy: boolean;
  /** Why the last attempt failed (the API's message and issues). */
  problems: { message: string; issues: string[] } | null;
  /** `pilotPercent`: publish as a pilot on that share of new tickets; undefined: make it active. */
  onPublish: (message: string, pilotPercent: number | undefined) => void;
  onClose: () => void;
}) {
  const [message, setMessage] = useState('');
  const [rollout, setRollout] = useState<PilotChoice>(ALL_NEW_TICKETS);
  const pilotPercent = pilotPercentOf(rollout);
  // Each publish starts from "all new tickets": a pilot is chosen on purpose, never carried over.
  useEffect(() => {
    if (open) setRollout(ALL_NEW_TICKETS);
  }, [open]);
  const id = useId();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Publish a new version"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form={`${id}-form`}
            className="btn btn-primary"
            disabled={busy || errors > 0 || pilotPercent === null}
          >
            <Rocket size={15} aria-hidden="true" /> {busy ? 'Publishing…' : 'Publish'}
          </button>
        </>
      }
    >
      <form
        id={`${id}-form`}
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && errors === 0 && pilotPercent !== null) onPublish(message.trim(), pilotPercent);
        }}
      >
        <p className="muted">
          The draft is saved, then frozen as the next version, which new tickets start on. Tickets already
          running stay on their version.
        </p>
        <PublishRoutingCheck />
        <div className="field">
          <label htmlFor={`${id}-message`}>What changed</label>
          <input
            id={`${id}-message`}
            type="text"
            value={message}
            maxLength={500}
            placeholder="e.g. Route urgent tickets to the senior team"
            onChange={(e) => setMessage(e.target.value)}
          />
        </div>
        <PublishPilotOption flowId={flowId} choice={rollout} onChange={setRollout} />
        {errors > 0 && (
          <p className="field-error">
            Fix the {errors} {errors === 1 ? 'error' : 'errors'} in the problems list first.
          </p>
        )}
        {problems && (
          <div className="notice notice-danger" role="alert">
            <AlertCircle size={16} aria-hidden="true" className="notice-icon" />
            <div className="notice-body">
              <p>{problems.message}</p>
              {problems.issues.length > 0 && (
                <ul>
                  {problems.issues.map((text, i) => (
                    // The API's list, shown as given.
                    <li key={i}>{text}</li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        )}
      </form>
    </Dialog>
  );
}

export function ImportProblemsDialog({
  problems,
  fileName,
  onClose,
  nothingChanged = 'Nothing was changed: the flow on the canvas is as it was.',
}: {
  problems: readonly ImportProblem[] | null;
  fileName: string;
  onClose: () => void;
  /** What the refusal left as it was (the canvas, or: no flow was created). */
  nothingChanged?: string;
}) {
  return (
    <Dialog
      open={problems !== null}
      onClose={onClose}
      title={`“${fileName}” cannot be imported`}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          OK
        </button>
      }
    >
      <p>{nothingChanged} The file has these problems:</p>
      <ul className="import-problems">
        {(problems ?? []).map((p, i) => (
          // The parser's list, in its order.
          <li key={i}>
            <code>{p.code}</code> {p.message}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts">
      <ShortcutsTable page="builder" />
    </Dialog>
  );
}
