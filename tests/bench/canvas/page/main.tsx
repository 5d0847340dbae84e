import type { FlowDocument } from '@stepwise/flow';
import { type NodeProps, type NodeTypes, ReactFlowProvider } from '@xyflow/react';
import { type ComponentType, memo, type MouseEvent, useCallback, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { editorNodeTypes } from '../../../../apps/web/src/canvas/editorNodeTypes.ts';
import type { CanvasNames } from '../../../../apps/web/src/canvas/types.ts';
import { BuilderCanvas } from '../../../../apps/web/src/features/builder/BuilderCanvas.tsx';
import { BuilderContext, usePlanDocument } from '../../../../apps/web/src/features/builder/BuilderContext.ts';
import { Builder } from '../../../../apps/web/src/features/builder/store.ts';
import { useValidation } from '../../../../apps/web/src/features/builder/useValidation.ts';
import '../../../../apps/web/src/styles.css';

/**
 * The canvas benchmark's page (production build): `?mode=flow` renders a stored document in the
 * builder's canvas (the real store, validation and node views), `?mode=divs` the same nodes as plain
 * absolutely positioned divs. It reports, on `window.bench`, when it is ready (every rendered node
 * measured), the frame times between `startFrames` and `stopFrames`, and how often each node rendered.
 */

type Bench = {
  mode: string;
  nodes: number;
  readyAt: number | null;
  renders: Record<string, number>;
  resetRenders(): void;
  startFrames(): void;
  stopFrames(): number[];
  /** A node in view to drag: its id and its centre on the screen. */
  dragTarget(): { id: string; x: number; y: number } | null;
};

declare global {
  interface Window {
    bench: Bench;
  }
}

const params = new URLSearchParams(window.location.search);
const mode = params.get('mode') === 'divs' ? 'divs' : 'flow';
const size = Number(params.get('n') ?? '500');

let renders: Record<string, number> = Object.create(null) as Record<string, number>;
const counted = (id: string) => {
  renders[id] = (renders[id] ?? 0) + 1;
};
let frames: number[] | null = null;
let last = 0;
const onFrame = (t: number) => {
  if (frames) {
    frames.push(t - last);
    last = t;
    requestAnimationFrame(onFrame);
  }
};

window.bench = {
  mode,
  nodes: size,
  readyAt: null,
  get renders() {
    return renders;
  },
  resetRenders() {
    renders = Object.create(null) as Record<string, number>;
  },
  startFrames() {
    frames = [];
    last = performance.now();
    requestAnimationFrame(onFrame);
  },
  stopFrames() {
    const out = frames ?? [];
    frames = null;
    return out;
  },
  dragTarget() {
    const selector = mode === 'flow' ? '.react-flow__node' : '.bench-div';
    const w = window.innerWidth;
    const h = window.innerHeight;
    let best: { id: string; x: number; y: number; d: number } | null = null;
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + Math.min(r.height / 2, 20);
      if (x < 0 || y < 0 || x > w || y > h) continue;
      const d = Math.hypot(x - w / 2, y - h / 2);
      if (!best || d < best.d) best = { id: el.dataset.id ?? '', x, y, d };
    }
    return best && { id: best.id, x: best.x, y: best.y };
  },
};

/** A builder node view behind a render counter (React Flow renders it whenever it renders the node). */
function CountingNode(props: NodeProps) {
  counted(props.id);
  const View = editorNodeTypes[
    props.type as keyof typeof editorNodeTypes
  ] as unknown as ComponentType<NodeProps>;
  return <View {...props} />;
}

/** The builder's node types, each counted. */
const countingNodeTypes: NodeTypes = Object.fromEntries(
  Object.keys(editorNodeTypes).map((type) => [type, CountingNode]),
);

const NAMES: CanvasNames = { teams: new Map(), flows: new Map(), fields: [] };

/** The builder's canvas as the builder renders it: live validation of the document around it. */
function Canvas() {
  const validation = useValidation(usePlanDocument());
  return (
    <BuilderCanvas
      label="Benchmark flow"
      names={NAMES}
      validation={validation}
      nodeTypes={countingNodeTypes}
    />
  );
}

function FlowSubject({ builder }: { builder: Builder }) {
  return (
    <BuilderContext.Provider value={builder}>
      <Canvas />
    </BuilderContext.Provider>
  );
}

/** The baseline: one plain div per node, draggable, memoised so only the dragged one re-renders. */
const Box = memo(function Box({
  id,
  title,
  x,
  y,
  onDown,
}: {
  id: string;
  title: string;
  x: number;
  y: number;
  onDown: (id: string, e: MouseEvent) => void;
}) {
  counted(id);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a benchmark fixture, not a control
    <div
      className="bench-div fnode"
      data-id={id}
      style={{ position: 'absolute', transform: `translate(${x}px, ${y}px)`, padding: 8 }}
      onMouseDown={(e) => onDown(id, e)}
    >
      <div className="fnode-title">{title}</div>
    </div>
  );
});

function Divs({ document }: { document: FlowDocument }) {
  const [positions, setPositions] = useState(() => new Map(document.nodes.map((n) => [n.id, n.position])));
  const [drag, setDrag] = useState<{ id: string; dx: number; dy: number } | null>(null);
  const latest = useRef(positions);
  latest.current = positions;
  const onDown = useCallback((id: string, e: MouseEvent) => {
    const p = latest.current.get(id);
    if (p) setDrag({ id, dx: e.clientX - p.x, dy: e.clientY - p.y });
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a benchmark fixture, not a control
    <div
      style={{ position: 'relative', width: '100%', height: '100%', overflow: 'hidden' }}
      onMouseMove={(e) => {
        if (!drag) return;
        const next = new Map(positions);
        next.set(drag.id, { x: e.clientX - drag.dx, y: e.clientY - drag.dy });
        setPositions(next);
      }}
      onMouseUp={() => setDrag(null)}
    >
      {document.nodes.map((n) => {
        const p = positions.get(n.id) ?? n.position;
        return (
          <Box
            key={n.id}
            id={n.id}
            title={n.type === 'step' ? n.data.title : n.data.label}
            x={p.x}
            y={p.y}
            onDown={onDown}
          />
        );
      })}
    </div>
  );
}

/**
 * Ready: every node the canvas rendered has been measured by React Flow (the builder's store holds the
 * sizes), or every div is in the document, and nothing changed for two frames. The check reads no
 * layout, so it does not slow down what it measures.
 */
function watchReady(builder: Builder | null) {
  let stable = 0;
  let count = -1;
  const check = () => {
    const selector = mode === 'flow' ? '.react-flow__node' : '.bench-div';
    const nodes = document.querySelectorAll<HTMLElement>(selector);
    let ready = nodes.length > 0;
    if (ready && builder) {
      const measured = builder.store.getState().measured;
      for (const el of nodes) {
        if (!measured.has(el.dataset.id ?? '')) {
          ready = false;
          break;
        }
      }
    }
    if (ready && nodes.length === count) stable++;
    else stable = 0;
    count = nodes.length;
    if (stable >= 2) {
      window.bench.readyAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

async function main() {
  performance.mark('bench:script');
  const response = await fetch(`./doc-${size}.json`);
  const document = (await response.json()) as FlowDocument;
  performance.mark('bench:document');
  const root = window.document.getElementById('root');
  if (!root) throw new Error('no #root');
  const builder = mode === 'flow' ? new Builder(document) : null;
  watchReady(builder);
  createRoot(root).render(
    builder ? (
      <ReactFlowProvider>
        <div style={{ height: '100vh', display: 'flex' }}>
          <FlowSubject builder={builder} />
        </div>
      </ReactFlowProvider>
    ) : (
      <Divs document={document} />
    ),
  );
}

void main();
