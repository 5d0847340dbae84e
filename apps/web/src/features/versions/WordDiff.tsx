import { useMemo } from 'react';
import type { TextChange } from './diffView.ts';
import { condense, wordDiff } from './wordDiff.ts';

/** A changed text word by word: removed words struck through, added ones underlined (not colour alone). */
export function WordDiff({ change }: { change: TextChange }) {
  const runs = useMemo(() => condense(wordDiff(change.from, change.to)), [change.from, change.to]);
  return (
    <figure className="word-diff">
      <figcaption>{change.label}, word by word</figcaption>
      <p>
        {/* Runs are positional and never reordered: their index is their identity. */}
        {runs.map((run, i) =>
          run.kind === 'added' ? (
            <ins key={i}>{run.text}</ins>
          ) : run.kind === 'removed' ? (
            <del key={i}>{run.text}</del>
          ) : (
            <span key={i}>{run.text}</span>
          ),
        )}
      </p>
    </figure>
  );
}
