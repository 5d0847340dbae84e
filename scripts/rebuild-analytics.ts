/**
 * Rebuilds the analytics facts (every visit of every ticket to a node, when each ticket entered the
 * node it is at, its first response) from the event log. The moves keep the facts current on their
 * own; run this after restoring a database, or to check that what was written equals what the log
 * says. Safe while the app runs on PostgreSQL (a ticket that moves meanwhile keeps its move's facts).
 *
 *   npm run analytics:rebuild                 every organization
 *   npm run analytics:rebuild -- --org <id>   one organization
 *
 * DATABASE_URL names the PostgreSQL database; unset, the embedded database in STEPWISE_DATA_DIR
 * (./.data) is used — stop the server first, the embedded database has one user at a time.
 */
import { join, resolve } from 'node:path';
import { rebuildAnalytics, rebuildEveryOrganization } from '@stepwise/api';
import { createDb, withOrg } from '@stepwise/db';

const args = process.argv.slice(2);
const orgAt = args.indexOf('--org');
const orgId = orgAt >= 0 ? args[orgAt + 1] : undefined;
if (orgAt >= 0 && !orgId) {
  console.error('--org needs the id of an organization.');
  process.exit(2);
}
const url = process.env.DATABASE_URL || undefined;
const dataDir = resolve(process.env.STEPWISE_DATA_DIR || '.data');
const db = await createDb({ url, dataDir: join(dataDir, 'pglite') });
const started = Date.now();
try {
  const onProgress = (done: number) => process.stdout.write(`\r${done} tickets rebuilt`);
  const result = orgId
    ? await withOrg(orgId, () => rebuildAnalytics(db, { orgId, onProgress }))
    : await rebuildEveryOrganization(db, { onProgress });
  process.stdout.write('\n');
  console.log(
    `Rebuilt the facts of ${result.tickets} tickets (${result.visits} visits) in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (result.skipped > 0 ? `; ${result.skipped} kept moving and were left to their own moves` : ''),
  );
} finally {
  await db.close();
}
