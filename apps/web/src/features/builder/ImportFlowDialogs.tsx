import { ImportProblemsDialog } from './BuilderDialogs.tsx';
import type { ImportNote } from './importAccept.ts';
import type { ImportProblem } from './importExport.ts';
import { ImportReportDialog } from './ImportReportDialog.tsx';

/** The flows list's import dialogs: the report of a flow made from a file, or why a file was refused. */
export default function ImportFlowDialogs({
  imported,
  refused,
  onCloseImported,
  onCloseRefused,
  onOpen,
}: {
  imported: {
    flowId: string;
    fileName: string;
    report: ImportNote[];
    counts: { nodes: number; edges: number; notes: number } | null;
  } | null;
  refused: { fileName: string; problems: ImportProblem[] } | null;
  onCloseImported: () => void;
  onCloseRefused: () => void;
  onOpen: (flowId: string) => void;
}) {
  return (
    <>
      <ImportReportDialog
        report={imported?.report ?? null}
        fileName={imported?.fileName ?? ''}
        counts={imported?.counts ?? null}
        onClose={onCloseImported}
        action={imported ? { label: 'Open in the builder', run: () => onOpen(imported.flowId) } : undefined}
      />
      <ImportProblemsDialog
        problems={refused?.problems ?? null}
        fileName={refused?.fileName ?? ''}
        nothingChanged="No flow was created."
        onClose={onCloseRefused}
      />
    </>
  );
}
