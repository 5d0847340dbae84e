import { auditLog, type Database, type Db } from '@stepwise/db';

export type AuditEntry = {
  orgId: string;
  /** The user who made the change; null for the system (seed, migrations). */
  actorId: string | null;
  /** Past tense, dotted: `flow.created`, `version.published`, `user.role_changed`… */
  action: string;
  targetType: string;
  targetId: string | null;
  data?: Record<string, unknown>;
  /** The request's clock (defaults to the database's). */
  at?: Date;
};

/** Records a configuration change. Pass the transaction that makes the change, so both land or neither. */
export async function audit(db: Db | Database, entry: AuditEntry): Promise<void> {
  const target = 'kind' in db ? db.db : db;
  await target.insert(auditLog).values({
    orgId: entry.orgId,
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    data: entry.data ?? null,
    ...(entry.at ? { createdAt: entry.at } : {}),
  });
}
