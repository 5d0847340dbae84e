import { type FlowDocument, validate } from '@stepwise/flow';
import { useDeferredValue, useMemo, useRef } from 'react';
import type { NodeIssue } from '../../canvas/types.ts';
import { type BuilderIssue, teamIssues } from './teamIssues.ts';
import type { TeamRef } from './templates.ts';

export type Validation = {
  issues: readonly BuilderIssue[];
  errors: number;
  warnings: number;
  /** Per node, the same array object as long as the node's problems do not change (no needless re-render). */
  byNode: ReadonlyMap<string, readonly NodeIssue[]>;
  /** Edges some issue names. */
  edgeIds: ReadonlySet<string>;
};

function sameIssues(a: readonly NodeIssue[], b: readonly NodeIssue[]): boolean {
  return (
    a.length === b.length && a.every((x, i) => x.severity === b[i]?.severity && x.message === b[i]?.message)
  );
}

/** Groups issues by node, reusing the previous arrays of nodes whose problems did not change. */
export function issuesByNode(
  issues: readonly BuilderIssue[],
  previous: ReadonlyMap<string, readonly NodeIssue[]>,
): Map<string, readonly NodeIssue[]> {
  const grouped = new Map<string, NodeIssue[]>();
  for (const issue of issues) {
    for (const id of issue.nodeIds) {
      let list = grouped.get(id);
      if (!list) {
        list = [];
        grouped.set(id, list);
      }
      list.push({ severity: issue.severity, message: issue.message });
    }
  }
  const stable = new Map<string, readonly NodeIssue[]>();
  for (const [id, list] of grouped) {
    const old = previous.get(id);
    stable.set(id, old && sameIssues(old, list) ? old : list);
  }
  return stable;
}

export function summarize(
  issues: readonly BuilderIssue[],
  previous: ReadonlyMap<string, readonly NodeIssue[]>,
): Validation {
  let errors = 0;
  const edgeIds = new Set<string>();
  for (const issue of issues) {
    if (issue.severity === 'error') errors++;
    for (const id of issue.edgeIds) edgeIds.add(id);
  }
  return {
    issues,
    errors,
    warnings: issues.length - errors,
    byNode: issuesByNode(issues, previous),
    edgeIds,
  };
}

/**
 * Live validation of the document with the same `validate` the publish procedure runs (plus the teams
 * check only the builder can make, once the teams are known). It follows a
 * deferred copy of the document, so a burst of typing never waits for it; pass `usePlanDocument()` so
 * that moving nodes does not run it at all.
 */
export function useValidation(document: FlowDocument, teams?: readonly TeamRef[]): Validation {
  const deferred = useDeferredValue(document);
  const previous = useRef<ReadonlyMap<string, readonly NodeIssue[]>>(new Map());
  return useMemo(() => {
    const result = summarize([...validate(deferred), ...teamIssues(deferred, teams)], previous.current);
    previous.current = result.byNode;
    return result;
  }, [deferred, teams]);
}
