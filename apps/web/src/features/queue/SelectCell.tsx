import { useEffect, useRef } from 'react';
import type { RowSelection } from './useRowSelection.ts';

/** The checkbox cell of a queue row: selects the ticket for a bulk action. */
export function SelectCell({
  selection,
  id,
  label,
}: {
  selection: RowSelection;
  id: string;
  /** What the checkbox selects, for screen readers: "Select ticket #1042". */
  label: string;
}) {
  return (
    <td className="select-cell">
      <input
        type="checkbox"
        aria-label={label}
        checked={selection.has(id)}
        onChange={() => selection.toggle(id)}
      />
    </td>
  );
}

/** The header cell: selects or clears every row shown (indeterminate when some are). */
export function SelectAllCell({ selection }: { selection: RowSelection }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = selection.some;
  }, [selection.some]);
  return (
    <th scope="col" className="select-cell">
      <input
        ref={ref}
        type="checkbox"
        aria-label="Select every ticket shown"
        checked={selection.all}
        onChange={(e) => selection.setAll(e.target.checked)}
      />
    </th>
  );
}
