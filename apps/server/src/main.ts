import { join, resolve } from 'node:path';
import { backfillAnalytics } from '@stepwise/api';
import { createDb } from '@stepwise/db';
import {
  demoHistoryOf,
  allowLocalUrlsOf,
  demoModeOf,
  fillDemoHistory,
  parsePort,
  parsePublicUrl,
  parseTrustedProxy,
  prepareDemo,
} from './config.ts';
import { createLogger } from './logger.ts';
import { mailFromOf, parseSmtpUrl, smtpSender } from './mailer.ts';
import { startServer } from './server.ts';

/**
 * The process: PORT (3000), HOST (0.0.0.0), DATABASE_URL (PostgreSQL; embedded PGlite when unset),
 * MIGRATION_DATABASE_URL (the owner role migrations run as; default DATABASE_URL),
 * STEPWISE_DATA_DIR (./.data, for PGlite), PUBLIC_URL (http://localhost:PORT), STEPWISE_DEMO (on for
 * PGlite, off with DATABASE_URL), STEPWISE_DEMO_HISTORY (on), SMTP_URL (unset: mail goes to the log),
 * MAIL_FROM (Stepwise <no-reply@host of PUBLIC_URL>), TRUSTED_PROXY (none: the socket's peer is the client),
 * STEPWISE_ALLOW_LOCAL_URLS (off: channel URLs must be https://).
 * In demo mode, seeds the demo organization into an empty database, and once the server answers, fills its
 * history in the background.
 * Settings are checked before anything starts: a bad one stops the process with a message naming it.
 */
async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const port = parsePort(process.env.PORT);
  const publicUrl = parsePublicUrl(process.env.PUBLIC_URL);
  const smtpUrl = parseSmtpUrl(process.env.SMTP_URL);
  const mailFrom = mailFromOf(process.env.MAIL_FROM, publicUrl);
  const trustedProxy = parseTrustedProxy(process.env.TRUSTED_PROXY);
  const demo = demoModeOf(process.env);
  const allowLocalUrls = allowLocalUrlsOf(process.env);
  const history = demoHistoryOf(process.env) && demo;
  const host = process.env.HOST || '0.0.0.0';
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = resolve(process.env.STEPWISE_DATA_DIR || '.data');

  const started = Date.now();
  // Served as the application role under the row-level security policies; migrations run as the owner
  // (MIGRATION_DATABASE_URL, else DATABASE_URL's role).
  const migrationUrl = process.env.MIGRATION_DATABASE_URL || undefined;
  const db = await createDb({ url, migrationUrl, dataDir: join(dataDir, 'pglite') });
  logger.info('db.ready', { kind: db.kind, ms: Date.now() - started, ...(url ? {} : { dataDir }) });

  const seededAt = new Date();
  const seeded = await prepareDemo(db, demo, logger, { history, now: seededAt });

  // A new demo organization's history is filled after the server answers; the runtime loop waits for it
  // (the history fires its tickets' timers on its own clock).
  let historyDone = () => {};
  const holdLoopUntil = seeded && history ? new Promise<void>((done) => (historyDone = done)) : undefined;
  const sendMail = smtpUrl ? smtpSender(smtpUrl, mailFrom) : undefined;
  const server = await startServer({
    db,
    port,
    host,
    logger,
    publicUrl,
    holdLoopUntil,
    sendMail,
    trustedProxy,
    allowLocalUrls,
  });
  logger.info('server.listening', {
    url: server.url,
    port: server.port,
    host,
    publicUrl: server.publicUrl,
    mail: smtpUrl ? 'smtp' : 'log',
    demo,
    ms: Date.now() - started,
  });

  // A database upgraded from before the analytics facts rebuilds them from its event log, in the
  // background: the server answers meanwhile (reports fill in as the rebuild goes).
  const stopBackfill = new AbortController();
  const backfill = backfillAnalytics(db, stopBackfill.signal)
    .then((result) => {
      if (result) logger.info('analytics.backfilled', { ...result });
    })
    .catch((error: unknown) => logger.error('analytics.backfill_failed', { error }));

  const stopHistory = new AbortController();
  const filled = holdLoopUntil
    ? fillDemoHistory(db, { now: seededAt, logger, signal: stopHistory.signal }).finally(historyDone)
    : Promise.resolve();

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('server.stopping', { signal });
    try {
      // The server stops its runtime loop first; the database closes last (PGlite must be closed).
      stopBackfill.abort();
      stopHistory.abort();
      await server.close();
      await backfill;
      await filled;
      sendMail?.close();
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
