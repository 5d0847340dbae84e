import { useLayoutEffect } from 'react';

/** How long after a dialog closes its opener is watched: the list it sits in may refresh a moment later. */
const WATCH_MS = 3000;

/**
 * Gives the keyboard back when a dialog closes. The element that had focus when the dialog opened gets it
 * again — the browser does this for a `<dialog>` that is closed, but not for one that is unmounted. When
 * the opener is gone, at once or when its list refreshes a moment later (a row deleted from its own menu),
 * the page's main region takes the focus, so it never falls to the document's body, where the next Tab
 * starts over from the top. Focus that something moved on purpose meanwhile is left where it is.
 */
export function useReturnFocus(open: boolean): void {
  useLayoutEffect(() => {
    if (!open) return;
    // Layout effects run before the dialog's own effect opens it: this is still the opener.
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    return () => {
      const dropped = () =>
        !(document.activeElement instanceof HTMLElement) || document.activeElement === document.body;
      const toMain = () => document.getElementById('main')?.focus({ preventScroll: true });
      requestAnimationFrame(() => {
        if (!dropped()) {
          if (document.activeElement !== opener) return;
        } else if (opener?.isConnected && !opener.closest('[inert]')) opener.focus({ preventScroll: true });
        else {
          toMain();
          return;
        }
        // The opener has the focus back; if its row disappears next, focus would drop with it.
        const watch = new MutationObserver(() => {
          if (opener?.isConnected) return;
          watch.disconnect();
          if (dropped()) toMain();
        });
        watch.observe(document.body, { childList: true, subtree: true });
        setTimeout(() => watch.disconnect(), WATCH_MS);
      });
    };
  }, [open]);
}
