import type { FlowNode } from '@stepwise/flow';
import { getViewportForBounds } from '@xyflow/react';
import type { Point } from './documentOps.ts';

/**
 * Above this many nodes the canvas renders only what is in view, and a flow opens on its Start (React Flow
 * drags about 500 nodes at 60 fps; beyond a few hundred, rendering everything stalls).
 */
export const VISIBLE_ONLY_ABOVE = 300;
/** How the canvas fits a flow: some room around it, never zoomed in past 1.1. */
export const FIT_OPTIONS = { padding: 0.15, maxZoom: 1.1 };
/** The zoom a flow opens at when fitting it whole would make its text unreadable, centred on its Start. */
const OPENING_ZOOM = 0.75;
/** Below this zoom node text is too small to read: the flow opens on its Start instead of fitting. */
const READABLE_ZOOM = 0.6;
/** A node's size before React Flow has measured it (for the opening view only). */
const NOMINAL_NODE = { width: 240, height: 150 };

export type Opening = { kind: 'fit' } | { kind: 'start'; at: Point } | { kind: 'empty' };

/**
 * Where the view starts: the whole flow when it fits at a readable zoom (≥ 0.6); otherwise its Start at
 * the left edge at zoom 0.75 (the fit-view button and the minimap are one click away); an empty canvas
 * keeps zoom 1. A flow bigger than `VISIBLE_ONLY_ABOVE` nodes always opens on its Start.
 */
export function openingView(
  document: { nodes: readonly FlowNode[]; notes: readonly unknown[] },
  size: { width: number; height: number },
): Opening {
  if (document.nodes.length === 0) return document.notes.length > 0 ? { kind: 'fit' } : { kind: 'empty' };
  const start = document.nodes.find((n) => n.type === 'start') ?? document.nodes[0];
  if (!start) return { kind: 'fit' };
  if (document.nodes.length > VISIBLE_ONLY_ABOVE) return { kind: 'start', at: start.position };
  const xs = document.nodes.map((n) => n.position.x);
  const ys = document.nodes.map((n) => n.position.y);
  const bounds = {
    x: Math.min(...xs),
    y: Math.min(...ys),
    width: Math.max(...xs) - Math.min(...xs) + NOMINAL_NODE.width,
    height: Math.max(...ys) - Math.min(...ys) + NOMINAL_NODE.height,
  };
  const fit = getViewportForBounds(
    bounds,
    size.width,
    size.height,
    0.1,
    FIT_OPTIONS.maxZoom,
    FIT_OPTIONS.padding,
  );
  return fit.zoom >= READABLE_ZOOM ? { kind: 'fit' } : { kind: 'start', at: start.position };
}

export function startViewport(at: Point, size: { width: number; height: number }) {
  return { x: 64 - at.x * OPENING_ZOOM, y: size.height / 2 - (at.y + 60) * OPENING_ZOOM, zoom: OPENING_ZOOM };
}
