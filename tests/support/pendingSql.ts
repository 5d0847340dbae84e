import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '@stepwise/db';

const PENDING = resolve(import.meta.dirname, '../../drizzle/pending');

/**
 * Runs a hand-written migration from `drizzle/pending` (not yet in the journal) on a test database,
 * statement by statement.
 */
export async function applyPending(db: Database, name: string): Promise<void> {
  const text = readFileSync(resolve(PENDING, `${name}.sql`), 'utf8');
  for (const statement of text.split('--> statement-breakpoint')) {
    if (statement.trim() !== '') await db.query(statement);
  }
}
