import { Dialog } from './Dialog.tsx';
import type { ImportNote } from './importAccept.ts';

/**
 * What an import of a BPMN or draw.io file brought in, and the report: what was left out, and what to
 * look at before publishing. `onShow` (in the builder) focuses the node a line is about.
 */
export function ImportReportDialog({
  report,
  fileName,
  counts,
  onClose,
  onShow,
  action,
}: {
  report: readonly ImportNote[] | null;
  fileName: string;
  counts: { nodes: number; edges: number; notes: number } | null;
  onClose: () => void;
  onShow?: (nodeId: string) => void;
  /** The main button (e.g. "Open in the builder"); absent, an OK button. */
  action?: { label: string; run: () => void };
}) {
  const lines = report ?? [];
  const review = lines.filter((l) => l.severity === 'review');
  const unmapped = lines.filter((l) => l.severity === 'unmapped');
  const section = (title: string, items: readonly ImportNote[], kind: string) =>
    items.length > 0 && (
      <section className="import-report-section" aria-label={title}>
        <h3>
          {title} ({items.length})
        </h3>
        <ul className={`import-report is-${kind}`}>
          {items.map((line, i) => (
            // The report's own order.
            <li key={i}>
              <span>{line.message}</span>
              {onShow && line.nodeId !== undefined && (
                <button
                  type="button"
                  className="link-btn"
                  onClick={() => onShow(line.nodeId as string)}
                  aria-label={`Show the node: ${line.message}`}
                >
                  Show
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
    );
  return (
    <Dialog
      open={report !== null}
      onClose={onClose}
      wide
      title={`Imported “${fileName}”`}
      footer={
        action ? (
          <>
            <button type="button" className="btn btn-ghost" onClick={onClose}>
              Close
            </button>
            <button type="button" className="btn btn-primary" onClick={action.run}>
              {action.label}
            </button>
          </>
        ) : (
          <button type="button" className="btn btn-primary" onClick={onClose}>
            OK
          </button>
        )
      }
    >
      {counts && (
        <p>
          {counts.nodes} {counts.nodes === 1 ? 'node' : 'nodes'}, {counts.edges}{' '}
          {counts.edges === 1 ? 'connection' : 'connections'}
          {counts.notes > 0 ? ` and ${counts.notes} ${counts.notes === 1 ? 'note' : 'notes'}` : ''} came in as
          a draft. The problems list in the builder says what still blocks publishing.
        </p>
      )}
      {lines.length === 0 ? (
        <p>Everything in the file mapped onto Stepwise.</p>
      ) : (
        <>
          {section('To review', review, 'review')}
          {section('Left out', unmapped, 'unmapped')}
        </>
      )}
    </Dialog>
  );
}
