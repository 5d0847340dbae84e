import {
  describeChange,
  type FlowDiff,
  type FlowDocument,
  type FlowNode,
  nameOf,
  type PropertyChange,
} from '@stepwise/flow';
import type { DiffMark } from './types.ts';

/** A node's name as the canvas shows it: a step's title, any other node's label. */
export function nodeName(node: FlowNode | undefined, fallback: string): string {
  if (!node) return fallback;
  const name = nameOf(node);
  return name.trim() !== '' ? name : fallback;
}

/** Marks for one side of a comparison: `from` shows removals, `to` additions; both show changes and moves. */
export function marksOf(diff: FlowDiff, side: 'from' | 'to' | 'overlay'): Record<string, DiffMark> {
  const marks: Record<string, DiffMark> = {};
  const set = (id: string, mark: DiffMark) => {
    Object.defineProperty(marks, id, { value: mark, enumerable: true, writable: true, configurable: true });
  };
  for (const move of diff.nodes.moved) set(move.id, 'moved');
  for (const node of diff.nodes.changed) set(node.id, 'changed');
  if (side !== 'from') for (const node of diff.nodes.added) set(node.id, 'added');
  if (side !== 'to') for (const node of diff.nodes.removed) set(node.id, 'removed');
  return marks;
}

/** The `to` document with the removed nodes (and their edges) put back, for the overlaid view. */
export function overlayDocument(from: FlowDocument, to: FlowDocument, diff: FlowDiff): FlowDocument {
  const nodes = [...to.nodes, ...diff.nodes.removed];
  const ids = new Set(nodes.map((n) => n.id));
  const edgeIds = new Set(to.edges.map((e) => e.id));
  const edges = [
    ...to.edges,
    ...from.edges.filter((e) => !edgeIds.has(e.id) && ids.has(e.source) && ids.has(e.target)),
  ];
  return { ...to, nodes, edges };
}

/** A text that changed, with both versions, for a word-level diff. */
export type TextChange = { label: string; from: string; to: string };

/** Paths whose text a reader compares word by word rather than as "changed". */
const WORDY_PATHS: ReadonlySet<string> = new Set(['data.instructions', 'text']);

function textChangesOf(changes: readonly PropertyChange[]): TextChange[] | undefined {
  const texts = changes.flatMap((c) =>
    c.kind === 'changed' && WORDY_PATHS.has(c.path) && typeof c.from === 'string' && typeof c.to === 'string'
      ? [{ label: c.label, from: c.from, to: c.to }]
      : [],
  );
  return texts.length > 0 ? texts : undefined;
}

export type ChangeItem = {
  /** The node (or the edge's source node) to focus on the canvas; null when there is nothing to show. */
  focus: string | null;
  key: string;
  kind: 'added' | 'removed' | 'changed';
  what: 'node' | 'edge' | 'field' | 'note';
  title: string;
  lines: string[];
  /** Changed texts shown word by word (a step's instructions, a note's text). */
  texts?: TextChange[];
  /** Live tickets of the `from` version sitting at this node (changed and removed nodes only). */
  live: number;
};

/** The list of changes, grouped by node, edge, field and note; layout-only moves apart. */
export function changeList(
  from: FlowDocument,
  to: FlowDocument,
  diff: FlowDiff,
  liveByNode: Record<string, number>,
): { items: ChangeItem[]; movedOnly: Array<{ id: string; title: string }> } {
  const fromNodes = new Map(from.nodes.map((n) => [n.id, n]));
  const toNodes = new Map(to.nodes.map((n) => [n.id, n]));
  const live = (id: string) => (Object.hasOwn(liveByNode, id) ? (liveByNode[id] ?? 0) : 0);
  const items: ChangeItem[] = [];
  for (const node of diff.nodes.changed) {
    items.push({
      focus: node.id,
      key: `node:${node.id}`,
      kind: 'changed',
      what: 'node',
      title: nodeName(toNodes.get(node.id) ?? fromNodes.get(node.id), node.id),
      lines: node.changes.map(describeChange),
      texts: textChangesOf(node.changes),
      live: live(node.id),
    });
  }
  for (const node of diff.nodes.added) {
    items.push({
      focus: node.id,
      key: `node:${node.id}`,
      kind: 'added',
      what: 'node',
      title: nodeName(node, node.id),
      lines: [`New ${node.type}`],
      live: 0,
    });
  }
  for (const node of diff.nodes.removed) {
    items.push({
      focus: node.id,
      key: `node:${node.id}`,
      kind: 'removed',
      what: 'node',
      title: nodeName(node, node.id),
      lines: [`${node.type[0]?.toUpperCase()}${node.type.slice(1)} removed`],
      live: live(node.id),
    });
  }
  const edgeTitle = (source: string, target: string) =>
    `${nodeName(toNodes.get(source) ?? fromNodes.get(source), source)} → ${nodeName(
      toNodes.get(target) ?? fromNodes.get(target),
      target,
    )}`;
  for (const edge of diff.edges.added) {
    items.push({
      focus: edge.source,
      key: `edge:${edge.id}`,
      kind: 'added',
      what: 'edge',
      title: edgeTitle(edge.source, edge.target),
      lines: ['Connection added'],
      live: 0,
    });
  }
  for (const edge of diff.edges.removed) {
    items.push({
      focus: edge.source,
      key: `edge:${edge.id}`,
      kind: 'removed',
      what: 'edge',
      title: edgeTitle(edge.source, edge.target),
      lines: ['Connection removed'],
      live: 0,
    });
  }
  const toEdges = new Map(to.edges.map((e) => [e.id, e]));
  for (const edge of diff.edges.changed) {
    const e = toEdges.get(edge.id);
    items.push({
      focus: e?.source ?? null,
      key: `edge:${edge.id}`,
      kind: 'changed',
      what: 'edge',
      title: e ? edgeTitle(e.source, e.target) : edge.id,
      lines: edge.changes.map(describeChange),
      live: 0,
    });
  }
  for (const field of diff.fields.added) {
    items.push({
      focus: null,
      key: `field:${field.key}`,
      kind: 'added',
      what: 'field',
      title: field.label,
      lines: ['Field added'],
      live: 0,
    });
  }
  for (const field of diff.fields.removed) {
    items.push({
      focus: null,
      key: `field:${field.key}`,
      kind: 'removed',
      what: 'field',
      title: field.label,
      lines: ['Field removed'],
      live: 0,
    });
  }
  for (const field of diff.fields.changed) {
    items.push({
      focus: null,
      key: `field:${field.key}`,
      kind: 'changed',
      what: 'field',
      title: field.key,
      lines: field.changes.map(describeChange),
      live: 0,
    });
  }
  const noteCount = diff.notes.added.length + diff.notes.removed.length + diff.notes.changed.length;
  if (noteCount > 0) {
    items.push({
      focus: null,
      key: 'notes',
      kind: 'changed',
      what: 'note',
      title: 'Notes',
      lines: [
        ...(diff.notes.added.length > 0 ? [`${diff.notes.added.length} added`] : []),
        ...(diff.notes.removed.length > 0 ? [`${diff.notes.removed.length} removed`] : []),
        ...(diff.notes.changed.length > 0 ? [`${diff.notes.changed.length} changed`] : []),
      ],
      texts: textChangesOf(diff.notes.changed.flatMap((n) => n.changes)),
      live: 0,
    });
  }
  const changed = new Set(diff.nodes.changed.map((n) => n.id));
  const movedOnly = diff.nodes.moved
    .filter((m) => !changed.has(m.id))
    .map((m) => ({ id: m.id, title: nodeName(toNodes.get(m.id), m.id) }));
  return { items, movedOnly };
}

/** CSS marking nodes on one canvas (React Flow's node wrappers carry `data-id`), scoped by `scope`. */
export function markCss(scope: string, marks: Record<string, DiffMark>, selected: string | null): string {
  const rules: string[] = [];
  for (const [id, mark] of Object.entries(marks)) {
    rules.push(
      `.${scope} .react-flow__node[data-id="${cssString(id)}"] > * { outline: var(--diff-${mark}); outline-offset: 3px; }`,
    );
  }
  if (selected !== null) {
    rules.push(
      `.${scope} .react-flow__node[data-id="${cssString(selected)}"] > * { box-shadow: 0 0 0 7px rgb(67 56 202 / 28%); }`,
    );
  }
  return rules.join('\n');
}

function cssString(value: string): string {
  return value.replace(/[\\"\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `);
}
