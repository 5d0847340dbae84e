import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_SCOPES, seedDemo } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { REPO_ROOT } from '../support/e2e.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/** The README's shell examples that call the API: every ```sh block with a curl in it, in order. */
function curlExamples(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .filter((block) => /^curl /m.test(block));
}

function run(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-o', 'pipefail', '-c', script], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Answer = { result?: { data?: unknown }; error?: unknown };

describe.each(backends())('the README’s curl examples (%s)', (backend) => {
  let db: TestDb;
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    db = await openTestDb(backend);
    if (!(await seedDemo(db))) throw new Error('the demo seed did not run on a fresh database');
    server = await startServer({ db, port: 0, timers: false });
    dir = mkdtempSync(join(tmpdir(), 'stepwise-readme-'));
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one example as written, with the host, token, ids and cookie jar filled in; its answers, one per curl. */
  async function runExample(block: string, fill: Record<string, string>): Promise<Answer[]> {
    let script = block
      .replaceAll('http://localhost:3000', server.url)
      .replace(/(-[cb]) jar\b/g, `$1 ${join(dir, 'jar')}`)
      // Each answer on a line of its own, and an HTTP error status fails the script.
      .replace(/^curl /gm, "curl -sS --fail-with-body -w '\\n' ");
    for (const [placeholder, value] of Object.entries(fill)) script = script.replaceAll(placeholder, value);
    expect(script, 'every placeholder is filled in').not.toMatch(/<[a-z ]+>|…/);
    const { code, stdout, stderr } = await run(script);
    expect({ code, stderr }, `${block}\n${stdout}`).toEqual({ code: 0, stderr: '' });
    const answers = stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Answer);
    expect(answers.length).toBe((block.match(/^curl /gm) ?? []).length);
    for (const answer of answers) expect(answer.result, JSON.stringify(answer.error)).toBeDefined();
    return answers;
  }

  it('given a demo server and an API token made as the README says, when every curl example runs in order, then each succeeds', async () => {
    // given: an admin logs in and creates a token with every scope (Admin → API tokens does the same)
    const jar = join(dir, 'admin-jar');
    const login = await run(
      `curl -sS --fail-with-body -c ${jar} -X POST ${server.url}/trpc/auth.login -H 'content-type: application/json' -d '{"email":"admin@acme.test","password":"stepwise-demo"}'`,
    );
    expect(login.code).toBe(0);
    const created = await run(
      `curl -sS --fail-with-body -b ${jar} -X POST ${server.url}/trpc/admin.tokens.create -H 'content-type: application/json' -d '${JSON.stringify({ name: 'README', scopes: API_SCOPES })}'`,
    );
    expect(created.code, created.stdout).toBe(0);
    const token = (JSON.parse(created.stdout) as { result: { data: { token: string } } }).result.data.token;
    const flows = await run(`curl -sS --fail-with-body -b ${jar} ${server.url}/trpc/flows.list`);
    const flowList = (JSON.parse(flows.stdout) as { result: { data: Array<{ id: string; name: string }> } })
      .result.data;
    const flowId = flowList.find((f) => f.name === 'Ticket resolution')?.id;
    expect(flowId).toBeDefined();
    const examples = curlExamples();
    expect(examples.length).toBeGreaterThanOrEqual(6);
    const fill: Record<string, string> = { 'sw_…': token, '<flow id>': flowId ?? '' };
    // when / then
    for (const [i, block] of examples.entries()) {
      const needsTicket = block.includes('<id>');
      if (needsTicket) expect(fill['<id>'], `example ${i + 1} runs after the first create`).toBeDefined();
      const answers = await runExample(block, fill);
      if (i === 0) {
        expect(block).toContain('/trpc/tickets.create');
        const first = answers[0]?.result?.data as { ticket: { id: string; seq: number; nodeId: string } };
        // the later examples act on this ticket: it waits at the demo flow's triage step
        expect(first.ticket).toMatchObject({ seq: 1, nodeId: 'triage' });
        fill['<id>'] = first.ticket.id;
      }
      // an idempotent example is safe to retry: the same answer, nothing more written
      if (/idempotency-key:/i.test(block)) {
        const again = await runExample(block, fill);
        expect(again).toEqual(answers);
      }
    }
  });
});
