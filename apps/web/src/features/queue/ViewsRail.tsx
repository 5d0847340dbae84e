import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Trash2, Users } from 'lucide-react';
import { toast } from 'sonner';
import { errorMessage, type SavedView, useTRPC, type ViewList } from '../../trpc.ts';
import { type QueueView, VIEW_LABELS } from './queueFilters.ts';

/** The queue's views with their live counts: the built-in ones, then the saved ones (own and shared). */
export function ViewsRail({
  views,
  active,
  onBuiltIn,
  onSaved,
  onDeleted,
}: {
  views: ViewList | undefined;
  /** The built-in view or saved view id shown now; null while a search is shown. */
  active: string | null;
  onBuiltIn: (view: QueueView) => void;
  onSaved: (view: SavedView) => void;
  onDeleted: (id: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.views.remove.mutationOptions({
      onSuccess: (_, input) => {
        void queryClient.invalidateQueries({ queryKey: trpc.views.list.queryKey() });
        onDeleted(input.viewId);
      },
      onError: (error) => toast.error(`Could not delete the view: ${errorMessage(error)}`),
    }),
  );
  const builtIn = views?.builtIn ?? [];
  const saved = views?.saved ?? [];
  return (
    <nav className="views-rail" aria-label="Views">
      <ul className="views-list">
        {builtIn.map((v) => (
          <li key={v.id}>
            <button
              type="button"
              className="view-btn"
              aria-current={active === v.id ? 'true' : undefined}
              onClick={() => onBuiltIn(v.id)}
            >
              <span className="view-name">{VIEW_LABELS[v.id]}</span>
              <span className="view-count">{v.count.toLocaleString()}</span>
            </button>
          </li>
        ))}
      </ul>
      {saved.length > 0 && (
        <>
          <h2 className="views-heading">Saved views</h2>
          <ul className="views-list">
            {saved.map((v) => (
              <li key={v.id} className="saved-view">
                <button
                  type="button"
                  className="view-btn"
                  aria-current={active === v.id ? 'true' : undefined}
                  onClick={() => onSaved(v)}
                  title={
                    v.teamName
                      ? `Shared with ${v.teamName}${v.mine ? '' : ` by ${v.ownerName}`}`
                      : 'Only you see this view'
                  }
                >
                  <span className="view-name">
                    {v.teamName && <Users size={13} aria-label={`Shared with ${v.teamName}`} />} {v.name}
                  </span>
                  <span className="view-count">{v.count.toLocaleString()}</span>
                </button>
                {v.mine && (
                  <button
                    type="button"
                    className="icon-btn view-delete"
                    aria-label={`Delete view ${v.name}`}
                    title="Delete this view"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate({ viewId: v.id })}
                  >
                    <Trash2 size={14} aria-hidden="true" />
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
