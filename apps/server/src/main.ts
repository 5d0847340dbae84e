import { join, resolve } from 'node:path';
import { seedDemo } from '@stepwise/api';
import { createDb } from '@stepwise/db';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

/**
 * The process: PORT (3000), HOST (0.0.0.0), DATABASE_URL (PostgreSQL; embedded PGlite when unset),
 * STEPWISE_DATA_DIR (./.data, for PGlite). Seeds the demo organization into an empty database.
 */
async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const port = parsePort(process.env.PORT);
  const host = process.env.HOST || '0.0.0.0';
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = resolve(process.env.STEPWISE_DATA_DIR || '.data');

  const started = Date.now();
  const db = await createDb({ url, dataDir: join(dataDir, 'pglite') });
  logger.info('db.ready', { kind: db.kind, ms: Date.now() - started, ...(url ? {} : { dataDir }) });

  const anyOrg = await db.query('SELECT 1 FROM organizations LIMIT 1');
  if (anyOrg.length === 0) {
    const seeded = await seedDemo(db);
    if (seeded) {
      logger.info('seed.created', { org: seeded.orgName });
      for (const login of seeded.logins)
        logger.info('seed.login', { role: login.role, email: login.email, password: login.password });
    }
  }

  const server = await startServer({ db, port, host, logger });
  logger.info('server.listening', { url: server.url, port: server.port, host, ms: Date.now() - started });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('server.stopping', { signal });
    try {
      // The server stops the timer poller first; the database closes last (PGlite must be closed).
      await server.close();
      await db.close();
      logger.info('server.stopped', { signal });
      process.exit(0);
    } catch (error) {
      logger.error('server.stop_failed', { error });
      process.exit(1);
    }
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${value}".`);
  }
  return port;
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      event: 'server.start_failed',
      error: String(error instanceof Error ? (error.stack ?? error.message) : error),
    }),
  );
  process.exit(1);
});
