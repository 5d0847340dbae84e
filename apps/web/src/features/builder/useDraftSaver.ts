import { parseFlowDocument } from '@stepwise/flow';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { errorCode, errorDetails, errorMessage, isNetworkError, useTRPCClient } from '../../trpc.ts';
import { type Conflict, DraftSaver, type SaveResult, type SaveStatus } from './DraftSaver.ts';
import type { Builder } from './store.ts';

function asConflict(details: unknown): Conflict | null {
  if (!details || typeof details !== 'object') return null;
  const d = details as Record<string, unknown>;
  if (typeof d.currentRevision !== 'number' || typeof d.updatedAt !== 'string') return null;
  return {
    currentRevision: d.currentRevision,
    updatedAt: d.updatedAt,
    updatedBy: typeof d.updatedBy === 'string' ? d.updatedBy : null,
  };
}

/**
 * Autosaves the builder's draft through `flows.saveDraft` (see `DraftSaver`): a second after the last
 * change, when the window loses focus or the page is hidden, and when the builder closes. Also warns
 * before the tab closes with unsaved changes.
 */
export function useDraftSaver(builder: Builder, flowId: string, revision: number): [DraftSaver, SaveStatus] {
  const client = useTRPCClient();
  const [saver] = useState(() => {
    const { document, meta } = builder.store.getState();
    return new DraftSaver({
      revision,
      document,
      meta,
      save: async (input): Promise<SaveResult> => {
        // Never send what the server would refuse anyway: say what is wrong instead.
        const parsed = parseFlowDocument(input.document);
        if (!parsed.ok) {
          return {
            ok: false,
            kind: 'refused',
            message: parsed.issues[0]?.message ?? 'the flow document is not valid',
          };
        }
        try {
          const saved = await client.flows.saveDraft.mutate({ flowId, ...input });
          return { ok: true, revision: saved.revision };
        } catch (error) {
          const conflict = errorCode(error) === 'CONFLICT' ? asConflict(errorDetails(error)) : null;
          if (conflict) return { ok: false, kind: 'conflict', conflict };
          if (isNetworkError(error)) return { ok: false, kind: 'network', message: errorMessage(error) };
          return { ok: false, kind: 'refused', message: errorMessage(error) };
        }
      },
    });
  });

  useEffect(
    () =>
      builder.store.subscribe((state, previous) => {
        if (state.document !== previous.document || state.meta !== previous.meta) {
          saver.changed(state.document, state.meta);
        }
      }),
    [builder, saver],
  );

  useEffect(() => {
    const flush = () => void saver.flush();
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!saver.dirty) return;
      flush();
      event.preventDefault();
    };
    window.addEventListener('blur', flush);
    window.addEventListener('pagehide', flush);
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('blur', flush);
      window.removeEventListener('pagehide', flush);
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('visibilitychange', onVisibility);
      // Leaving the builder saves what is left.
      flush();
    };
  }, [saver]);

  const status = useSyncExternalStore(saver.subscribe, saver.getStatus);
  return [saver, status];
}
