import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, pgliteOf } from '@stepwise/db';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { postgresUrl } from './postgresUrl.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: { adminUrl: string; template: string; runId: string } | null;
  }
}

/**
 * Migrates once per run: a PGlite dump (cloned per test file; a fresh PGlite costs seconds) and, when a
 * PostgreSQL URL is set, a template database that each test file copies with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject) {
  const embedded = await createDb({ dataDir: 'memory://', access: 'owner' });
  const dump = await pgliteOf(embedded).dumpDataDir('none');
  await embedded.close();
  const dumpPath = join(tmpdir(), `stepwise-template-${process.pid}.tar`);
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', dumpPath);

  const adminUrl = postgresUrl();
  if (!adminUrl) {
    if (process.env.CI === 'true') {
      throw new Error(
        'CI=true but neither TEST_DATABASE_URL nor DATABASE_URL is set: the PostgreSQL suite must run in CI.',
      );
    }
    console.warn(
      '[stepwise tests] PostgreSQL suite SKIPPED: set DATABASE_URL or TEST_DATABASE_URL to run it.',
    );
    project.provide('postgresTemplate', null);
    return;
  }
  const runId = `${process.pid}_${project.name}`;
  const template = `stepwise_tpl_${runId}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
    await admin.unsafe(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const migrated = await createDb({
    url: withDatabase(adminUrl, template),
    maxConnections: 2,
    access: 'owner',
  });
  await migrated.close();
  console.info(`[stepwise tests] PostgreSQL suite RUNS against ${redact(adminUrl)} (template ${template}).`);
  project.provide('postgresTemplate', { adminUrl, template, runId });

  return async () => {
    const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      const dbs = await cleanup<{ datname: string }[]>`
        SELECT datname FROM pg_database WHERE datname LIKE ${`stepwise_t_${runId}_%`} OR datname = ${template}`;
      for (const { datname } of dbs) await cleanup.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await cleanup.end();
    }
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
