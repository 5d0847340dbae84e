import type { TicketRow } from './ticketState.ts';

/**
 * A ticket as this process last saw it at sequence number `row.seq`. Because `seq` identifies the
 * ticket's state exactly, an entry whose seq is the one a client expects is that state — and the
 * compare-and-set in the write still refuses the move if the ticket moved on meanwhile (on another
 * server, say). Only the row is kept: the page that shows a ticket holds its history, and names (team,
 * assignee) are not covered by seq, so the move statement returns them fresh.
 */
/**
 * The names a move's answer showed for the ticket's team and assignee, with their ids and when they were
 * read: the next move from this state that keeps both reuses them for a short while instead of reading
 * them again in its statement.
 */
export type CachedNames = {
  teamId: string | null;
  teamName: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  /** Epoch ms of the move that read them. */
  readAt: number;
};

export type CachedTicket = { row: TicketRow; names?: CachedNames };

/** Bounded LRU of tickets by id. */
export class TicketCache {
  private readonly entries = new Map<string, CachedTicket>();

  constructor(readonly capacity = 2000) {}

  get(ticketId: string, orgId: string): CachedTicket | undefined {
    const hit = this.entries.get(ticketId);
    if (!hit) return undefined;
    this.entries.delete(ticketId);
    this.entries.set(ticketId, hit);
    return hit.row.org_id === orgId ? hit : undefined;
  }

  /** Keeps the newest state of a ticket (an older one never replaces a newer one). */
  set(entry: CachedTicket): void {
    if (this.capacity <= 0) return;
    const id = entry.row.id;
    const current = this.entries.get(id);
    if (current && current.row.seq > entry.row.seq) return;
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /**
   * A row just read from the database. One older than the cached entry drops it: the read raced a
   * move, or the database went back (a restore), and either way this process no longer knows the state.
   */
  observe(row: TicketRow): void {
    const current = this.entries.get(row.id);
    if (current && current.row.seq > row.seq) this.entries.delete(row.id);
    else this.set({ row });
  }

  delete(ticketId: string): void {
    this.entries.delete(ticketId);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The process-wide cache (ticket ids are UUIDs, unique across databases). */
export const ticketCache = new TicketCache(2000);
