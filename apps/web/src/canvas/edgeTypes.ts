import type { EdgeTypes } from '@xyflow/react';
import { OutputEdge } from './edges/OutputEdge.tsx';

/** Defined once at module level: React Flow warns when this object changes between renders. */
export const edgeTypes = { output: OutputEdge } satisfies EdgeTypes;
