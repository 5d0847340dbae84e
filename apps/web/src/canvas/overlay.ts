import { createContext, useContext } from 'react';

/** A figure laid over one node of the canvas: how strong (0–1, for the colour scale) and what it reads. */
export type NodeHeatMark = { level: number; text: string; label: string };

/** A figure laid over one edge: the share of what left its source that took it (0–1), and its words. */
export type EdgeTraffic = { share: number; text: string };

/** An analytics overlay on a read-only canvas (the heatmap). */
export type CanvasOverlay = {
  nodes: ReadonlyMap<string, NodeHeatMark>;
  edges: ReadonlyMap<string, EdgeTraffic>;
  /** The node whose details are open. */
  selected?: string | null;
  onNodeClick?: (nodeId: string) => void;
};

export const OverlayContext = createContext<CanvasOverlay | null>(null);

export function useOverlay(): CanvasOverlay | null {
  return useContext(OverlayContext);
}

const SCALE: ReadonlyArray<readonly [number, number, number]> = [
  [255, 247, 214],
  [251, 191, 36],
  [234, 88, 12],
  [153, 27, 27],
];

/** The colour of a level on the scale (pale yellow → amber → orange → dark red). */
export function heatColour(level: number): string {
  const x = Math.min(1, Math.max(0, level)) * (SCALE.length - 1);
  const i = Math.min(SCALE.length - 2, Math.floor(x));
  const t = x - i;
  const a = SCALE[i] ?? [0, 0, 0];
  const b = SCALE[i + 1] ?? a;
  const c = a.map((v, k) => Math.round(v + ((b[k] ?? v) - v) * t));
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

/** Text on a heat colour stays readable: dark on the pale half of the scale, white on the dark half. */
export function heatInk(level: number): string {
  return level > 0.55 ? '#ffffff' : '#17191c';
}

/** The CSS gradient of the whole scale, for legends. */
export const HEAT_GRADIENT = `linear-gradient(90deg, ${[0, 1 / 3, 2 / 3, 1].map(heatColour).join(', ')})`;
