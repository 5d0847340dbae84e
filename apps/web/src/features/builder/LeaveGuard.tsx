import { useContext, useEffect } from 'react';
import { UNSAFE_DataRouterContext, useBlocker, useNavigate } from 'react-router';
import { toast } from 'sonner';
import type { DraftSaver } from './DraftSaver.ts';

const NOT_SAVED = 'Your latest changes are not saved yet: resolve the save problem before leaving.';

/** With a data router, react-router's blocker holds a navigation until the draft is saved. */
function BlockerGuard({ saver }: { saver: DraftSaver }) {
  const blocker = useBlocker(() => saver.dirty);
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    void saver.flush().then((saved) => {
      if (saved) blocker.proceed();
      else {
        blocker.reset();
        toast.error(NOT_SAVED);
      }
    });
  }, [blocker, saver]);
  return null;
}

/**
 * Leaving the builder never loses work: an in-app link waits for the draft to be saved (and stays on
 * the page, saying why, when it cannot be), and closing the tab with unsaved changes asks first
 * (`useDraftSaver`'s `beforeunload`). Uses react-router's `useBlocker` under a data router; under a
 * plain `<BrowserRouter>` it holds the app's own link clicks instead.
 */
export function LeaveGuard({ saver }: { saver: DraftSaver }) {
  const dataRouter = useContext(UNSAFE_DataRouterContext);
  const navigate = useNavigate();
  useEffect(() => {
    if (dataRouter) return;
    const onClick = (event: MouseEvent) => {
      if (!saver.dirty || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const target = event.target instanceof Element ? event.target : null;
      const anchor = target?.closest('a[href]');
      if (!(anchor instanceof HTMLAnchorElement)) return;
      if ((anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download')) return;
      if (anchor.origin !== window.location.origin) return;
      event.preventDefault();
      event.stopPropagation();
      const to = anchor.pathname + anchor.search + anchor.hash;
      void saver.flush().then((saved) => {
        if (saved) void navigate(to);
        else toast.error(NOT_SAVED);
      });
    };
    document.addEventListener('click', onClick, true);
    return () => document.removeEventListener('click', onClick, true);
  }, [dataRouter, saver, navigate]);
  return dataRouter ? <BlockerGuard saver={saver} /> : null;
}
