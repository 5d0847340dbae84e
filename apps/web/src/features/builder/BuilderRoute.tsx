import { lazy, Suspense } from 'react';
import { Loading } from '../../ui/States.tsx';

// The builder (React Flow, the flow engine, the inspector) is the heaviest screen: load it on first use.
const BuilderPage = lazy(() => import('./BuilderPage.tsx').then((m) => ({ default: m.BuilderPage })));

/** The route element of `/flows/:flowId/edit`. */
export function BuilderRoute() {
  return (
    <Suspense fallback={<Loading label="Loading the builder…" />}>
      <BuilderPage />
    </Suspense>
  );
}
