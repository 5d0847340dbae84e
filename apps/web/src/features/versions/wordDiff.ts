import { diffWordsWithSpace } from 'diff';

/** A text's difference word by word: runs of kept, removed and added text, in reading order. */
export type WordRun = { kind: 'same' | 'removed' | 'added'; text: string };

export function wordDiff(from: string, to: string): WordRun[] {
  return diffWordsWithSpace(from, to).map((part) => ({
    kind: part.added ? 'added' : part.removed ? 'removed' : 'same',
    text: part.value,
  }));
}

/**
 * The runs with long unchanged stretches shortened to `context` words on the side of each change (an
 * ellipsis stands for the rest), so a one-word edit in long instructions is seen without scrolling.
 */
export function condense(runs: readonly WordRun[], context = 8): WordRun[] {
  const out: WordRun[] = [];
  runs.forEach((run, i) => {
    if (run.kind !== 'same') {
      out.push(run);
      return;
    }
    // Words with the spaces before them, so joining a slice gives back that stretch of the text exactly.
    const words = run.text.match(/\s*\S+/g) ?? [];
    const trailing = /\s*$/.exec(run.text)?.[0] ?? '';
    const before = i > 0;
    const after = i < runs.length - 1;
    const keep = (before ? context : 0) + (after ? context : 0);
    if (words.length <= keep + 1) {
      out.push(run);
      return;
    }
    const head = before ? `${words.slice(0, context).join('')} ` : '';
    const tail = after ? `${words.slice(words.length - context).join('')}${trailing}` : '';
    out.push({ kind: 'same', text: `${head}…${tail}` });
  });
  return out;
}
