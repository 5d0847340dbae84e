import { type FlowDocument, TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { emptyDocument } from './documentOps.ts';
import { describeStatus, DraftSaver, type SaveInput, type SaveResult } from './DraftSaver.ts';

const META = { name: 'Refund', description: '' };

/** Timers the test fires by hand, and an API whose answers the test releases one at a time. */
function harness(revision = 3) {
  const timers: Array<{ fn: () => void; ms: number; active: boolean }> = [];
  const calls: SaveInput[] = [];
  const answers: Array<(result: SaveResult) => void> = [];
  const saver = new DraftSaver({
    revision,
    document: emptyDocument(),
    meta: META,
    save: (input) => {
      calls.push(input);
      return new Promise<SaveResult>((resolve) => answers.push(resolve));
    },
    timers: {
      set: (fn, ms) => {
        const timer = { fn, ms, active: true };
        timers.push(timer);
        return timer;
      },
      clear: (handle) => {
        (handle as { active: boolean }).active = false;
      },
    },
  });
  const fire = () => {
    const due = timers.filter((t) => t.active);
    for (const t of due) {
      t.active = false;
      t.fn();
    }
    return due.length;
  };
  const answer = async (result: SaveResult) => {
    const next = answers.shift();
    if (!next) throw new Error('no request is waiting');
    next(result);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { saver, calls, fire, answer, timers };
}

const doc = (n: number): FlowDocument => ({
  ...(TEMPLATES[0]?.document ?? emptyDocument()),
  notes: [{ id: `n${n}`, position: { x: 0, y: 0 }, text: String(n) }],
});

describe('DraftSaver', () => {
  it('given changes in a burst, when the quiet second passes, then one save is sent with the revision and the latest document', async () => {
    const { saver, calls, fire, answer } = harness();
    saver.changed(doc(1), META);
    saver.changed(doc(2), META);
    expect(saver.getStatus().kind).toBe('dirty');
    expect(calls).toHaveLength(0);
    expect(fire()).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.revision).toBe(3);
    expect(calls[0]?.document).toEqual(doc(2));
    expect(calls[0]?.name).toBeUndefined();
    expect(saver.getStatus().kind).toBe('saving');
    await answer({ ok: true, revision: 4 });
    expect(saver.getStatus()).toEqual({ kind: 'saved', revision: 4 });
    expect(describeStatus(saver.getStatus())).toBe('Saved · revision 4');
  });

  it('given a change during a save, when the save answers, then the next save uses the new revision', async () => {
    const { saver, calls, fire, answer } = harness();
    saver.changed(doc(1), META);
    fire();
    saver.changed(doc(2), META);
    fire();
    expect(calls).toHaveLength(1);
    // The quiet time passed while the first save was out: the second goes as soon as it answers.
    await answer({ ok: true, revision: 4 });
    expect(calls).toHaveLength(2);
    expect(calls[1]?.revision).toBe(4);
    expect(calls[1]?.document).toEqual(doc(2));
    await answer({ ok: true, revision: 5 });
    expect(saver.getStatus()).toEqual({ kind: 'saved', revision: 5 });
  });

  it('given another manager saved first, when the save answers CONFLICT, then the saver stops, never retries and reports who', async () => {
    const { saver, calls, fire, answer } = harness();
    saver.changed(doc(1), META);
    fire();
    const conflict = { currentRevision: 9, updatedBy: 'Maya Manager', updatedAt: '2025-01-01T14:02:00.000Z' };
    await answer({ ok: false, kind: 'conflict', conflict });
    expect(saver.getStatus()).toEqual({ kind: 'conflict', revision: 3, conflict });
    saver.changed(doc(2), META);
    expect(fire()).toBe(0);
    expect(await saver.flush()).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('given a reload after a conflict, when reset, then saving resumes from the new revision', async () => {
    const { saver, calls, fire, answer } = harness();
    saver.changed(doc(1), META);
    fire();
    await answer({
      ok: false,
      kind: 'conflict',
      conflict: { currentRevision: 9, updatedBy: null, updatedAt: 'x' },
    });
    saver.reset(9, doc(5), META);
    expect(saver.getStatus()).toEqual({ kind: 'saved', revision: 9 });
    saver.changed(doc(6), META);
    fire();
    expect(calls[1]?.revision).toBe(9);
  });

  it('given no answer from the server, when the save fails, then it is retried later', async () => {
    const { saver, calls, fire, answer, timers } = harness();
    saver.changed(doc(1), META);
    fire();
    await answer({ ok: false, kind: 'network', message: 'offline' });
    expect(saver.getStatus()).toMatchObject({ kind: 'error', retrying: true });
    expect(timers.at(-1)?.ms).toBe(3000);
    fire();
    expect(calls).toHaveLength(2);
    await answer({ ok: true, revision: 4 });
    expect(saver.getStatus().kind).toBe('saved');
  });

  it('given a refused save, when flushed again without a change, then the same content is not sent again', async () => {
    const { saver, calls, fire, answer } = harness();
    saver.changed(doc(1), { name: 'Taken', description: '' });
    fire();
    expect(calls[0]?.name).toBe('Taken');
    await answer({ ok: false, kind: 'refused', message: 'A flow named "Taken" already exists.' });
    expect(await saver.flush()).toBe(false);
    expect(calls).toHaveLength(1);
    expect(describeStatus(saver.getStatus())).toBe('Not saved: A flow named "Taken" already exists.');
  });

  it('given unsaved changes, when flushed (leaving, publishing), then it saves at once and resolves true', async () => {
    const { saver, calls, answer } = harness();
    saver.changed(doc(1), META);
    expect(saver.dirty).toBe(true);
    const flushed = saver.flush();
    expect(calls).toHaveLength(1);
    await answer({ ok: true, revision: 4 });
    expect(await flushed).toBe(true);
    expect(saver.dirty).toBe(false);
    expect(saver.currentRevision).toBe(4);
  });

  it('given a change undone back to the saved document, when checked, then nothing is left to save', () => {
    const { saver, fire } = harness();
    const saved = saver.getStatus();
    saver.changed(doc(1), META);
    saver.changed(emptyDocument(), META);
    // A different object with the same content still counts as a change: only the saved object is "saved".
    expect(saver.getStatus().kind).toBe('dirty');
    expect(saved.kind).toBe('saved');
    expect(fire()).toBe(1);
  });
});
