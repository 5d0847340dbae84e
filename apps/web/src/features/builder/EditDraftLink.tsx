import { PencilRuler } from 'lucide-react';
import { Link } from 'react-router';
import { useMe } from '../auth/useMe.ts';

/** "Edit draft" on a flow's page, for managers and admins. */
export function EditDraftLink({ flowId }: { flowId: string }) {
  const me = useMe();
  if (!me.data || me.data.role === 'agent') return null;
  return (
    <Link to={`/flows/${flowId}/edit`} className="btn btn-secondary edit-draft-link">
      <PencilRuler size={15} aria-hidden="true" /> Edit draft
    </Link>
  );
}
