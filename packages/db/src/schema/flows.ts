import type { FlowDocument } from '@stepwise/flow';
import {
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations, users } from './organizations.ts';

/** A named process with one editable draft. */
export const flows = pgTable(
  'flows',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    draft: jsonb('draft').$type<FlowDocument>().notNull(),
    /** Bumped on every draft save; a save on a stale revision is refused. */
    draftRevision: integer('draft_revision').notNull().default(1),
    /** The version new tickets start on. */
    activeVersionId: uuid('active_version_id'),
    /** Optional pilot version taking `pilotPercent` of new tickets. */
    pilotVersionId: uuid('pilot_version_id'),
    pilotPercent: integer('pilot_percent').notNull().default(0),
    /** Intake tries flows in ascending order; the first whose start filters match wins. */
    routeOrder: integer('route_order').notNull().default(100),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('flows_org_name_key').on(t.orgId, t.name),
    index('flows_org_order_idx').on(t.orgId, t.routeOrder),
  ],
);

/** An immutable published version of a flow (the database refuses updates: see the trigger migration). */
export const flowVersions = pgTable(
  'flow_versions',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    flowId: uuid('flow_id').notNull(),
    number: integer('number').notNull(),
    document: jsonb('document').$type<FlowDocument>().notNull(),
    /** SHA-256 of the canonical JSON of the document. */
    contentHash: text('content_hash').notNull(),
    authorId: uuid('author_id').references(() => users.id),
    message: text('message').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'flow_versions_flow_fk',
      columns: [t.orgId, t.flowId],
      foreignColumns: [flows.orgId, flows.id],
    }),
    uniqueIndex('flow_versions_flow_number_key').on(t.orgId, t.flowId, t.number),
    index('flow_versions_org_idx').on(t.orgId),
  ],
);
