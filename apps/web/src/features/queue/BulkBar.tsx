import { PRIORITIES } from '@stepwise/flow/vocabulary';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { toast } from 'sonner';
import { useMe } from '../auth/useMe.ts';
import { capitalize } from '../../ui/Badge.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';
import type { RowSelection } from './useRowSelection.ts';
import { refreshQueue } from './refreshQueue.ts';

type Action = 'take' | 'assign' | 'priority' | 'tag';

/** One line per ticket a bulk action could not apply, and why. */
type Report = Array<{ number: number; message: string }>;

/**
 * Acts on the selected queue rows at once: take them, assign them to someone, set their priority or add
 * a tag. Each ticket is its own compare-and-set at the sequence number the queue showed it at, so a
 * ticket someone moved meanwhile is listed here (and left as they left it) while the rest are applied.
 */
export function BulkBar({ selection }: { selection: RowSelection }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const me = useMe();
  const manages = me.data?.role === 'admin' || me.data?.role === 'manager';
  const people = useQuery({ ...trpc.work.people.queryOptions(), enabled: manages });
  const [action, setAction] = useState<Action>('take');
  const [assignee, setAssignee] = useState('');
  const [priority, setPriority] = useState<(typeof PRIORITIES)[number]>('high');
  const [tag, setTag] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<Report>([]);
  const bulk = useMutation(
    trpc.work.bulk.mutationOptions({
      onSuccess: (result) => {
        const numbers = new Map(selection.selected.map((r) => [r.id, r.number]));
        setReport(
          result.results
            .filter((r) => r.outcome !== 'applied' && r.outcome !== 'unchanged')
            .map((r) => ({ number: numbers.get(r.ticketId) ?? 0, message: r.message ?? r.outcome })),
        );
        selection.clear();
        setError(null);
        // The queue reads its rows from tickets.list, and the views' counts move with them.
        refreshQueue(queryClient, trpc);
        if (result.failed === 0) toast.success(`Done on ${result.applied} tickets.`);
        else toast.warning(`Done on ${result.applied}; ${result.failed} not changed (see the list).`);
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const count = selection.selected.length;
  if (count === 0 && report.length === 0) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (action === 'assign' && assignee === '') return setError('Choose who gets the tickets.');
    if (action === 'tag' && tag.trim() === '') return setError('Write the tag to add.');
    const tickets = selection.selected.map((r) => ({ ticketId: r.id, expectedSeq: r.seq }));
    setReport([]);
    bulk.mutate({
      tickets,
      action:
        action === 'take'
          ? { kind: 'take' }
          : action === 'assign'
            ? { kind: 'assign', assigneeId: assignee }
            : action === 'priority'
              ? { kind: 'priority', priority }
              : { kind: 'tag', tag: tag.trim() },
    });
  };

  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      {count > 0 && (
        <form className="bulk-form" onSubmit={submit} aria-busy={bulk.isPending}>
          <strong className="bulk-count">{count} selected</strong>
          <label htmlFor={`${id}-action`} className="sr-only">
            Action
          </label>
          <select id={`${id}-action`} value={action} onChange={(e) => setAction(e.target.value as Action)}>
            <option value="take">Take</option>
            {manages && <option value="assign">Assign to…</option>}
            <option value="priority">Set priority…</option>
            <option value="tag">Add tag…</option>
          </select>
          {action === 'assign' && (
            <>
              <label htmlFor={`${id}-assignee`} className="sr-only">
                Assignee
              </label>
              <select id={`${id}-assignee`} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                <option value="">Choose a person…</option>
                {(people.data ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </>
          )}
          {action === 'priority' && (
            <>
              <label htmlFor={`${id}-priority`} className="sr-only">
                Priority
              </label>
              <select
                id={`${id}-priority`}
                value={priority}
                onChange={(e) => setPriority(e.target.value as (typeof PRIORITIES)[number])}
              >
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {capitalize(p)}
                  </option>
                ))}
              </select>
            </>
          )}
          {action === 'tag' && (
            <>
              <label htmlFor={`${id}-tag`} className="sr-only">
                Tag
              </label>
              <input
                type="text"
                id={`${id}-tag`}
                value={tag}
                maxLength={100}
                placeholder="Tag"
                onChange={(e) => setTag(e.target.value)}
              />
            </>
          )}
          <button type="submit" className="btn btn-primary btn-small" disabled={bulk.isPending}>
            {bulk.isPending ? 'Applying…' : 'Apply'}
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={selection.clear}>
            Clear selection
          </button>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
      {report.length > 0 && (
        <div className="bulk-report" role="status">
          <div className="bulk-report-head">
            <strong>Not changed ({report.length})</strong>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              aria-label="Dismiss the list"
              onClick={() => setReport([])}
            >
              <X size={14} aria-hidden="true" />
            </button>
          </div>
          <ul>
            {report.map((r) => (
              <li key={r.number}>
                #{r.number}: {r.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
