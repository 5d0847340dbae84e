import { lazy, Suspense } from 'react';
import { Loading } from '../ui/States.tsx';
import type { FlowCanvasProps } from './FlowCanvas.tsx';

// React Flow and the flow package's schema are the heaviest parts of the app: load them with the first canvas.
const FlowCanvas = lazy(() => import('./FlowCanvas.tsx').then((m) => ({ default: m.FlowCanvas })));

/** `FlowCanvas`, loaded on first use; keeps its height while loading so the page does not jump. */
export function LazyFlowCanvas(props: FlowCanvasProps) {
  return (
    <Suspense
      fallback={
        <div className="canvas canvas-loading" style={{ height: props.height ?? 520 }}>
          <Loading label="Loading canvas…" />
        </div>
      }
    >
      <FlowCanvas {...props} />
    </Suspense>
  );
}
