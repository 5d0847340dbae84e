import { Plus } from 'lucide-react';
import { lazy, Suspense, useState } from 'react';
import { useMe } from '../auth/useMe.ts';

// The dialog brings the templates (and the flow package's schema): load it when first opened.
const NewFlowDialog = lazy(() => import('./NewFlowDialog.tsx').then((m) => ({ default: m.NewFlowDialog })));

/** "New flow" on the flows list, for managers and admins. */
export function NewFlowButton() {
  const me = useMe();
  const [open, setOpen] = useState(false);
  if (!me.data || me.data.role === 'agent') return null;
  return (
    <>
      <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
        <Plus size={15} aria-hidden="true" /> New flow
      </button>
      {open && (
        <Suspense fallback={null}>
          <NewFlowDialog open={open} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
