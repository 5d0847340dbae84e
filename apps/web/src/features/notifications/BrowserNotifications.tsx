import { useEffect, useRef, useState } from 'react';
import {
  BROWSER_CHOICE_KEY,
  freshUnread,
  NOTIFICATION_WORDS,
  type NotificationKind,
} from './notificationWords.ts';

type Item = {
  id: string;
  kind: NotificationKind;
  ticketId: string;
  ticketNumber: number;
  subject: string;
  readAt: string | null;
};

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

function chosen(): boolean {
  try {
    return window.localStorage.getItem(BROWSER_CHOICE_KEY) === 'on';
  } catch {
    return false;
  }
}

function choose(on: boolean) {
  try {
    if (on) window.localStorage.setItem(BROWSER_CHOICE_KEY, 'on');
    else window.localStorage.removeItem(BROWSER_CHOICE_KEY);
  } catch {
    // Storage refused (private mode): the choice lasts this page only.
  }
}

/**
 * Shows a browser notification for each new unread notification while the tab is in the background,
 * when the user turned them on (and the browser allows them). The first answer only sets what is known:
 * nothing old pops up on opening the app.
 */
export function useBrowserNotifications(items: readonly Item[], open: (ticketId: string) => void) {
  const known = useRef<Set<string> | null>(null);
  const opener = useRef(open);
  opener.current = open;
  useEffect(() => {
    const fresh = freshUnread(known.current, items);
    known.current = new Set([...(known.current ?? []), ...items.map((n) => n.id)]);
    if (fresh.length === 0 || !supported() || !chosen()) return;
    if (Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
    for (const id of fresh) {
      const n = items.find((item) => item.id === id);
      if (!n) continue;
      const shown = new Notification(NOTIFICATION_WORDS[n.kind], {
        body: `#${n.ticketNumber} ${n.subject}`,
        tag: n.id,
      });
      shown.onclick = () => {
        window.focus();
        opener.current(n.ticketId);
        shown.close();
      };
    }
  }, [items]);
}

/**
 * Turns browser notifications on or off. The browser's permission is asked only here, when the user
 * clicks (never on page load); a refusal is the browser's to undo, and the button says so.
 */
export function BrowserNotificationsToggle() {
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'denied'));
  const [on, setOn] = useState(() => supported() && chosen() && Notification.permission === 'granted');
  if (!supported()) return null;
  if (permission === 'denied') {
    return (
      <p className="notify-foot muted">
        Browser notifications are blocked for this site in your browser’s settings.
      </p>
    );
  }
  return (
    <div className="notify-foot">
      <button
        type="button"
        className="link-btn"
        aria-pressed={on}
        onClick={async () => {
          if (on) {
            choose(false);
            setOn(false);
            return;
          }
          const answer = permission === 'granted' ? 'granted' : await Notification.requestPermission();
          setPermission(answer);
          if (answer === 'granted') {
            choose(true);
            setOn(true);
          }
        }}
      >
        {on ? 'Turn off browser notifications' : 'Also notify me in the browser'}
      </button>
      <span className="muted"> {on ? 'On while this tab is in the background.' : ''}</span>
    </div>
  );
}
