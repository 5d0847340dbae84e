import { sql } from 'drizzle-orm';
import {
  customType,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations, teams, users } from './organizations.ts';
import { tickets } from './tickets.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The full-text index of tickets: one row per searchable part (`ticket`: subject, customer, description;
 * a message id: that customer or agent message). Written only by triggers (drizzle/0023), when the text
 * is written, so moving a ticket never touches it.
 */
export const ticketSearch = pgTable(
  'ticket_search',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    ticketId: uuid('ticket_id').notNull(),
    part: text('part').notNull(),
    document: tsvector('document').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.ticketId, t.part] }),
    foreignKey({
      name: 'ticket_search_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    index('ticket_search_document_idx').using('gin', t.document),
  ],
);

/** A queue view saved by a person: filters and sort, private or shared with one team. */
export const savedViews = pgTable(
  'saved_views',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    id: uuid('id').notNull().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    /** Shared with this team's members; null: only its owner sees it. */
    teamId: uuid('team_id'),
    name: text('name').notNull(),
    /** The filters and sort, as the API's saved-view schema (re-checked on every read). */
    query: jsonb('query').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'saved_views_team_fk',
      columns: [t.orgId, t.teamId],
      foreignColumns: [teams.orgId, teams.id],
    }),
    uniqueIndex('saved_views_owner_name_key').on(t.orgId, t.ownerId, sql`lower(${t.name})`),
    index('saved_views_team_idx').on(t.orgId, t.teamId).where(sql`team_id IS NOT NULL`),
  ],
);
