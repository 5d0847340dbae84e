import { lazy, Suspense, useState } from 'react';
import { Loading } from '../../ui/States.tsx';
import { PHONE_QUERY } from '../../ui/useMediaQuery.ts';
import { PhoneFlowView } from './PhoneFlowView.tsx';

// The builder (React Flow, the flow engine, the inspector) is the heaviest screen: load it on first use.
const BuilderPage = lazy(() => import('./BuilderPage.tsx').then((m) => ({ default: m.BuilderPage })));

/**
 * The route element of `/flows/:flowId/edit`: the builder, or the draft read-only on a phone. Decided as
 * the page opens: a window narrowed while editing keeps its builder (and the edits in it).
 */
export function BuilderRoute() {
  const [phone] = useState(() => window.matchMedia(PHONE_QUERY).matches);
  if (phone) return <PhoneFlowView />;
  return (
    <Suspense fallback={<Loading label="Loading the builder…" />}>
      <BuilderPage />
    </Suspense>
  );
}
