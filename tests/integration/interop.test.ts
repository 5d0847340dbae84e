import { readFileSync } from 'node:fs';
import { diffDocuments, seededRandom } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, detailsOf, sampleDocument, type TestUser, trpcError } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../packages/api/src/interop/fixtures/${name}`, import.meta.url), 'utf8');

describe.each(backends())('interop (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let manager: TestUser;
  let billingTeamId: string;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    const admin = await h.signUp('Interop Org');
    manager = await h.addMember(admin, 'manager');
    billingTeamId = (await (await h.as(admin)).teams.create({ name: 'Billing' })).id;
  });
  afterAll(async () => {
    await db.dispose();
  });

  const flowCount = async () =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM flows'))[0]?.n ?? 0);

  it('given a Camunda BPMN file, when a manager imports it, then a draft flow exists with the report, its lane mapped to the Billing team', async () => {
    // given
    const api = await h.as(manager);
    // when
    const result = await api.interop.importFile({
      text: fixture('camunda-returns.bpmn'),
      fileName: 'returns.bpmn',
    });
    // then
    expect(result.name).toBe('Product return');
    expect(result.report.some((r) => r.element === 'Gateway_fork' && r.severity === 'unmapped')).toBe(true);
    const flow = await api.flows.get({ flowId: result.flowId });
    expect(flow.name).toBe('Product return');
    const check = flow.draft.nodes.find((n) => n.id === 'Task_check');
    expect(check?.type === 'step' && check.data.teamId).toBe(billingTeamId);
    // and importing it again picks a free name instead of failing
    const again = await api.interop.importFile({ text: fixture('camunda-returns.bpmn') });
    expect(again.name).toBe('Product return (imported)');
  });

  it('given a compressed draw.io file, when it is imported with a name, then the flow takes that name', async () => {
    const api = await h.as(manager);
    const result = await api.interop.importFile({
      text: fixture('refund-compressed.drawio'),
      name: 'Refunds from draw.io',
    });
    expect(result.counts).toEqual({ nodes: 6, edges: 6, notes: 0 });
    expect((await api.flows.get({ flowId: result.flowId })).name).toBe('Refunds from draw.io');
  });

  it('given broken files, when they are imported, then each is refused with BAD_REQUEST and nothing is written', async () => {
    const api = await h.as(manager);
    const before = await flowCount();
    for (const text of [
      '',
      'not xml',
      '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process',
      '<mxfile><diagram>!!</diagram></mxfile>',
    ]) {
      const error = await trpcError(api.interop.importFile({ text }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message.length).toBeGreaterThan(10);
      expect(Array.isArray(detailsOf(error))).toBe(true);
    }
    expect(await flowCount()).toBe(before);
  });

  it('given fuzzed files, when each is imported, then it creates exactly one flow or nothing at all', async () => {
    // given mutations of the fixtures (seeded: the same cases every run)
    const api = await h.as(manager);
    const random = seededRandom(15);
    const seeds = [fixture('camunda-returns.bpmn'), fixture('triage.drawio'), fixture('refund-plain.xml')];
    const seen = { created: 0, refused: 0 };
    for (let n = 0; n < 40; n++) {
      const text = seeds[n % seeds.length]!;
      const at = Math.floor(random() * text.length);
      const mutated =
        n % 2 === 0
          ? text.slice(0, at) + text.slice(at + Math.floor(random() * 120))
          : text.slice(0, at) + '<bpmn:task id="x"' + text.slice(at);
      const before = await flowCount();
      // when
      const outcome = await api.interop.importFile({ text: mutated, name: `Fuzzed ${n}` }).then(
        (r) => ({ ok: true as const, flowId: r.flowId }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      // then
      expect(await flowCount()).toBe(before + (outcome.ok ? 1 : 0));
      if (!outcome.ok) expect((await trpcError(Promise.reject(outcome.error))).code).toBe('BAD_REQUEST');
      seen[outcome.ok ? 'created' : 'refused']++;
    }
    // (both ways were taken)
    expect(seen.created).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('given a file, when the builder converts it, then the document and report come back and nothing is written', async () => {
    const api = await h.as(manager);
    const before = await flowCount();
    const result = await api.interop.convert({ text: fixture('triage.drawio'), format: 'drawio' });
    expect(result.document.nodes.length).toBe(6);
    expect(result.report.length).toBeGreaterThan(0);
    expect(await flowCount()).toBe(before);
  });

  it('given a flow with a team, when its draft and its published version are exported, then the BPMN imports back to the same documents', async () => {
    // given
    const api = await h.as(manager);
    const created = await api.flows.create({
      name: 'Exported',
      document: sampleDocument('Check the refund', billingTeamId),
    });
    const version = await api.versions.publish({ flowId: created.id, message: 'v1' });
    const stored = (await api.flows.get({ flowId: created.id })).draft;
    // when
    const draft = await api.interop.exportBpmn({ flowId: created.id });
    const published = await api.interop.exportBpmn({ flowId: created.id, versionId: version.id });
    // then
    expect(draft.xml).toContain('<bpmn:lane id="Lane_');
    expect(draft.xml).toContain('name="Billing"');
    expect(published.name).toBe('Exported v1');
    for (const xml of [draft.xml, published.xml]) {
      const back = await api.interop.convert({ text: xml, format: 'bpmn' });
      expect(diffDocuments(stored, back.document).isEmpty).toBe(true);
      expect(back.report).toEqual([]);
    }
  });

  it('given a flow of another organization, when it is exported, then NOT_FOUND', async () => {
    const other = await h.signUp('Other Org');
    const theirs = await (await h.as(other)).flows.create({ name: 'Theirs' });
    const error = await trpcError((await h.as(manager)).interop.exportBpmn({ flowId: theirs.id }));
    expect(error.code).toBe('NOT_FOUND');
  });
});
