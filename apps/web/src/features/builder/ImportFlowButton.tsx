import { useQueryClient } from '@tanstack/react-query';
import { LoaderCircle, Upload } from 'lucide-react';
import { type ChangeEvent, lazy, Suspense, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorCode, useTRPC, useTRPCClient } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { IMPORT_ACCEPT, type ImportNote } from './importAccept.ts';
import type { ImportProblem } from './importExport.ts';

// The dialogs and the file reading (the flow schema) load with the first file picked, not with the list.
const ImportFlowDialogs = lazy(() => import('./ImportFlowDialogs.tsx'));
const loadReader = () => import('./importDiagram.ts');

type Imported = {
  flowId: string;
  fileName: string;
  report: ImportNote[];
  counts: { nodes: number; edges: number; notes: number } | null;
};

/**
 * "Import" on the flows list, for managers and admins: a Stepwise flow file (.json), a BPMN 2.0 file or
 * a draw.io diagram becomes a new flow's draft; the import report says what to look at, then the
 * builder opens. A file that cannot be read creates nothing.
 */
export function ImportFlowButton() {
  const me = useMe();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [imported, setImported] = useState<Imported | null>(null);
  const [refused, setRefused] = useState<{ fileName: string; problems: ImportProblem[] } | null>(null);
  if (!me.data || me.data.role === 'agent') return null;

  const stem = (fileName: string) => fileName.replace(/\.(flow\.json|bpmn20\.xml|[A-Za-z0-9]+)$/, '').trim();

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setBusy(true);
    try {
      const { readImportFile } = await loadReader();
      const read = await readImportFile(file);
      if (!read.ok) {
        setRefused({ fileName: file.name, problems: read.problems });
        return;
      }
      if (read.kind === 'json') {
        // A Stepwise flow file: the document as it is, under the file's name (or a free variant of it).
        const base = (stem(file.name) || 'Imported flow').slice(0, 180);
        for (let n = 1; n <= 20; n++) {
          const name = n === 1 ? base : `${base} (${n})`;
          try {
            const created = await client.flows.create.mutate({ name, document: read.document });
            setImported({ flowId: created.id, fileName: file.name, report: [], counts: null });
            break;
          } catch (error) {
            if (errorCode(error) !== 'CONFLICT' || n === 20) throw error;
          }
        }
      } else {
        const result = await client.interop.importFile.mutate({ text: read.text, fileName: file.name });
        setImported({
          flowId: result.flowId,
          fileName: file.name,
          report: result.report,
          counts: result.counts,
        });
      }
      await queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
    } catch (error) {
      const { problemsOf } = await loadReader();
      setRefused({ fileName: file.name, problems: problemsOf(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="btn btn-secondary"
        onClick={() => input.current?.click()}
        disabled={busy}
        title="Create a flow from a BPMN 2.0, draw.io or Stepwise flow file"
      >
        {busy ? (
          <LoaderCircle size={15} className="spin" aria-hidden="true" />
        ) : (
          <Upload size={15} aria-hidden="true" />
        )}
        Import
      </button>
      <input
        ref={input}
        type="file"
        accept={IMPORT_ACCEPT}
        className="sr-only"
        tabIndex={-1}
        aria-label="BPMN, draw.io or flow file to import"
        data-testid="import-flow-file"
        onChange={(e) => void onFile(e)}
      />
      {(imported || refused) && (
        <Suspense fallback={null}>
          <ImportFlowDialogs
            imported={imported}
            refused={refused}
            onCloseImported={() => setImported(null)}
            onCloseRefused={() => setRefused(null)}
            onOpen={(flowId) => {
              setImported(null);
              void navigate(`/flows/${flowId}/edit`);
            }}
          />
        </Suspense>
      )}
    </>
  );
}
