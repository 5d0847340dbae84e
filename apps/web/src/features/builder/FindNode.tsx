import { type FlowNode, nodeKinds } from '@stepwise/flow';
import { type KeyboardEvent, useId, useMemo, useState } from 'react';
import { Dialog } from './Dialog.tsx';
import { labelOf } from './nodeNames.ts';

export type FoundNode = { id: string; name: string; kind: string };

/**
 * The nodes whose name contains every word of the query (any case), names starting with the query first,
 * then in the order of the document; at most `limit`. An empty query lists the first nodes.
 */
export function findNodes(nodes: readonly FlowNode[], query: string, limit = 12): FoundNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const q = query.trim().toLowerCase();
  const found = nodes
    .map((node, order) => ({ node, order, name: labelOf(node).trim() || nodeKinds[node.type].words.label }))
    .filter(({ name }) => words.every((w) => name.toLowerCase().includes(w)))
    .sort((a, b) => {
      const aStarts = a.name.toLowerCase().startsWith(q) ? 0 : 1;
      const bStarts = b.name.toLowerCase().startsWith(q) ? 0 : 1;
      return aStarts - bStarts || a.order - b.order;
    });
  return found
    .slice(0, limit)
    .map(({ node, name }) => ({ id: node.id, name, kind: nodeKinds[node.type].words.label }));
}

/**
 * Ctrl+F in the builder: type part of a node's name, pick it with the arrows and Enter (or a click); the
 * canvas selects it and brings it into view.
 */
export function FindNodeDialog({
  open,
  nodes,
  onPick,
  onClose,
}: {
  open: boolean;
  nodes: readonly FlowNode[];
  onPick: (nodeId: string) => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title="Find a node">
      {open && <FindNodeBody nodes={nodes} onPick={onPick} />}
    </Dialog>
  );
}

function FindNodeBody({ nodes, onPick }: { nodes: readonly FlowNode[]; onPick: (nodeId: string) => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => findNodes(nodes, query), [nodes, query]);
  const listId = useId();
  const inputId = useId();
  const optionId = (i: number) => `${listId}-${i}`;
  const current = Math.min(active, results.length - 1);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (results.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + results.length) % results.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const pick = results[current];
      if (pick) onPick(pick.id);
    }
  };
  return (
    <div className="find-node">
      <label htmlFor={inputId}>Node name</label>
      <input
        id={inputId}
        type="search"
        role="combobox"
        aria-expanded={results.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        placeholder="Type part of a name"
        autoComplete="off"
        data-autofocus
        // biome-ignore lint/a11y/noAutofocus: the dialog opens for this one field
        autoFocus
      />
      {results.length === 0 ? (
        <p className="muted" role="status">
          No node is named like “{query.trim()}”.
        </p>
      ) : (
        <div id={listId} role="listbox" aria-label="Matching nodes" className="find-node-results">
          {results.map((r, i) => (
            // The input keeps focus; the options answer clicks (keyboard users use the arrows in the input).
            // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox input handles the keys
            <div
              key={r.id}
              tabIndex={-1}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              className={i === current ? 'is-active' : undefined}
              onMouseEnter={() => setActive(i)}
              onClick={() => onPick(r.id)}
            >
              <span className="find-node-name">{r.name}</span>
              <span className="find-node-kind">{r.kind}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
