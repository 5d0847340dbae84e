import { TEMPLATES } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FilePlus2, LayoutTemplate, Plus } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { Dialog } from './Dialog.tsx';
import { emptyDocument } from './documentOps.ts';
import { mapTemplateTeams, placeholderKey } from './templates.ts';

const BLANK = '';

/** A name not yet taken by a flow of the organization: `Refund request`, else `Refund request 2`, … */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const name = `${base} ${i}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/**
 * Creates a flow: a name, and a blank canvas or one of the templates (its placeholder teams mapped to
 * the organization's teams by name), then opens it in the builder.
 */
export function NewFlowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const id = useId();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [templateId, setTemplateId] = useState(BLANK);
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const taken = useMemo(() => new Set((flows.data ?? []).map((f) => f.name.toLowerCase())), [flows.data]);
  const template = TEMPLATES.find((t) => t.id === templateId);
  const mapping = useMemo(
    () => (template && teams.data ? mapTemplateTeams(template.document, teams.data) : null),
    [template, teams.data],
  );

  const create = useMutation(
    trpc.flows.create.mutationOptions({
      onSuccess: async (created) => {
        await queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
        onClose();
        await navigate(`/flows/${created.id}/edit`);
      },
    }),
  );

  const choose = (next: string) => {
    setTemplateId(next);
    const t = TEMPLATES.find((x) => x.id === next);
    if (!nameTouched) setName(t ? freeName(t.name, taken) : '');
  };
  const trimmed = name.trim();
  const nameTaken = trimmed !== '' && taken.has(trimmed.toLowerCase());
  const canCreate =
    trimmed !== '' && !nameTaken && !create.isPending && (template === undefined || mapping !== null);

  return (
    <Dialog
      open={open}
      onClose={onClose}
      wide
      title="New flow"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={`${id}-form`} className="btn btn-primary" disabled={!canCreate}>
            <Plus size={15} aria-hidden="true" /> {create.isPending ? 'Creating…' : 'Create and open'}
          </button>
        </>
      }
    >
      <form
        id={`${id}-form`}
        className="new-flow"
        onSubmit={(e) => {
          e.preventDefault();
          if (!canCreate) return;
          create.mutate({
            name: trimmed,
            description: template?.description ?? '',
            document: mapping?.document ?? emptyDocument(),
          });
        }}
      >
        <div className={nameTaken ? 'field has-error' : 'field'}>
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            type="text"
            value={name}
            maxLength={200}
            placeholder="e.g. Refund request"
            aria-invalid={nameTaken || undefined}
            onChange={(e) => {
              setName(e.target.value);
              setNameTouched(true);
            }}
          />
          {nameTaken && <p className="field-error">A flow with this name exists already.</p>}
        </div>
        <fieldset className="template-picker">
          <legend>Start from</legend>
          <label className={templateId === BLANK ? 'template-card is-selected' : 'template-card'}>
            <input
              type="radio"
              name={`${id}-template`}
              checked={templateId === BLANK}
              onChange={() => choose(BLANK)}
            />
            <span className="template-icon">
              <FilePlus2 size={18} aria-hidden="true" />
            </span>
            <span className="template-text">
              <span className="template-name">Blank canvas</span>
              <span className="template-desc">An empty canvas: drag nodes from the palette.</span>
            </span>
          </label>
          {TEMPLATES.map((t) => (
            <label key={t.id} className={templateId === t.id ? 'template-card is-selected' : 'template-card'}>
              <input
                type="radio"
                name={`${id}-template`}
                checked={templateId === t.id}
                onChange={() => choose(t.id)}
              />
              <span className="template-icon">
                <LayoutTemplate size={18} aria-hidden="true" />
              </span>
              <span className="template-text">
                <span className="template-name">{t.name}</span>
                <span className="template-desc">{t.description}</span>
                <span className="template-meta">
                  {t.document.nodes.length} nodes · {t.document.nodes.filter((n) => n.type === 'step').length}{' '}
                  steps
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        {mapping && mapping.missing.length > 0 && (
          <p className="notice notice-warning">
            Your workspace has no team named {mapping.missing.map((m) => `“${placeholderKey(m)}”`).join(', ')}
            : those steps start without a team, and the builder asks you to pick one.
          </p>
        )}
        {create.isError && (
          <p className="field-error" role="alert">
            {errorMessage(create.error)}
          </p>
        )}
      </form>
    </Dialog>
  );
}
