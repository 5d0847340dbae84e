import { type FlowDocument, type FlowNode, namedTeamOf, outputsOf } from '@stepwise/flow';
import { GRID, type Point, snap, UNMEASURED } from './documentOps.ts';

/*
 * Where a node added "after" another goes, and what it inherits: the pure half of quick-add (the
 * picker at the end of a connection drag, Tab on a selected node, a palette click with a selection,
 * "Next → new …" in the inspector).
 */

type Size = { width: number; height: number };
type Rect = { x: number; y: number; width: number; height: number };

/** The horizontal gap between a node and the one appended after it (room for the output labels). */
export const APPEND_GAP_X = 96;
/** The vertical gap kept between nodes that would otherwise touch. */
export const APPEND_GAP_Y = 32;
/** The size assumed for the node being placed (it is not measured until it renders). */
export const NEW_NODE: Size = { width: 224, height: 128 };

function rectOf(node: FlowNode, measured: ReadonlyMap<string, Size>): Rect {
  const size = measured.get(node.id) ?? UNMEASURED;
  return { x: node.position.x, y: node.position.y, width: size.width, height: size.height };
}

function overlaps(a: Rect, b: Rect, margin: number): boolean {
  return (
    a.x < b.x + b.width + margin &&
    b.x < a.x + a.width + margin &&
    a.y < b.y + b.height + margin &&
    b.y < a.y + a.height + margin
  );
}

/**
 * The first grid position at or below `wanted` (then, failing that, further right) where a node of
 * `size` overlaps no node of the document, keeping `APPEND_GAP_Y / 2` clear around it. Notes are not
 * obstacles (they sit behind nodes).
 */
export function freeSpot(
  document: FlowDocument,
  measured: ReadonlyMap<string, Size>,
  wanted: Point,
  size: Size = NEW_NODE,
): Point {
  const rects = document.nodes.map((n) => rectOf(n, measured));
  const start = snap(wanted);
  const margin = APPEND_GAP_Y / 2;
  for (let column = 0; column < 20; column++) {
    let at = { x: start.x + column * (size.width + APPEND_GAP_X), y: start.y };
    for (let tries = 0; tries < 200; tries++) {
      const box = { ...at, ...size };
      const hit = rects.find((r) => overlaps(box, r, margin));
      if (!hit) return at;
      // Jump just below what was hit, on the grid.
      at = { x: at.x, y: Math.ceil((hit.y + hit.height + margin + 1) / GRID) * GRID };
    }
  }
  return start;
}

/**
 * Where a node appended after `source` from its output `handle` goes: one column to the right, level
 * with that output's row (the second outcome's node lands below the first's), moved down until it
 * overlaps nothing.
 */
export function placeAfter(
  document: FlowDocument,
  measured: ReadonlyMap<string, Size>,
  sourceId: string,
  handle: string | null,
): Point {
  const source = document.nodes.find((n) => n.id === sourceId);
  if (!source) return freeSpot(document, measured, { x: 0, y: 0 });
  const box = rectOf(source, measured);
  const outputs = outputsOf(source);
  const row = handle === null ? 0 : Math.max(0, outputs.indexOf(handle));
  const wanted = {
    x: box.x + box.width + APPEND_GAP_X,
    y: box.y + row * (NEW_NODE.height + APPEND_GAP_Y),
  };
  return freeSpot(document, measured, wanted);
}

/** The outputs of `node` no edge leaves from yet, in display order. */
export function freeOutputs(document: FlowDocument, node: FlowNode): string[] {
  const used = new Set(document.edges.filter((e) => e.source === node.id).map((e) => e.sourceHandle));
  return outputsOf(node).filter((h) => !used.has(h));
}

/**
 * The output an appended node connects to: the first free one that must be connected (an SLA-breach
 * output is optional and comes last), or null when every output is taken (the node is then placed
 * beside it, unconnected).
 */
export function appendHandle(document: FlowDocument, node: FlowNode): string | null {
  const free = freeOutputs(document, node);
  return free.find((h) => h !== 'sla_breach') ?? free[0] ?? null;
}

/** The team a step appended after `sourceId` starts with. */
export type InheritedTeam = { teamId: string } | { teamSource: 'current' } | null;

/**
 * The team the path into `sourceId` last gave the ticket: walking back from it (the node itself first,
 * then what leads into it, breadth first), the first step with a team or assign action names it; a step
 * set to "the ticket's current team" passes that on. Null when nothing upstream assigns a team.
 */
export function inheritedTeam(document: FlowDocument, sourceId: string): InheritedTeam {
  const byId = new Map(document.nodes.map((n) => [n.id, n]));
  const into = new Map<string, string[]>();
  for (const e of document.edges) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  const seen = new Set<string>([sourceId]);
  const queue = [sourceId];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const node = byId.get(id);
    if (node?.type === 'step') {
      if (node.data.teamSource === 'current') return { teamSource: 'current' };
      const team = namedTeamOf(node);
      if (team !== null) return { teamId: team };
    }
    if (node?.type === 'action') {
      for (let i = node.data.ops.length - 1; i >= 0; i--) {
        const op = node.data.ops[i];
        if (op?.op === 'assign') return { teamId: op.teamId };
      }
    }
    for (const from of into.get(id) ?? []) {
      if (seen.has(from)) continue;
      seen.add(from);
      queue.push(from);
    }
  }
  return null;
}
