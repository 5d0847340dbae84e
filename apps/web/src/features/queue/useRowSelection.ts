import { useCallback, useMemo, useState } from 'react';

/** Rows a bulk action can name: the ticket and the sequence number the queue showed it at. */
export type SelectableRow = { id: string; seq: number; number: number };

export type RowSelection = {
  /** The selected rows still in the queue, each at the sequence number it is shown at now. */
  selected: SelectableRow[];
  has: (id: string) => boolean;
  toggle: (id: string) => void;
  setAll: (on: boolean) => void;
  clear: () => void;
  all: boolean;
  some: boolean;
};

/** Which queue rows are selected for a bulk action (rows that left the queue drop out by themselves). */
export function useRowSelection(rows: readonly SelectableRow[]): RowSelection {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const selected = useMemo(() => rows.filter((r) => ids.has(r.id)), [rows, ids]);
  const toggle = useCallback(
    (id: string) =>
      setIds((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const setAll = useCallback(
    (on: boolean) => setIds(on ? new Set(rows.map((r) => r.id)) : new Set()),
    [rows],
  );
  const clear = useCallback(() => setIds(new Set()), []);
  return {
    selected,
    has: (id) => ids.has(id),
    toggle,
    setAll,
    clear,
    all: rows.length > 0 && selected.length === rows.length,
    some: selected.length > 0 && selected.length < rows.length,
  };
}
