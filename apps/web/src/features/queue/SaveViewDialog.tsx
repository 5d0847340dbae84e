import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Dialog } from '../../ui/Dialog.tsx';
import { FormField } from '../../ui/FormField.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { type QueueFilters, type QueueView, toSavedQuery, VIEW_LABELS } from './queueFilters.ts';

/** Saves the queue's current view, filters and sort under a name, for oneself or for one of one's teams. */
export function SaveViewDialog({
  filters,
  view,
  onClose,
  onSaved,
}: {
  filters: QueueFilters;
  view: QueueView;
  onClose: () => void;
  onSaved: (id: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState('');
  const [error, setError] = useState<string | undefined>();
  const userId = me.data?.user.id;
  const shareable = (teams.data ?? []).filter(
    (t) => me.data?.role !== 'agent' || (userId !== undefined && t.memberIds.includes(userId)),
  );
  const save = useMutation(
    trpc.views.create.mutationOptions({
      onSuccess: (saved) => {
        void queryClient.invalidateQueries({ queryKey: trpc.views.list.queryKey() });
        toast.success(`Saved the view “${name.trim()}”.`);
        onSaved(saved.id);
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setError('Enter a name.');
      return;
    }
    save.mutate({ name: name.trim(), teamId: teamId || null, query: toSavedQuery(filters, view) });
  };

  return (
    <Dialog
      open
      title="Save this view"
      description={
        <>
          Saves {filters.search ? `the search “${filters.search}”` : `“${VIEW_LABELS[view]}”`} with its
          filters and order.
        </>
      }
      onClose={onClose}
    >
      <form onSubmit={submit} noValidate>
        <FormField label="Name" required error={error}>
          {(control) => (
            <input
              {...control}
              type="text"
              maxLength={80}
              value={name}
              autoFocus
              onChange={(e) => {
                setName(e.target.value);
                setError(undefined);
              }}
            />
          )}
        </FormField>
        <FormField label="Share with" hint="Members of the team see it in their queue.">
          {(control) => (
            <select {...control} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">Only me</option>
              {shareable.map((t) => (
                <option key={t.id} value={t.id}>
                  Team {t.name}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <div className="modal-foot">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save view
          </button>
        </div>
      </form>
    </Dialog>
  );
}
