import { type LayoutEdge, type LayoutNode, layoutGraph } from './layoutGraph.ts';

export type LayoutRequest = { id: number; nodes: LayoutNode[]; edges: LayoutEdge[] };
export type LayoutResponse =
  | { id: number; ok: true; positions: ReturnType<typeof layoutGraph> }
  | { id: number; ok: false; message: string };

/** What this module sees of the worker's global scope (the project's `lib` is DOM, not WebWorker). */
type WorkerScope = {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutResponse): void;
};
const scope = self as unknown as WorkerScope;

// dagre takes seconds on big flows (about 1.5 s for 1,000 nodes, 7 s for 2,000): it runs here, never on the main thread.
scope.onmessage = (event) => {
  const { id, nodes, edges } = event.data;
  let response: LayoutResponse;
  try {
    response = { id, ok: true, positions: layoutGraph(nodes, edges) };
  } catch (error) {
    response = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  scope.postMessage(response);
};
