import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlowDocument } from '../parseFlowDocument.ts';
import type { FlowDocument } from '../schema.ts';
import { parseStoredEvent } from '../storedEvent.ts';
import { backtest, backtestTicket, mergeBacktest, type PastTicket, pastTicketOf } from './backtest.ts';

/** The replay corpus: real tickets' events as the runtime stored them, with their versions' documents. */
type History = {
  name: string;
  versionId: string | null;
  documents: Record<string, unknown>;
  events: Array<{ seq: number; createdAt: string; data: unknown }>;
};

const HISTORIES = new URL('../../fixtures/histories/', import.meta.url);
const histories: History[] = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(new URL(file, HISTORIES), 'utf8')) as History);

function history(name: string): History {
  const found = histories.find((h) => h.name === name || `${h.name}.json` === name);
  if (!found) throw new Error(`no history ${name}`);
  return found;
}

function documentOf(h: History, versionId = h.versionId ?? ''): FlowDocument {
  const parsed = parseFlowDocument(h.documents[versionId]);
  if (!parsed.ok) throw new Error(`${h.name}: ${versionId} does not parse`);
  return parsed.document;
}

function pastOf(h: History, id = h.name): PastTicket {
  const events = h.events.map((e) => {
    const parsed = parseStoredEvent(e.data);
    if (!parsed.ok) throw new Error(`${h.name} seq ${e.seq}: ${parsed.error.message}`);
    return { createdAt: e.createdAt, data: parsed.event };
  });
  const past = pastTicketOf(id, events);
  if (!past) throw new Error(`${h.name} has no run`);
  return past;
}

/** The document with `change` applied to a deep copy. */
function edited(document: FlowDocument, change: (d: FlowDocument) => void): FlowDocument {
  const copy = structuredClone(document);
  change(copy);
  return copy;
}

const ESCALATION = 'decision-branch-duration-wait';
const LOOP = 'step-loop-to-end';

describe('backtest', () => {
  it('given every recorded ticket that stayed on one version, when its own version is backtested, then it walks the same path to the same end', () => {
    const unmigrated = histories.filter(
      (h) => !h.events.some((e) => JSON.stringify(e.data).includes('"migrate"')),
    );
    expect(unmigrated.length).toBeGreaterThanOrEqual(6);
    for (const h of unmigrated) {
      const past = pastOf(h);
      const run = backtestTicket(documentOf(h), past);
      expect({ name: h.name, path: run.path }).toEqual({ name: h.name, path: past.path });
      expect({ name: h.name, outcome: run.outcome }).toEqual({
        name: h.name,
        outcome: { kind: 'ended', status: past.endStatus },
      });
    }
  });

  it('given a decision whose condition the draft changes, when backtested, then the ticket parts right after that decision and ends elsewhere', () => {
    const h = history(ESCALATION);
    const past = pastOf(h);
    // The recorded ticket is a VIP: it was tagged, cooled off (a duration wait) and closed.
    expect(past.path).toEqual(['start', 'vip', 'tag', 'cool', 'vip_end']);
    const draft = edited(documentOf(h), (d) => {
      const vip = d.nodes.find((n) => n.id === 'vip');
      if (vip?.type !== 'decision') throw new Error('no decision');
      const rule = vip.data.branches[0]?.condition.rules[0];
      if (rule?.kind !== 'comparison') throw new Error('no comparison');
      rule.value = 'existing';
    });
    const summary = backtest(draft, [past]);
    expect(summary).toMatchObject({
      tickets: 1,
      differentPath: 1,
      divergedAfter: { vip: 1 },
      // The draft sends it to Triage, an agent step whose outcome this ticket never recorded.
      waiting: 1,
      waitingAt: { triage: 1 },
      endings: { 'resolved→waiting': 1 },
      endsDifferently: 0,
    });
    expect(summary.before).toMatchObject({ tag: 1, cool: 1, vip_end: 1 });
    expect(summary.after).toEqual({ start: 1, vip: 1, triage: 1 });
    expect(summary.samples).toEqual([
      { ticketId: h.name, divergedAfter: 'vip', before: 'resolved', after: 'waiting', waitingAt: 'triage' },
    ]);
  });

  it('given a draft that ends a branch with another status, when backtested, then the ticket takes the same path and ends differently', () => {
    const h = history(ESCALATION);
    const draft = edited(documentOf(h), (d) => {
      const end = d.nodes.find((n) => n.id === 'vip_end');
      if (end?.type !== 'end') throw new Error('no end');
      end.data.status = 'transferred';
    });
    const summary = backtest(draft, [pastOf(h)]);
    expect(summary).toMatchObject({
      differentPath: 0,
      endsDifferently: 1,
      waiting: 0,
      endings: { 'resolved→transferred': 1 },
    });
  });

  it('given a step that loops, when the draft drops the outcome the agent picked, then the ticket waits at that step with the engine’s reason', () => {
    const h = history(LOOP);
    const past = pastOf(h);
    const document = documentOf(h);
    const completed = past.inputs.find((i) => i.event.type === 'complete_step');
    if (completed?.event.type !== 'complete_step') throw new Error('no completion');
    const { nodeId, outcomeId } = completed.event;
    const draft = edited(document, (d) => {
      const step = d.nodes.find((n) => n.id === nodeId);
      if (step?.type !== 'step') throw new Error('no step');
      step.data.outcomes = step.data.outcomes.filter((o) => o.id !== outcomeId);
      d.edges = d.edges.filter((e) => !(e.source === nodeId && e.sourceHandle === `outcome:${outcomeId}`));
    });
    const run = backtestTicket(draft, past);
    expect(run.outcome).toMatchObject({ kind: 'waiting', nodeId });
    expect(run.outcome.kind === 'waiting' && run.outcome.reason).toMatch(/outcome/i);
    // It got as far as that step on the path it took: it stops, it does not go elsewhere.
    expect(past.path.slice(0, run.path.length)).toEqual(run.path);
    expect(backtest(draft, [past])).toMatchObject({ differentPath: 0, waiting: 1 });
  });

  it('given a migrated ticket, when read as a past ticket, then its inputs on both versions and the node it landed on are kept', () => {
    const past = pastOf(history('migrated-to-second-version'));
    expect(past.inputs.map((i) => i.event.type)).toEqual(['complete_step', 'complete_step', 'complete_step']);
    expect(past.endStatus).not.toBeNull();
    expect(past.path.length).toBeGreaterThanOrEqual(4);
  });

  it('given any split of the tickets into batches, when the batches’ summaries are merged, then they equal one backtest of all', () => {
    const tickets = histories.map((h) => ({ h, past: pastOf(h) }));
    const h = history(LOOP);
    const document = documentOf(h);
    const all = backtest(
      document,
      tickets.map((t) => t.past),
    );
    for (let cut = 0; cut <= tickets.length; cut++) {
      const a = backtest(
        document,
        tickets.slice(0, cut).map((t) => t.past),
      );
      const b = backtest(
        document,
        tickets.slice(cut).map((t) => t.past),
      );
      expect(mergeBacktest(a, b)).toEqual(all);
    }
    expect(all.tickets).toBe(histories.length);
    expect(all.moves).toBeGreaterThan(all.tickets);
  });
});
