import { nameOf } from './describeNode.ts';
import { NODE_TYPES, nodeKinds } from './nodes/registry.ts';
import type { FlowDocument, FlowNode } from './schema.ts';

/** Why a node was mapped where it was: same id (and type), else same type and title, else not at all. */
export type MappingReason = 'same-id' | 'same-title' | 'none';

/** A proposed node mapping from one flow version to another, for migrating live tickets. */
export type ProposedMapping = {
  /** For every waiting node (step, wait, subflow) of the older version: its counterpart, or null. */
  mapping: Record<string, string | null>;
  reasons: Record<string, MappingReason>;
};

/** Node types a ticket can sit at: the only ones a live ticket needs a counterpart for. */
export const WAITING_TYPES: ReadonlySet<FlowNode['type']> = new Set(
  NODE_TYPES.filter((type) => nodeKinds[type].waitsAs !== undefined),
);

function titleOf(node: FlowNode): string {
  return nameOf(node).trim().replace(/\s+/g, ' ').toLowerCase();
}

function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Proposes where the tickets waiting at each node of `from` should land in `to`: the node with the
 * same id and the same type first (ids are stable across versions); else the only node of the same
 * type with the same title or label (trimmed, case and spacing ignored) — a node deleted and drawn
 * again; else null (the manager picks one, or those tickets stay on their version).
 * Pure; the manager edits the proposal before `planMigration` uses it.
 */
export function proposeMapping(from: FlowDocument, to: FlowDocument): ProposedMapping {
  const targets = new Map<string, FlowNode>();
  const byTitle = new Map<string, string[]>();
  for (const node of to.nodes) {
    if (targets.has(node.id)) continue;
    targets.set(node.id, node);
    if (!WAITING_TYPES.has(node.type)) continue;
    const title = titleOf(node);
    if (title === '') continue;
    const key = `${node.type}\u0000${title}`;
    const ids = byTitle.get(key);
    if (ids) ids.push(node.id);
    else byTitle.set(key, [node.id]);
  }
  const mapping: Record<string, string | null> = {};
  const reasons: Record<string, MappingReason> = {};
  for (const node of from.nodes) {
    if (!WAITING_TYPES.has(node.type) || Object.hasOwn(mapping, node.id)) continue;
    const same = targets.get(node.id);
    if (same !== undefined && same.type === node.type) {
      setOwn(mapping, node.id, node.id);
      setOwn(reasons, node.id, 'same-id');
      continue;
    }
    const title = titleOf(node);
    const candidates = title === '' ? undefined : byTitle.get(`${node.type}\u0000${title}`);
    if (candidates?.length === 1) {
      setOwn(mapping, node.id, candidates[0]!);
      setOwn(reasons, node.id, 'same-title');
    } else {
      setOwn(mapping, node.id, null);
      setOwn(reasons, node.id, 'none');
    }
  }
  return { mapping, reasons };
}
