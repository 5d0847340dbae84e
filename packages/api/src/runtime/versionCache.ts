import { type FlowDocument, parseFlowDocument } from '@stepwise/flow';
import type { Query } from './sql.ts';

/** A published flow version, as the runtime uses it. Immutable: the database refuses updates. */
export type CachedVersion = {
  id: string;
  orgId: string;
  flowId: string;
  number: number;
  document: FlowDocument;
};

type VersionRow = { id: string; org_id: string; flow_id: string; number: number; document: unknown };

/**
 * Published versions cached in memory by id. A version row never changes, so an entry never goes
 * stale and nothing invalidates it; the cache is bounded (least recently used goes first). The org
 * check runs on every hit: a version id from another organization is "not found".
 */
export class VersionCache {
  private readonly entries = new Map<string, CachedVersion>();
  private readonly loading = new Map<string, Promise<CachedVersion | null>>();

  constructor(readonly capacity = 500) {}

  /** The version, or null when it does not exist in `orgId`. Reads the database at most once per id. */
  async get(query: Query, orgId: string, versionId: string): Promise<CachedVersion | null> {
    const hit = this.entries.get(versionId);
    if (hit) {
      // Re-insert: Map keeps insertion order, so the first key is the least recently used.
      this.entries.delete(versionId);
      this.entries.set(versionId, hit);
      return hit.orgId === orgId ? hit : null;
    }
    // The read names the organization (it routes to one shard), so loads in flight are per organization.
    const loadKey = `${orgId}:${versionId}`;
    let pending = this.loading.get(loadKey);
    if (!pending) {
      pending = this.load(query, orgId, versionId).finally(() => this.loading.delete(loadKey));
      this.loading.set(loadKey, pending);
    }
    const version = await pending;
    return version && version.orgId === orgId ? version : null;
  }

  /** Puts an already-read version in the cache (a publish that just wrote it). */
  remember(version: CachedVersion): void {
    this.store(version);
  }

  get size(): number {
    return this.entries.size;
  }

  private async load(query: Query, orgId: string, versionId: string): Promise<CachedVersion | null> {
    const rows = await query<VersionRow>(
      'SELECT id, org_id, flow_id, number, document FROM flow_versions WHERE org_id = $1::uuid AND id = $2::uuid',
      [orgId, versionId],
    );
    const row = rows[0];
    if (!row) return null;
    const parsed = parseFlowDocument(row.document);
    if (!parsed.ok) {
      // Published documents were validated when frozen; one that no longer parses is a bug to surface.
      throw new Error(
        `Flow version ${row.id} holds a document that does not parse: ${parsed.issues[0]?.message ?? ''}`,
      );
    }
    const version: CachedVersion = {
      id: row.id,
      orgId: row.org_id,
      flowId: row.flow_id,
      number: row.number,
      document: parsed.document,
    };
    this.store(version);
    return version;
  }

  private store(version: CachedVersion): void {
    this.entries.delete(version.id);
    this.entries.set(version.id, version);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

/** The process-wide cache (version ids are UUIDs, unique across databases). */
export const versionCache = new VersionCache(500);
