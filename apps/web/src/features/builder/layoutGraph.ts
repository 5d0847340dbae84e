import { type EdgeLabel, Graph, type GraphLabel, layout, type NodeLabel } from '@dagrejs/dagre';

export type LayoutNode = { id: string; width: number; height: number };
export type LayoutEdge = { id: string; source: string; target: string };
export type Positions = Record<string, { x: number; y: number }>;

const GRID = 16;
const snapTo = (v: number) => Math.round(v / GRID) * GRID;

/**
 * Lays a flow out left to right with dagre (outputs are on the right of a node, inputs on the left) and
 * returns each node's top-left corner on the 16 px grid (dagre gives centres). Pure: the worker and the
 * no-worker fallback both call it.
 */
export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Positions {
  const graph = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 96, edgesep: 16, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const known = new Set<string>();
  for (const node of nodes) {
    known.add(node.id);
    graph.setNode(node.id, { width: node.width, height: node.height });
  }
  for (const edge of edges) {
    if (known.has(edge.source) && known.has(edge.target) && edge.source !== edge.target) {
      graph.setEdge(edge.source, edge.target, {}, edge.id);
    }
  }
  layout(graph);
  const positions: Positions = Object.create(null) as Positions;
  for (const node of nodes) {
    const laid = graph.node(node.id);
    if (!laid || typeof laid.x !== 'number' || typeof laid.y !== 'number') continue;
    positions[node.id] = { x: snapTo(laid.x - node.width / 2), y: snapTo(laid.y - node.height / 2) };
  }
  return positions;
}
