import { PRIORITIES } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Save, Shuffle } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { toast } from 'sonner';
import { capitalize } from '../../ui/Badge.tsx';
import { errorCode, errorMessage, type TicketDetail, useTRPC } from '../../trpc.ts';
import { refreshQueue } from '../queue/refreshQueue.ts';

type Props = {
  detail: TicketDetail;
  /** The ticket's sequence after this agent's own change, so it is not announced as news. */
  onChanged: (seq: number) => void;
};

function tagsOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

/**
 * Working the ticket by hand: edit its priority, category, tags and custom fields, or hand it to a named
 * agent or a team with a reason. Each is one move on the ticket as this page shows it (a ticket that
 * changed meanwhile is refused and shown as it is now), recorded on the timeline.
 */
export function WorkPanel({ detail, onChanged }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const t = detail.ticket;
  const ticketKey = trpc.tickets.get.queryKey({ ticketId: t.id });
  const fieldDefs = (detail.version?.document.fields ?? []).filter(
    (f) => f.type === 'text' || f.type === 'number',
  );
  const [priority, setPriority] = useState(t.priority);
  const [category, setCategory] = useState(t.category);
  const [tags, setTags] = useState(t.tags.join(', '));
  const [fields, setFields] = useState<Record<string, string>>(() =>
    Object.fromEntries(fieldDefs.map((f) => [f.key, t.fields[f.key] == null ? '' : String(t.fields[f.key])])),
  );
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [editError, setEditError] = useState<string | null>(null);
  const [moveError, setMoveError] = useState<string | null>(null);
  const people = useQuery(trpc.work.people.queryOptions());
  const teams = useQuery(trpc.teams.list.queryOptions());

  const landed = (page: TicketDetail, message: string) => {
    onChanged(page.ticket.seq);
    queryClient.setQueryData(ticketKey, page);
    refreshQueue(queryClient, trpc);
    toast.success(message);
  };
  const refused = (error: unknown, set: (text: string) => void) => {
    if (errorCode(error) === 'CONFLICT') {
      void queryClient.invalidateQueries({ queryKey: ticketKey });
      set('This ticket changed a moment ago; here it is as it is now. Check and try again.');
    } else set(errorMessage(error));
  };
  const edit = useMutation(
    trpc.work.edit.mutationOptions({
      onSuccess: (page) => {
        setEditError(null);
        landed(page, page.ticket.seq === t.seq ? 'Nothing to change.' : 'Ticket updated.');
      },
      onError: (error) => refused(error, setEditError),
    }),
  );
  const reassign = useMutation(
    trpc.work.reassign.mutationOptions({
      onSuccess: (page) => {
        setMoveError(null);
        setTarget('');
        setReason('');
        landed(page, `Reassigned to ${page.ticket.assigneeName ?? page.ticket.teamName ?? 'nobody'}.`);
      },
      onError: (error) => refused(error, setMoveError),
    }),
  );

  const saveEdit = (event: FormEvent) => {
    event.preventDefault();
    const values: Record<string, string | number | null> = {};
    for (const f of fieldDefs) {
      const raw = (fields[f.key] ?? '').trim();
      if (raw === '') values[f.key] = null;
      else if (f.type === 'number') {
        const n = Number(raw);
        if (!Number.isFinite(n)) {
          setEditError(`${f.label} is a number.`);
          return;
        }
        values[f.key] = n;
      } else values[f.key] = raw;
    }
    edit.mutate({
      ticketId: t.id,
      expectedSeq: t.seq,
      priority: priority as (typeof PRIORITIES)[number],
      category: category.trim(),
      tags: tagsOf(tags),
      ...(fieldDefs.length > 0 ? { fields: values } : {}),
    });
  };
  const saveMove = (event: FormEvent) => {
    event.preventDefault();
    if (target === '') {
      setMoveError('Choose the agent or team to hand the ticket to.');
      return;
    }
    if (reason.trim() === '') {
      setMoveError('Say why the ticket is reassigned.');
      return;
    }
    const [kind, targetId = ''] = target.split(':');
    reassign.mutate({
      ticketId: t.id,
      expectedSeq: t.seq,
      reason: reason.trim(),
      ...(kind === 'team' ? { teamId: targetId } : { assigneeId: targetId }),
    });
  };
  const open = t.status !== 'ended' && t.status !== 'unrouted';

  return (
    <section className="panel work-panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Work the ticket</h2>
      <form className="work-form" onSubmit={saveEdit} aria-busy={edit.isPending}>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select id={`${id}-priority`} value={priority} onChange={(e) => setPriority(e.target.value)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {capitalize(p)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-category`}>Category</label>
          <input
            type="text"
            id={`${id}-category`}
            value={category}
            maxLength={200}
            onChange={(e) => setCategory(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tags`}>Tags</label>
          <input
            type="text"
            id={`${id}-tags`}
            value={tags}
            placeholder="comma, separated"
            onChange={(e) => setTags(e.target.value)}
          />
        </div>
        {fieldDefs.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={`${id}-field-${f.key}`}>{f.label}</label>
            <input
              type="text"
              id={`${id}-field-${f.key}`}
              inputMode={f.type === 'number' ? 'decimal' : undefined}
              value={fields[f.key] ?? ''}
              onChange={(e) => setFields((prev) => ({ ...prev, [f.key]: e.target.value }))}
            />
          </div>
        ))}
        {editError && (
          <p className="field-error" role="alert">
            {editError}
          </p>
        )}
        <button type="submit" className="btn btn-secondary btn-small" disabled={edit.isPending}>
          <Save size={14} aria-hidden="true" /> {edit.isPending ? 'Saving…' : 'Save changes'}
        </button>
      </form>

      {open && (
        <form className="work-form" onSubmit={saveMove} aria-busy={reassign.isPending}>
          <div className="field">
            <label htmlFor={`${id}-target`}>Reassign to</label>
            <select id={`${id}-target`} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">Choose an agent or team…</option>
              <optgroup label="People">
                {(people.data ?? []).map((p) => (
                  <option key={p.id} value={`user:${p.id}`} disabled={p.id === t.assigneeId}>
                    {p.name}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Teams">
                {(teams.data ?? []).map((team) => (
                  <option key={team.id} value={`team:${team.id}`}>
                    {team.name}
                  </option>
                ))}
              </optgroup>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Why reassign</label>
            <textarea
              id={`${id}-reason`}
              rows={2}
              maxLength={500}
              value={reason}
              placeholder="Why it goes there (shown on the timeline)"
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          {moveError && (
            <p className="field-error" role="alert">
              {moveError}
            </p>
          )}
          <button type="submit" className="btn btn-secondary btn-small" disabled={reassign.isPending}>
            <Shuffle size={14} aria-hidden="true" /> {reassign.isPending ? 'Reassigning…' : 'Reassign'}
          </button>
        </form>
      )}
    </section>
  );
}
