import { diffDocuments, type FlowDiff, type FlowDocument } from '@stepwise/flow';
import { nodeName } from './diffView.ts';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The unpublished changes of a diff (latest version → draft), each in a few words, named where it helps. */
export function draftChanges(diff: FlowDiff, draft: FlowDocument): string[] {
  const inDraft = new Map(draft.nodes.map((n) => [n.id, n]));
  const items: string[] = [];
  for (const node of diff.nodes.added) items.push(`${nodeName(node, node.id)} added`);
  for (const node of diff.nodes.removed) items.push(`${nodeName(node, node.id)} removed`);
  // A changed node is named as it reads in the draft (the side that would be lost).
  for (const node of diff.nodes.changed) items.push(`${nodeName(inDraft.get(node.id), node.id)} changed`);
  for (const field of diff.fields.added) items.push(`field ${field.label || field.key} added`);
  for (const field of diff.fields.removed) items.push(`field ${field.label || field.key} removed`);
  for (const field of diff.fields.changed) items.push(`field ${field.key} changed`);
  const edges = diff.edges;
  if (edges.added.length > 0) items.push(`${count(edges.added.length, 'edge', 'edges')} added`);
  if (edges.removed.length > 0) items.push(`${count(edges.removed.length, 'edge', 'edges')} removed`);
  if (edges.changed.length > 0) items.push(`${count(edges.changed.length, 'edge', 'edges')} changed`);
  const notes = diff.notes.added.length + diff.notes.removed.length + diff.notes.changed.length;
  if (notes > 0) items.push(`${count(notes, 'note', 'notes')} edited`);
  const moved = diff.nodes.moved.length + diff.notes.moved.length;
  if (moved > 0) items.push(`${count(moved, 'item', 'items')} moved on the canvas`);
  return items;
}

/** How many changes `draftChanges` stands for (grouped edges and moves count one by one). */
function changeCount(diff: FlowDiff): number {
  return (
    diff.nodes.added.length +
    diff.nodes.removed.length +
    diff.nodes.changed.length +
    diff.fields.added.length +
    diff.fields.removed.length +
    diff.fields.changed.length +
    diff.edges.added.length +
    diff.edges.removed.length +
    diff.edges.changed.length +
    diff.notes.added.length +
    diff.notes.removed.length +
    diff.notes.changed.length +
    diff.nodes.moved.length +
    diff.notes.moved.length
  );
}

/**
 * What restoring version `restoring` into the draft would throw away, as a sentence — or null when
 * nothing would be lost: the draft is the latest published version as is, or already the restored one.
 *
 * `Your draft has 3 unpublished changes that restoring v2 will discard: Verify identity added, Refund
 * approved changed, 1 edge removed.` A flow never published has nothing to compare with: all of its
 * draft is unpublished.
 */
export function restoreLossSentence(input: {
  draft: FlowDocument;
  latest: { number: number; document: FlowDocument } | null;
  restoring: { number: number; document: FlowDocument };
}): string | null {
  const { draft, latest, restoring } = input;
  if (diffDocuments(restoring.document, draft).isEmpty) return null;
  if (latest === null) {
    return `Your draft has never been published: restoring v${restoring.number} will replace all of it.`;
  }
  const diff = diffDocuments(latest.document, draft);
  if (diff.isEmpty) return null;
  const n = changeCount(diff);
  return `Your draft has ${count(n, 'unpublished change', 'unpublished changes')} that restoring v${restoring.number} will discard: ${draftChanges(diff, draft).join(', ')}.`;
}
