import { Bell, BellRing, CheckCheck } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { useNow } from '../../ui/useNow.ts';
import { BrowserNotificationsToggle, useBrowserNotifications } from './BrowserNotifications.tsx';
import { NOTIFICATION_WORDS } from './notificationWords.ts';
import { useNotifications } from './useNotifications.ts';

/**
 * The top bar's bell: the unread count, and a panel of the newest notifications (a ticket assigned to
 * me, an SLA breach on my ticket, a customer's reply), each a link to its ticket that marks it read.
 * Stays in the bar on a phone (outside the menu).
 */
export function NotificationBell() {
  const { list, markRead, markAllRead } = useNotifications();
  const [open, setOpen] = useState(false);
  const id = useId();
  const panel = useRef<HTMLElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const now = useNow(60_000);
  const navigate = useNavigate();
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items ?? [];
  useBrowserNotifications(items, (ticketId) => void navigate(`/tickets/${ticketId}`));

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (target && !panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('pointerdown', onPointerDown);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('pointerdown', onPointerDown);
    };
  }, [open]);

  const Icon = unread > 0 ? BellRing : Bell;
  return (
    <div className="notify">
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-small notify-button"
        aria-expanded={open}
        aria-controls={id}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        title="Notifications"
        onClick={() => setOpen((o) => !o)}
      >
        <Icon size={17} aria-hidden="true" />
        {unread > 0 && (
          <span className="notify-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      <section ref={panel} id={id} className="notify-panel" hidden={!open} aria-label="Your notifications">
        {open && (
          <>
            <div className="notify-head">
              <h2>Notifications</h2>
              <button
                type="button"
                className="btn btn-ghost btn-small"
                disabled={unread === 0 || markAllRead.isPending}
                onClick={() => markAllRead.mutate()}
              >
                <CheckCheck size={15} aria-hidden="true" /> Mark all read
              </button>
            </div>
            {list.isError ? (
              <p className="notify-empty">
                Notifications could not be loaded. They will be tried again shortly.
              </p>
            ) : items.length === 0 ? (
              <p className="notify-empty">
                Nothing yet. You will hear here when a ticket is assigned to you, its SLA is breached or its
                customer replies.
              </p>
            ) : (
              <ul className="notify-list">
                {items.map((n) => (
                  <li key={n.id} className={n.readAt === null ? 'is-unread' : undefined}>
                    <Link
                      to={`/tickets/${n.ticketId}`}
                      onClick={() => {
                        if (n.readAt === null) markRead.mutate({ notificationIds: [n.id] });
                        setOpen(false);
                      }}
                    >
                      <span className="notify-kind">
                        {n.readAt === null && <span className="sr-only">Unread: </span>}
                        {NOTIFICATION_WORDS[n.kind]}
                      </span>
                      <span className="notify-ticket">
                        #{n.ticketNumber} {n.subject}
                      </span>
                      <span className="notify-meta">
                        {n.customerName} ·{' '}
                        <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
                          {formatRelative(n.createdAt, now)}
                        </time>
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            <BrowserNotificationsToggle />
          </>
        )}
      </section>
    </div>
  );
}
