import type { LayoutRequest, LayoutResponse } from './layout.worker.ts';
import type { LayoutEdge, LayoutNode, Positions } from './layoutGraph.ts';

export type { LayoutEdge, LayoutNode, Positions };

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (p: Positions) => void; reject: (e: Error) => void }>();

function layoutWorker(): Worker {
  if (worker) return worker;
  const created = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  created.onmessage = (event: MessageEvent<LayoutResponse>) => {
    const request = pending.get(event.data.id);
    if (!request) return;
    pending.delete(event.data.id);
    if (event.data.ok) request.resolve(event.data.positions);
    else request.reject(new Error(event.data.message));
  };
  created.onerror = (event) => {
    event.preventDefault();
    const error = new Error(event.message || 'The layout worker failed.');
    for (const request of pending.values()) request.reject(error);
    pending.clear();
    created.terminate();
    worker = null;
  };
  worker = created;
  return created;
}

/**
 * Computes an automatic layout (dagre, left to right) of the given nodes and edges in a Web Worker, so
 * the page stays responsive on big flows; resolves to each node's top-left position. Where workers do
 * not exist (tests), it runs in the caller's thread. Behind this signature another engine (elkjs) could
 * replace dagre.
 */
export function layout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Promise<Positions> {
  if (typeof Worker === 'undefined') {
    return import('./layoutGraph.ts').then((m) => m.layoutGraph(nodes, edges));
  }
  const id = nextId++;
  const request: LayoutRequest = { id, nodes: [...nodes], edges: [...edges] };
  return new Promise<Positions>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    layoutWorker().postMessage(request);
  });
}
