import { lazy, Suspense } from 'react';
import { Loading } from '../../ui/States.tsx';

// The charts library is large and only managers open analytics: load it with the page.
const AnalyticsPage = lazy(() => import('./AnalyticsPage.tsx').then((m) => ({ default: m.AnalyticsPage })));

export function LazyAnalyticsPage() {
  return (
    <Suspense fallback={<Loading label="Loading analytics…" />}>
      <AnalyticsPage />
    </Suspense>
  );
}
