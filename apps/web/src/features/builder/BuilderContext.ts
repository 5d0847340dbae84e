import type { FlowDocument } from '@stepwise/flow';
import { createContext, useCallback, useContext, useRef } from 'react';
import { useStore } from 'zustand';
import type { Builder, BuilderState } from './store.ts';

export const BuilderContext = createContext<Builder | null>(null);

/** The open flow's builder (document store and editing actions). */
export function useBuilder(): Builder {
  const builder = useContext(BuilderContext);
  if (!builder) throw new Error('useBuilder must be used inside <BuilderContext.Provider>');
  return builder;
}

/** A slice of the builder's state; the component re-renders only when the slice changes. */
export function useBuilderState<T>(selector: (state: BuilderState) => T): T {
  return useStore(useBuilder().store, selector);
}

/** Whether undo and redo have anything to do. */
export function useHistory(): { canUndo: boolean; canRedo: boolean } {
  const temporal = useBuilder().store.temporal;
  const canUndo = useStore(temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(temporal, (s) => s.futureStates.length > 0);
  return { canUndo, canRedo };
}

/** True when `b` differs from `a` at most in where nodes and notes stand (a drag, a layout). */
export function samePlan(a: FlowDocument, b: FlowDocument): boolean {
  if (a === b) return true;
  if (a.fields !== b.fields || a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i];
    const y = b.nodes[i];
    if (!x || !y || x.id !== y.id || x.type !== y.type || x.data !== y.data) return false;
  }
  return true;
}

/**
 * The document for what does not depend on positions (validation, counts): the same object while only
 * positions change, so a drag does not re-render or re-validate anything that reads it.
 */
export function usePlanDocument(): FlowDocument {
  const builder = useBuilder();
  const last = useRef<FlowDocument | null>(null);
  const select = useCallback((state: BuilderState) => {
    const previous = last.current;
    if (previous && samePlan(previous, state.document)) return previous;
    last.current = state.document;
    return state.document;
  }, []);
  return useStore(builder.store, select);
}
