import type { FlowNode, NodeOf, NodeType } from '@stepwise/flow';
import { useCallback } from 'react';
import { useBuilder } from '../BuilderContext.ts';

/**
 * Edits the data of one node: `edit('title', (data) => ({ ...data, title }))`. The first argument names
 * the field typed into, so a burst of typing in one field is one undo step; `null` for a discrete change
 * (a click: add, remove, move, toggle), which is always a step of its own.
 */
export function useNodeEdit<T extends NodeType>(node: NodeOf<T>) {
  const builder = useBuilder();
  const { id, type } = node;
  return useCallback(
    (field: string | null, recipe: (data: NodeOf<T>['data']) => NodeOf<T>['data']) => {
      builder.updateNode(
        id,
        (current) =>
          current.type === type
            ? ({ ...current, data: recipe(current.data as NodeOf<T>['data']) } as FlowNode)
            : current,
        field === null ? undefined : `${id}:${field}`,
      );
    },
    [builder, id, type],
  );
}
