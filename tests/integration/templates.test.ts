import { seedDemo } from '@stepwise/api';
import { type FlowDocument, TEMPLATES, templateTeamsOf, validate } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamIssues } from '../../apps/web/src/features/builder/teamIssues.ts';
import {
  mapTemplate,
  mappingComplete,
  teamMappingRows,
  teamsToCreate,
} from '../../apps/web/src/features/builder/templates.ts';
import { apiHarness, type TestUser } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/**
 * The seven templates in the demo organization (Acme Support, with only Billing and Technical), created
 * the way the new-flow dialog creates them: the proposed team for each template team, the missing teams
 * created first.
 */
describe.each(backends())('templates in the demo organization (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let manager: TestUser;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    if (!(await seedDemo(db))) throw new Error('the demo seed did not run on a fresh database');
    manager = await h.login('manager@acme.test', 'stepwise-demo');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    'given the %s template and the default mapping, when the manager creates the flow, then its draft has no errors and names only teams of the organization',
    async (_id, template) => {
      // Given the organization's teams as they are now (earlier templates may have added some)
      const api = await h.as(manager);
      const before = await api.teams.list();
      const rows = teamMappingRows(template.document, before, true);
      expect(mappingComplete(rows)).toBe(true);

      // When the missing teams are created and the flow is created from the mapped template
      const created: Record<string, string> = {};
      for (const name of teamsToCreate(rows)) created[name] = (await api.teams.create({ name })).id;
      const flow = await api.flows.create({
        name: `${template.name} (demo)`,
        description: template.description,
        document: mapTemplate(template.document, rows, created),
      });

      // Then the saved draft validates without errors and every team it names exists
      const draft = (await api.flows.get({ flowId: flow.id })).draft as FlowDocument;
      const teams = await api.teams.list();
      expect(validate(draft).filter((i) => i.severity === 'error')).toEqual([]);
      expect(teamIssues(draft, teams)).toEqual([]);
      expect(templateTeamsOf(draft)).toEqual([]);
    },
  );

  it('given all seven created, then the demo organization gained exactly the two teams it lacked, once each', async () => {
    const names = (await (await h.as(manager)).teams.list()).map((t) => t.name).sort();
    expect(names).toEqual(['Billing', 'Customer success', 'Senior support', 'Technical']);
  });
});
