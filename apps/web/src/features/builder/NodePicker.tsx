import { type ActionOp, type EndNode, NODE_TYPES, type NodeType, nodeKinds } from '@stepwise/flow';
import { type KeyboardEvent, useId, useMemo, useState } from 'react';
import { Dialog } from './Dialog.tsx';

/** What a picked entry adds: a node kind, optionally pre-set (an action's operation, an End's status). */
export type PickerVariant = { op: ActionOp['op'] } | { status: EndNode['data']['status'] };

export type PickerEntry =
  | { key: string; type: NodeType; label: string; hint: string; variant?: PickerVariant }
  /** A node already on the canvas: the output is connected to it. */
  | { key: string; target: string; label: string; hint: string }
  /** Removes the output's connection. */
  | { key: 'disconnect'; disconnect: true; label: string; hint: string };

const ACTION_VARIANTS: ReadonlyArray<{ op: ActionOp['op']; label: string; hint: string }> = [
  { op: 'assign', label: 'Assign to a team', hint: 'Action: move the ticket to a team or agent' },
  { op: 'send_message', label: 'Send a message', hint: 'Action: write to the customer' },
  { op: 'set_field', label: 'Set a field', hint: 'Action: priority, category or a flow field' },
  { op: 'add_tag', label: 'Add a tag', hint: 'Action: tag the ticket' },
  { op: 'webhook', label: 'Call a webhook', hint: 'Action: tell another system' },
];

const END_VARIANTS: ReadonlyArray<{ status: EndNode['data']['status']; label: string }> = [
  { status: 'resolved', label: 'End: resolved' },
  { status: 'closed_unresolved', label: 'End: closed unresolved' },
  { status: 'transferred', label: 'End: transferred' },
];

/**
 * Everything the picker offers, in palette order: each node kind that can follow another (not the
 * entry kind), an action by what it does, an End by its status.
 */
export const PICKER_ENTRIES: readonly PickerEntry[] = NODE_TYPES.filter((t) => !nodeKinds[t].entry).flatMap(
  (type): PickerEntry[] => {
    const words = nodeKinds[type].words;
    if (type === 'action')
      return ACTION_VARIANTS.map((v) => ({
        key: `action:${v.op}`,
        type,
        label: v.label,
        hint: v.hint,
        variant: { op: v.op },
      }));
    if (type === 'end')
      return END_VARIANTS.map((v) => ({
        key: `end:${v.status}`,
        type,
        label: v.label,
        hint: words.description,
        variant: { status: v.status },
      }));
    return [{ key: type, type, label: words.label, hint: words.description }];
  },
);

/**
 * The entries matching every word of `query` in their label or hint (any case), the ones whose label
 * starts with the query first, then in palette order.
 */
export function filterEntries<E extends { label: string; hint: string }>(
  entries: readonly E[],
  query: string,
): E[] {
  const q = query.trim().toLowerCase();
  const words = q.split(/\s+/).filter(Boolean);
  return entries
    .map((entry, order) => ({ entry, order, text: `${entry.label} ${entry.hint}`.toLowerCase() }))
    .filter(({ text }) => words.every((w) => text.includes(w)))
    .sort((a, b) => {
      const aStarts = a.entry.label.toLowerCase().startsWith(q) ? 0 : 1;
      const bStarts = b.entry.label.toLowerCase().startsWith(q) ? 0 : 1;
      return aStarts - bStarts || a.order - b.order;
    })
    .map(({ entry }) => entry);
}

/**
 * Quick-add's searchable node picker: type part of a kind ("dec", "assign", "end res"), pick with the
 * arrows and Enter or a click. Opens at `at` (the end of a connection drag, in window pixels) or in the
 * middle of the screen.
 */
export function NodePickerDialog({
  open,
  title,
  at,
  targets = NO_TARGETS,
  connected = false,
  onPick,
  onClose,
}: {
  open: boolean;
  /** Says what the new node follows, e.g. `Add after “Verify” → Eligible`. */
  title: string;
  at?: { x: number; y: number } | null;
  /** Nodes the output may connect to instead (listed after the new kinds). */
  targets?: ReadonlyArray<{ id: string; name: string; kind: string }>;
  /** The output is connected: offer to disconnect it. */
  connected?: boolean;
  onPick: (entry: PickerEntry) => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} at={at ?? null}>
      {open && <PickerBody targets={targets} connected={connected} onPick={onPick} />}
    </Dialog>
  );
}

const NO_TARGETS: ReadonlyArray<{ id: string; name: string; kind: string }> = [];

function PickerBody({
  targets,
  connected,
  onPick,
}: {
  targets: ReadonlyArray<{ id: string; name: string; kind: string }>;
  connected: boolean;
  onPick: (entry: PickerEntry) => void;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const entries = useMemo(
    (): PickerEntry[] => [
      ...PICKER_ENTRIES.map((e) => ({ ...e, hint: `New · ${e.hint}` })),
      ...targets.map((t) => ({
        key: `node:${t.id}`,
        target: t.id,
        label: t.name,
        hint: `Existing ${t.kind}`,
      })),
      ...(connected
        ? [
            {
              key: 'disconnect' as const,
              disconnect: true as const,
              label: 'Not connected',
              hint: 'Remove the connection',
            },
          ]
        : []),
    ],
    [targets, connected],
  );
  const results = useMemo(() => filterEntries(entries, query), [entries, query]);
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
      if (pick) onPick(pick);
    }
  };
  return (
    <div className="find-node node-picker">
      <label htmlFor={inputId}>New node kind or existing node</label>
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
        placeholder="Step, decision, assign, end or a node's name…"
        autoComplete="off"
        data-autofocus
        // biome-ignore lint/a11y/noAutofocus: the picker opens for this one field
        autoFocus
      />
      {results.length === 0 ? (
        <p className="muted" role="status">
          Nothing matches “{query.trim()}”.
        </p>
      ) : (
        <div id={listId} role="listbox" aria-label="Nodes to connect" className="find-node-results">
          {results.map((r, i) => (
            // The input keeps focus; the options answer clicks (keyboard users use the arrows in the input).
            // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox input handles the keys
            <div
              key={r.key}
              tabIndex={-1}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              className={i === current ? 'is-active' : undefined}
              data-picker={r.key}
              onMouseEnter={() => setActive(i)}
              onClick={() => onPick(r)}
            >
              <span className="find-node-name">{r.label}</span>
              <span className="find-node-kind">{r.hint}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
