import { useInfiniteQuery } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { useNow } from '../../ui/useNow.ts';
import { type TicketListRow, useTRPC } from '../../trpc.ts';
import { changedRows, type QueueFilters, type QueueView, SORT_PHRASES, toListInput } from './queueFilters.ts';
import { BulkBar } from './BulkBar.tsx';
import { QueueHeaderCells, QueueRow } from './QueueRow.tsx';
import { useRowSelection } from './useRowSelection.ts';

/** How long a row that just changed stays highlighted. */
const FLASH_MS = 2500;
/** A row's height before it is measured (two lines of text). */
const ROW_ESTIMATE = 62;

/**
 * Rows that changed since the previous answer, highlighted for a moment. Rows that arrive with a further
 * page are not changes: the reader scrolled to them.
 */
function useFlash(rows: readonly TicketListRow[] | undefined, pages: number): ReadonlySet<string> {
  const previousPages = useRef(0);
  const previous = useRef<Map<string, string> | null>(null);
  const timers = useRef(new Set<number>());
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const id of pending) window.clearTimeout(id);
    };
  }, []);
  useEffect(() => {
    if (!rows) return;
    const known = previous.current;
    const morePages = pages > previousPages.current;
    previousPages.current = pages;
    const ids = changedRows(known, rows).filter((id) => !morePages || known?.has(id));
    previous.current = new Map(rows.map((r) => [r.id, r.updatedAt]));
    if (ids.length === 0) return;
    setFlashing((prev) => new Set([...prev, ...ids]));
    // Each flash ends on its own clock, even when newer answers arrive meanwhile.
    const id = window.setTimeout(() => {
      timers.current.delete(id);
      setFlashing((prev) => {
        const next = new Set(prev);
        for (const i of ids) next.delete(i);
        return next;
      });
    }, FLASH_MS);
    timers.current.add(id);
  }, [rows, pages]);
  return flashing;
}

/**
 * The tickets of a view (or a search), a page of 100 at a time from `tickets.list`, the next page
 * fetched as the reader scrolls near the end. Only the rows near the viewport are in the document, so a
 * view of thousands scrolls as lightly as one of ten.
 */
export function QueueTable({
  filters,
  view,
  empty,
}: {
  filters: QueueFilters;
  view: QueueView;
  /** What to say when nothing matches. */
  empty: ReactNode;
}) {
  const trpc = useTRPC();
  const input = toListInput(filters, view);
  const list = useInfiniteQuery(
    trpc.tickets.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      refetchInterval: 60_000,
    }),
  );
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.tickets) ?? [], [list.data]);
  const flashing = useFlash(list.data ? rows : undefined, list.data?.pages.length ?? 0);
  const selection = useRowSelection(rows);
  const now = useNow(1000);

  // Where the first row would start with none skipped: below the wrapper's border and the header.
  const wrapRef = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const measure = useRef(() => {});
  measure.current = () => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const head = wrap.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    setScrollMargin(Math.round(wrap.getBoundingClientRect().top + window.scrollY + wrap.clientTop + head));
  };
  useLayoutEffect(() => measure.current());
  useEffect(() => {
    const observer = new ResizeObserver(() => measure.current());
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 8,
    scrollMargin,
    getItemKey: (index) => rows[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (last && last.index >= rows.length - 20 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [last, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (list.isPending) return <Loading label="Loading tickets…" />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (rows.length === 0) return <EmptyState title="Nothing here">{empty}</EmptyState>;

  // The rows above and below the rendered ones are stood in for by padding around the table.
  const before = items[0] ? items[0].start - scrollMargin : 0;
  const after = last ? virtualizer.getTotalSize() - (last.end - scrollMargin) : 0;
  const total = `${rows.length.toLocaleString()}${list.hasNextPage ? '+' : ''}`;
  return (
    <>
      <p className="queue-count" aria-live="polite">
        {total} {rows.length === 1 && !list.hasNextPage ? 'ticket' : 'tickets'}, {SORT_PHRASES[input.sort]}
      </p>
      <BulkBar selection={selection} />
      <div
        ref={wrapRef}
        className="table-wrap"
        style={{ paddingTop: before, paddingBottom: Math.max(0, after) }}
      >
        <table className="table queue" aria-rowcount={list.hasNextPage ? -1 : rows.length + 1}>
          <caption className="sr-only">
            Tickets, {SORT_PHRASES[input.sort]}; {total} in all
          </caption>
          <thead>
            <tr>
              <QueueHeaderCells selection={selection} />
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const ticket = rows[item.index];
              return ticket ? (
                <QueueRow
                  key={item.key}
                  ticket={ticket}
                  index={item.index}
                  rowRef={virtualizer.measureElement}
                  now={now}
                  flashing={flashing.has(ticket.id)}
                  selection={selection}
                />
              ) : null;
            })}
          </tbody>
        </table>
      </div>
      {list.isFetchingNextPage && <Loading label="Loading more tickets…" />}
    </>
  );
}
