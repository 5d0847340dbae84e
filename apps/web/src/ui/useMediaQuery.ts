import { useSyncExternalStore } from 'react';

/** The width below which the app lays out for a phone (one column, the top bar as a menu, no editing canvas). */
export const PHONE_QUERY = '(max-width: 760px)';

/** Whether a CSS media query matches now, following changes (a rotated tablet, a resized window). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}
