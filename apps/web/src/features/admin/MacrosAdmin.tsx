import { MACRO_PLACEHOLDERS } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Pencil, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { toast } from 'sonner';
import { EmptyState, ErrorState, Loading } from '../../ui/States.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';

type Macro = { id: string; name: string; body: string };

function MacroForm({
  initial,
  pending,
  error,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: { name: string; body: string };
  pending: boolean;
  error: string | null;
  submitLabel: string;
  onSubmit: (macro: { name: string; body: string }) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [name, setName] = useState(initial.name);
  const [body, setBody] = useState(initial.body);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? error;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return setProblem('Enter a name.');
    if (body.trim() === '') return setProblem('Write the macro’s text.');
    setProblem(null);
    onSubmit({ name: name.trim(), body });
  };
  return (
    <form className="macro-form" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          type="text"
          id={`${id}-name`}
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-body`}>Text</label>
        <textarea
          id={`${id}-body`}
          rows={5}
          value={body}
          maxLength={10_000}
          onChange={(e) => setBody(e.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <span id={`${id}-hint`} className="field-hint">
          Placeholders: {MACRO_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')} and any custom field by its key,
          e.g. {'{{order_ref}}'}.
        </span>
      </div>
      {shown && (
        <p className="field-error" role="alert">
          {shown}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The organization's macros: canned replies and notes agents insert on a ticket, their placeholders
 * filled from the ticket and its customer. Every change is in the audit log.
 */
export function MacrosAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const macros = useQuery(trpc.macros.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.macros.list.queryKey() });
  const create = useMutation(
    trpc.macros.create.mutationOptions({
      onSuccess: (m) => {
        setCreating(false);
        refresh();
        toast.success(`Macro “${m.name}” created.`);
      },
    }),
  );
  const update = useMutation(
    trpc.macros.update.mutationOptions({
      onSuccess: (m) => {
        setEditing(null);
        refresh();
        toast.success(`Macro “${m.name}” saved.`);
      },
    }),
  );
  const remove = useMutation(
    trpc.macros.delete.mutationOptions({
      onSuccess: () => {
        refresh();
        toast.success('Macro deleted.');
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );

  return (
    <section aria-labelledby="macros-heading">
      <div className="page-head">
        <div>
          <h2 id="macros-heading" className="section-title">
            Macros
          </h2>
          <p className="page-sub">
            Canned replies agents insert into a reply or an internal note, filled in for the ticket.
          </p>
        </div>
        {!creating && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              create.reset();
              setCreating(true);
            }}
          >
            <Plus size={16} aria-hidden="true" /> New macro
          </button>
        )}
      </div>
      {creating && (
        <div className="panel admin-form">
          <MacroForm
            initial={{ name: '', body: 'Hi {{customer.firstName}},\n\n' }}
            pending={create.isPending}
            error={create.error ? errorMessage(create.error) : null}
            submitLabel="Create macro"
            onSubmit={(m) => create.mutate(m)}
            onCancel={() => setCreating(false)}
          />
        </div>
      )}
      {macros.isPending ? (
        <Loading label="Loading macros…" />
      ) : macros.isError ? (
        <ErrorState error={macros.error} onRetry={() => void macros.refetch()} />
      ) : macros.data.length === 0 ? (
        <EmptyState title="No macros yet">
          Create one for each answer your team writes again and again.
        </EmptyState>
      ) : (
        <ul className="macro-list">
          {macros.data.map((m: Macro) => (
            <li key={m.id} className="panel macro-card">
              {editing === m.id ? (
                <MacroForm
                  initial={m}
                  pending={update.isPending}
                  error={update.error ? errorMessage(update.error) : null}
                  submitLabel="Save macro"
                  onSubmit={(next) => update.mutate({ macroId: m.id, ...next })}
                  onCancel={() => setEditing(null)}
                />
              ) : (
                <>
                  <div className="macro-card-head">
                    <h3>{m.name}</h3>
                    <div className="macro-card-actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        aria-label={`Edit macro ${m.name}`}
                        onClick={() => {
                          update.reset();
                          setEditing(m.id);
                        }}
                      >
                        <Pencil size={14} aria-hidden="true" /> Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        aria-label={`Delete macro ${m.name}`}
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(`Delete the macro “${m.name}”?`))
                            remove.mutate({ macroId: m.id });
                        }}
                      >
                        <Trash2 size={14} aria-hidden="true" /> Delete
                      </button>
                    </div>
                  </div>
                  <pre className="macro-body">{m.body}</pre>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
