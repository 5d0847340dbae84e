import {
  CHANNELS,
  type Channel,
  PRIORITIES,
  type Priority,
  type RoutingFlow,
  type StartTrigger,
  shadowingOf,
  TIERS,
  type Tier,
} from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, ArrowDown, ArrowUp, GripVertical, ShieldAlert } from 'lucide-react';
import { type DragEvent, type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Badge, capitalize } from '../../ui/Badge.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { ordinal, useSaveRouteOrder } from './useRouteOrder.ts';

const TIER_LABEL: Record<Tier, string> = { new: 'New', existing: 'Existing', vip: 'VIP' };

/** The start filters as a line of the list: "Takes phone tickets", "Started by hand only". */
export function filtersLine(entry: { trigger: StartTrigger | null; filters: string }): string {
  if (entry.trigger === null) return 'Not published: intake skips it';
  if (entry.trigger.mode === 'manual') return 'Started by hand only: intake skips it';
  return `Takes ${entry.filters}`;
}

/**
 * The order intake tries flows in (managers and admins): each flow's start filters in words, its active
 * version and a warning when earlier flows take every ticket it would (with a one-click fix); reorder
 * by dragging or with the Move up / Move down buttons; and a tester answering which flow takes a ticket.
 */
export function RoutingPage() {
  const me = useMe();
  useTitle('Routing');
  if (me.isPending) return <Loading />;
  if (me.data?.role !== 'admin' && me.data?.role !== 'manager') {
    return (
      <div className="empty">
        <ShieldAlert size={28} aria-hidden="true" />
        <h1 className="empty-title">Managers only</h1>
        <p className="empty-body">
          Routing decides which flow new tickets start on. Ask a manager if tickets land in the wrong flow.
        </p>
      </div>
    );
  }
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Routing</h1>
          <p className="page-sub">
            A new ticket starts on the first flow, top to bottom, whose start filters match it. Drag a flow or
            use its arrows to change the order.
          </p>
        </div>
      </div>
      <div className="routing-layout">
        <RouteOrder />
        <RouteTester />
      </div>
    </>
  );
}

function RouteOrder() {
  const trpc = useTRPC();
  // Publishing elsewhere changes the order: always re-read it on arrival.
  const order = useQuery(trpc.routing.order.queryOptions(undefined, { staleTime: 0 }));
  const { save } = useSaveRouteOrder();
  const [local, setLocal] = useState<string[] | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropAt, setDropAt] = useState<{ id: string; after: boolean } | null>(null);
  const focusAfterMove = useRef<{ id: string; direction: 'up' | 'down' } | null>(null);
  const saves = useRef(0);
  const listRef = useRef<HTMLOListElement>(null);
  const headingId = useId();

  const ids = local ?? order.data?.map((f) => f.id) ?? [];
  useEffect(() => {
    // Keep the keyboard on the moved flow's button (or its other arrow at the top or bottom).
    const target = focusAfterMove.current;
    if (!target || !listRef.current) return;
    focusAfterMove.current = null;
    const item = listRef.current.querySelector(`[data-flow-id="${target.id}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(`[data-direction="${target.direction}"]`);
    const other = item?.querySelector<HTMLButtonElement>(
      `[data-direction="${target.direction === 'up' ? 'down' : 'up'}"]`,
    );
    (wanted && !wanted.disabled ? wanted : other)?.focus();
  });

  if (order.isPending) return <Loading label="Loading the route order…" />;
  if (order.isError) return <ErrorState error={order.error} onRetry={() => void order.refetch()} />;
  const byId = new Map(order.data.map((f) => [f.id, f]));
  const entries = ids.flatMap((id) => byId.get(id) ?? []);
  const flows: RoutingFlow[] = entries.map((f) => ({ id: f.id, name: f.name, trigger: f.trigger }));

  const commit = (next: string[], moved: { id: string; name: string }) => {
    setLocal(next);
    const mine = ++saves.current;
    void save(next, moved).then(() => {
      // The re-read order replaces the local one once the last save is in.
      if (saves.current === mine) setLocal(null);
    });
  };
  const move = (id: string, direction: 'up' | 'down') => {
    const index = ids.indexOf(id);
    const to = direction === 'up' ? index - 1 : index + 1;
    if (index < 0 || to < 0 || to >= ids.length) return;
    const next = [...ids];
    next.splice(index, 1);
    next.splice(to, 0, id);
    focusAfterMove.current = { id, direction };
    commit(next, { id, name: byId.get(id)?.name ?? '' });
  };
  const moveBefore = (id: string, beforeId: string) => {
    const next = ids.filter((x) => x !== id);
    next.splice(next.indexOf(beforeId), 0, id);
    // The warning (and its button) goes away: keep the keyboard on the moved flow.
    focusAfterMove.current = { id, direction: 'up' };
    commit(next, { id, name: byId.get(id)?.name ?? '' });
  };

  const onDragOver = (event: DragEvent<HTMLLIElement>, id: string) => {
    if (dragging === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    const box = event.currentTarget.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    if (dropAt?.id !== id || dropAt.after !== after) setDropAt({ id, after });
  };
  const onDrop = (event: DragEvent<HTMLLIElement>) => {
    event.preventDefault();
    const moved = dragging;
    const target = dropAt;
    setDragging(null);
    setDropAt(null);
    if (moved === null || target === null || target.id === moved) return;
    const next = ids.filter((x) => x !== moved);
    const at = next.indexOf(target.id) + (target.after ? 1 : 0);
    next.splice(at, 0, moved);
    if (next.join() === ids.join()) return;
    commit(next, { id: moved, name: byId.get(moved)?.name ?? '' });
  };

  return (
    <section className="panel routing-order" aria-labelledby={headingId}>
      <h2 id={headingId}>Route order</h2>
      {entries.length === 0 ? (
        <EmptyState title="No flows yet">
          Create a flow and publish it: new tickets then start on it.
        </EmptyState>
      ) : (
        <ol className="route-list" ref={listRef}>
          {entries.map((entry, index) => {
            const shadowing = shadowingOf(flows, index);
            const drop =
              dropAt?.id === entry.id && dragging !== entry.id ? (dropAt.after ? 'after' : 'before') : '';
            return (
              <li
                key={entry.id}
                data-flow-id={entry.id}
                className={[
                  'route-item',
                  dragging === entry.id ? 'is-dragging' : '',
                  drop ? `drop-${drop}` : '',
                  shadowing ? 'is-shadowed' : '',
                ]
                  .filter(Boolean)
                  .join(' ')}
                draggable
                onDragStart={(event) => {
                  event.dataTransfer.effectAllowed = 'move';
                  event.dataTransfer.setData('text/plain', entry.name);
                  setDragging(entry.id);
                }}
                onDragOver={(event) => onDragOver(event, entry.id)}
                onDrop={onDrop}
                onDragEnd={() => {
                  setDragging(null);
                  setDropAt(null);
                }}
              >
                <span className="route-grip" aria-hidden="true" title="Drag to reorder">
                  <GripVertical size={16} />
                </span>
                <span className="route-pos" aria-hidden="true">
                  {index + 1}
                </span>
                <div className="route-main">
                  <div className="route-title">
                    <Link to={`/flows/${entry.id}`} className="row-title" draggable={false}>
                      {entry.name}
                    </Link>
                    {entry.activeVersion ? (
                      <Badge tone="success">v{entry.activeVersion.number} live</Badge>
                    ) : (
                      <Badge>Not published</Badge>
                    )}
                    {entry.catchAll && <Badge tone="info">Catch-all</Badge>}
                  </div>
                  <p className="route-filters">{filtersLine(entry)}</p>
                  {shadowing && (
                    <div className="route-shadow" role="note">
                      <AlertTriangle size={15} aria-hidden="true" className="route-shadow-icon" />
                      <p>
                        <strong>Never starts.</strong> {shadowing.sentence}.
                      </p>
                      <button
                        type="button"
                        className="btn btn-secondary btn-small"
                        onClick={() => moveBefore(entry.id, shadowing.moveBefore.id)}
                      >
                        Move before {shadowing.moveBefore.name}
                      </button>
                    </div>
                  )}
                </div>
                <div className="route-moves">
                  <button
                    type="button"
                    className="icon-btn"
                    data-direction="up"
                    aria-label={`Move ${entry.name} up`}
                    title="Move up"
                    disabled={index === 0}
                    onClick={() => move(entry.id, 'up')}
                  >
                    <ArrowUp size={16} aria-hidden="true" />
                  </button>
                  <button
                    type="button"
                    className="icon-btn"
                    data-direction="down"
                    aria-label={`Move ${entry.name} down`}
                    title="Move down"
                    disabled={index === entries.length - 1}
                    onClick={() => move(entry.id, 'down')}
                  >
                    <ArrowDown size={16} aria-hidden="true" />
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

type TesterInput = { channel: Channel; category: string; priority: Priority; tier: Tier };

function RouteTester() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<TesterInput>({
    channel: 'email',
    category: '',
    priority: 'normal',
    tier: 'existing',
  });
  const [asked, setAsked] = useState<TesterInput | null>(null);
  const explain = useQuery(trpc.routing.explain.queryOptions(asked ?? draft, { enabled: asked !== null }));
  const headingId = useId();
  const update = <K extends keyof TesterInput>(key: K, value: TesterInput[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAsked({ ...draft, category: draft.category.trim() });
  };

  return (
    <section className="panel routing-tester" aria-labelledby={headingId}>
      <h2 id={headingId}>Which flow takes this ticket?</h2>
      <form onSubmit={onSubmit} className="routing-tester-form">
        <FormField label="Channel">
          {(p) => (
            <select
              {...p}
              value={draft.channel}
              onChange={(e) => update('channel', e.target.value as Channel)}
            >
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {capitalize(c)}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField label="Category" hint="As the ticket carries it, e.g. refund.">
          {(p) => (
            <input
              {...p}
              type="text"
              maxLength={200}
              value={draft.category}
              onChange={(e) => update('category', e.target.value)}
            />
          )}
        </FormField>
        <FormField label="Priority">
          {(p) => (
            <select
              {...p}
              value={draft.priority}
              onChange={(e) => update('priority', e.target.value as Priority)}
            >
              {PRIORITIES.map((v) => (
                <option key={v} value={v}>
                  {capitalize(v)}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField label="Customer tier">
          {(p) => (
            <select {...p} value={draft.tier} onChange={(e) => update('tier', e.target.value as Tier)}>
              {TIERS.map((t) => (
                <option key={t} value={t}>
                  {TIER_LABEL[t]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <button type="submit" className="btn btn-primary routing-submit">
          Find the flow
        </button>
      </form>
      <div className="routing-answer" aria-live="polite">
        {asked === null ? null : explain.isPending ? (
          <Loading label="Asking intake…" />
        ) : explain.isError ? (
          <ErrorState error={explain.error} onRetry={() => void explain.refetch()} />
        ) : (
          <>
            {explain.data.taken ? (
              <p className="routing-taker">
                <Link to={`/flows/${explain.data.taken.id}`} className="row-title">
                  {explain.data.taken.name}
                </Link>{' '}
                takes it ({ordinal(explain.data.taken.position)} in the order).
              </p>
            ) : (
              <p className="routing-taker">
                No flow takes it: the ticket would wait in the managers’ Unrouted queue.
              </p>
            )}
            {explain.data.passed.length > 0 && (
              <>
                <h3 className="routing-passed-title">{explain.data.taken ? 'Tried before it' : 'Tried'}</h3>
                <ol className="routing-passed">
                  {explain.data.passed.map((p) => (
                    <li key={p.id} value={p.position}>
                      <span className="routing-passed-name">{p.name}</span>: {p.miss.text}
                    </li>
                  ))}
                </ol>
              </>
            )}
          </>
        )}
      </div>
    </section>
  );
}
