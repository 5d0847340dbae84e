import { TEMPLATES } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FilePlus2, LayoutTemplate, Plus, Users } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorCode, errorMessage, useTRPC, useTRPCClient } from '../../trpc.ts';
import { useMe } from '../auth/useMe.ts';
import { Dialog } from './Dialog.tsx';
import { emptyDocument } from './documentOps.ts';
import { mapTemplate, mappingComplete, teamMappingRows, teamsToCreate } from './templates.ts';

const BLANK = '';

/** A name not yet taken by a flow of the organization: `Refund request`, else `Refund request 2`, … */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const name = `${base} ${i}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/** Roles the teams API lets create a team. */
const TEAM_CREATORS: ReadonlySet<string> = new Set(['admin', 'manager']);

/**
 * Creates a flow: a name, and a blank canvas or one of the templates, then opens it in the builder. A
 * template's teams are each mapped to a team of the organization (the most similar by name is
 * preselected) or, for admins and managers, to a new team created with the flow; so a template never
 * opens naming a team the organization lacks.
 */
export function NewFlowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const client = useTRPCClient();
  const navigate = useNavigate();
  const id = useId();
  const me = useMe();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [templateId, setTemplateId] = useState(BLANK);
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  /** The user's team picks, by template team id (the rest follow the proposal). */
  const [picked, setPicked] = useState<Record<string, string>>({});
  const mappingRef = useRef<HTMLFieldSetElement>(null);
  const taken = useMemo(() => new Set((flows.data ?? []).map((f) => f.name.toLowerCase())), [flows.data]);
  const template = TEMPLATES.find((t) => t.id === templateId);
  const canCreateTeams = me.data ? TEAM_CREATORS.has(me.data.role) : false;
  const rows = useMemo(
    () =>
      template && teams.data ? teamMappingRows(template.document, teams.data, canCreateTeams, picked) : null,
    [template, teams.data, canCreateTeams, picked],
  );

  // The mapping appears under the list of templates: bring it into view when a template is chosen.
  useEffect(() => {
    if (templateId !== BLANK) mappingRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [templateId]);

  const create = useMutation({
    mutationFn: async (input: { name: string }) => {
      let document = emptyDocument();
      if (template && rows) {
        const created: Record<string, string> = {};
        for (const teamName of teamsToCreate(rows)) {
          try {
            created[teamName] = (await client.teams.create.mutate({ name: teamName })).id;
          } catch (error) {
            // Someone created it meanwhile: use theirs.
            if (errorCode(error) !== 'CONFLICT') throw error;
            const fresh = await client.teams.list.query();
            const same = fresh.find((t) => t.name.toLowerCase() === teamName.toLowerCase());
            if (!same) throw error;
            created[teamName] = same.id;
          }
        }
        if (Object.keys(created).length > 0)
          await queryClient.invalidateQueries({ queryKey: trpc.teams.pathKey() });
        document = mapTemplate(template.document, rows, created);
      }
      return client.flows.create.mutate({
        name: input.name,
        description: template?.description ?? '',
        document,
      });
    },
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
      onClose();
      await navigate(`/flows/${created.id}/edit`);
    },
  });

  const choose = (next: string) => {
    setTemplateId(next);
    setPicked({});
    const t = TEMPLATES.find((x) => x.id === next);
    if (!nameTouched) setName(t ? freeName(t.name, taken) : '');
  };
  const trimmed = name.trim();
  const nameTaken = trimmed !== '' && taken.has(trimmed.toLowerCase());
  const mapped = template === undefined || (rows !== null && mappingComplete(rows));
  const canCreate = trimmed !== '' && !nameTaken && !create.isPending && mapped;
  const creating = rows ? teamsToCreate(rows) : [];

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
          create.mutate({ name: trimmed });
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
        {template && (
          <fieldset className="team-mapping" ref={mappingRef} aria-describedby={`${id}-teams-hint`}>
            <legend>
              <Users size={15} aria-hidden="true" /> Teams
            </legend>
            <p className="team-mapping-hint" id={`${id}-teams-hint`}>
              {rows === null
                ? 'Loading your teams…'
                : rows.length === 0
                  ? 'This template does not hand work to any team.'
                  : `“${template.name}” hands work to ${rows.length === 1 ? 'one team' : `${rows.length} teams`}: choose which of your teams does each.`}
            </p>
            {rows?.map((row) => (
              <div className="team-mapping-row" key={row.team.id}>
                <label htmlFor={`${id}-team-${row.team.id}`}>
                  <span className="team-mapping-name">{row.team.name}</span>
                  <span className="team-mapping-uses">
                    {row.team.uses} {row.team.uses === 1 ? 'node' : 'nodes'}
                  </span>
                </label>
                <select
                  id={`${id}-team-${row.team.id}`}
                  value={row.value}
                  onChange={(e) => setPicked((p) => ({ ...p, [row.team.id]: e.target.value }))}
                >
                  {row.value === '' && <option value="">No team to pick</option>}
                  {row.options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            ))}
            {creating.length > 0 && (
              <p className="team-mapping-note">
                {creating.length === 1 ? 'The team' : 'The teams'}{' '}
                {creating.map((n) => `“${n}”`).join(' and ')} will be created with the flow, without members
                yet: {me.data?.role === 'admin' ? 'add them' : 'an admin adds them'} under
                Admin&nbsp;→&nbsp;Teams.
              </p>
            )}
            {rows !== null && !canCreateTeams && (
              <p className="team-mapping-note">
                Only admins and managers can create teams: pick one of yours.
              </p>
            )}
            {rows !== null && !mappingComplete(rows) && (
              <p className="field-error">Your organization has no team yet: ask an admin to create one.</p>
            )}
          </fieldset>
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
