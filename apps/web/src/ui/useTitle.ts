import { useEffect } from 'react';

/** Sets the browser tab's title to `<title> · Stepwise` while the page is shown. */
export function useTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Stepwise` : 'Stepwise';
  }, [title]);
}
