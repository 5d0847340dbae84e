import { NODE_TYPES, type NodeType } from '@stepwise/flow';
import { actionView } from './action.ts';
import { decisionView } from './decision.ts';
import { endView } from './end.ts';
import type { WebNodeKind } from './kind.ts';
import { notifyView } from './notify.tsx';
import { startView } from './start.ts';
import { stepView } from './step.ts';
import { subflowView } from './subflow.ts';
import { waitView } from './wait.ts';

/** Every node kind's view, inspector, palette entry and colours. A kind without an entry does not compile. */
export const webNodeKinds = {
  start: startView,
  step: stepView,
  decision: decisionView,
  action: actionView,
  notify: notifyView,
  wait: waitView,
  subflow: subflowView,
  end: endView,
} satisfies { [K in NodeType]: WebNodeKind<K> };

/** The web entry of a kind, read through the node union. */
export function webKindOf<T extends NodeType>(type: T): WebNodeKind<T> {
  return webNodeKinds[type] as unknown as WebNodeKind<T>;
}

/**
 * The kinds' colours as CSS variables on the classes the canvas, the palette and the inspector give
 * a node of each kind (`fnode-<kind>`, `palette-<kind>`, `insp-kind-<kind>`); styles.css reads them.
 */
const KIND_CSS = NODE_TYPES.map((type) => {
  const { fg, bg, border } = webNodeKinds[type].colors;
  return `.fnode-${type}, .palette-${type}, .insp-kind-${type} { --kind-fg: ${fg}; --kind-bg: ${bg}; --kind-border: ${border}; }`;
}).join('\n');

/** Puts the kinds' colours in the page (once, however many times it renders: React hoists and dedupes it). */
export function KindStyles() {
  return (
    <style href="stepwise-node-kinds" precedence="default">
      {KIND_CSS}
    </style>
  );
}
