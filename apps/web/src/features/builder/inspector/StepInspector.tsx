import type { ChecklistItem, FormField, Outcome, StepNode } from '@stepwise/flow';
import { FieldKey } from '@stepwise/flow';
import { Plus } from 'lucide-react';
import { useId, useState } from 'react';
import { formatMinutes } from '../../../canvas/describe.ts';
import { Markdown } from '../../../ui/Markdown.tsx';
import { itemId, moveItem } from '../documentOps.ts';
import {
  ItemControls,
  LABEL_MAX,
  MinutesInput,
  ParsedInput,
  Section,
  SelectInput,
  TEXT_MAX,
  TextInput,
  useFocusNewItem,
} from './controls.tsx';
import { fieldKeyFor, withLabelKey } from './fieldKeys.ts';
import { RequirementInput } from './RequirementInput.tsx';
import { withoutOutcome } from './requirementOps.ts';
import { useNodeEdit } from './useNodeEdit.ts';

export type TeamOption = { id: string; name: string };

const FORM_TYPES: ReadonlyArray<{ value: FormField['type']; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'choice', label: 'Choice' },
  { value: 'date', label: 'Date' },
  { value: 'email', label: 'Email' },
  { value: 'boolean', label: 'Yes/no' },
];

export function parseFieldKey(text: string) {
  const parsed = FieldKey.safeParse(text.trim());
  return parsed.success
    ? ({ ok: true, value: parsed.data } as const)
    : ({
        ok: false,
        error: 'A key starts with a letter, then letters, digits or "_" (e.g. order_number).',
      } as const);
}

function Instructions({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const id = useId();
  return (
    <div className="insp-field">
      <div className="insp-tabs-head">
        <label htmlFor={id}>Instructions</label>
        <fieldset className="segmented segmented-small" aria-label="Instructions view">
          <button
            type="button"
            className="segmented-btn"
            aria-pressed={tab === 'write'}
            onClick={() => setTab('write')}
          >
            Write
          </button>
          <button
            type="button"
            className="segmented-btn"
            aria-pressed={tab === 'preview'}
            onClick={() => setTab('preview')}
          >
            Preview
          </button>
        </fieldset>
      </div>
      {tab === 'write' ? (
        <>
          <textarea
            id={id}
            rows={7}
            value={value}
            maxLength={TEXT_MAX}
            placeholder="What the agent does, step by step. Markdown: **bold**, *italic*, - lists, [links](https://…)"
            onChange={(e) => onChange(e.target.value)}
          />
          <p className="insp-hint">Markdown: **bold**, *italic*, `code`, lists, headings and links.</p>
        </>
      ) : (
        <div className="insp-preview" id={id}>
          {value.trim() === '' ? <p className="muted">Nothing written yet.</p> : <Markdown source={value} />}
        </div>
      )}
    </div>
  );
}

function ChecklistEditor({
  items,
  outcomes,
  onChange,
}: {
  items: readonly ChecklistItem[];
  outcomes: readonly Outcome[];
  onChange: (items: ChecklistItem[], field: string | null) => void;
}) {
  const { listRef, added } = useFocusNewItem(items.length);
  const add = () => {
    if (items.length >= 200) return;
    const label = `Item ${items.length + 1}`;
    added();
    onChange(
      [
        ...items,
        {
          id: itemId(
            label,
            items.map((i) => i.id),
            'item',
          ),
          label,
          required: true,
        },
      ],
      null,
    );
  };
  return (
    <Section
      title="Checklist"
      hint="Required items must be ticked before the agent can pick an outcome — every outcome, or only the ones you choose."
      actions={
        <button type="button" className="btn btn-ghost btn-xs" disabled={items.length >= 200} onClick={add}>
          <Plus size={13} aria-hidden="true" /> Add item
        </button>
      }
    >
      {items.length === 0 ? (
        <p className="insp-empty">No checklist.</p>
      ) : (
        <ul className="insp-list" ref={listRef}>
          {items.map((item, i) => (
            <li key={item.id} className="insp-row insp-row-wrap">
              <TextInput
                label={`Checklist item ${i + 1}`}
                hideLabel
                value={item.label}
                onEnter={add}
                onChange={(label) =>
                  onChange(
                    items.map((x) => (x.id === item.id ? { ...x, label } : x)),
                    `checklist:${item.id}`,
                  )
                }
              />
              <ItemControls
                name={`checklist item “${item.label || i + 1}”`}
                index={i}
                count={items.length}
                onMove={(by) => onChange(moveItem(items, i, by), null)}
                onRemove={() =>
                  onChange(
                    items.filter((x) => x.id !== item.id),
                    null,
                  )
                }
              />
              <RequirementInput
                item={item}
                name={`checklist item “${item.label || i + 1}”`}
                outcomes={outcomes}
                onChange={(next) =>
                  onChange(
                    items.map((x) => (x.id === item.id ? next : x)),
                    null,
                  )
                }
              />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function FormEditor({
  fields,
  outcomes,
  onChange,
}: {
  fields: readonly FormField[];
  outcomes: readonly Outcome[];
  onChange: (fields: FormField[], field: string | null) => void;
}) {
  const set = (index: number, field: FormField, key: string | null) =>
    onChange(
      fields.map((f, i) => (i === index ? field : f)),
      key === null ? null : `form:${index}:${key}`,
    );
  return (
    <Section
      title="Form"
      hint="Values the agent records; they become ticket fields that later decisions can read."
      actions={
        <button
          type="button"
          className="btn btn-ghost btn-xs"
          disabled={fields.length >= 200}
          onClick={() => {
            const taken = new Set(fields.map((f) => f.key));
            let n = fields.length + 1;
            while (taken.has(`field_${n}`)) n++;
            const label = `Field ${n}`;
            onChange(
              [...fields, { key: fieldKeyFor(label, fields), label, type: 'text', required: false }],
              null,
            );
          }}
        >
          <Plus size={13} aria-hidden="true" /> Add field
        </button>
      }
    >
      {fields.length === 0 ? (
        <p className="insp-empty">No form fields.</p>
      ) : (
        <ul className="insp-cards">
          {fields.map((field, i) => (
            // Form fields are identified by their key, which the manager may be editing: use the position.
            <li key={i} className="insp-card">
              <div className="insp-card-head">
                <span className="insp-card-title">{field.label || field.key}</span>
                <ItemControls
                  name={`form field “${field.label || field.key}”`}
                  index={i}
                  count={fields.length}
                  onMove={(by) => onChange(moveItem(fields, i, by), null)}
                  onRemove={() =>
                    onChange(
                      fields.filter((_, j) => j !== i),
                      null,
                    )
                  }
                />
              </div>
              <div className="insp-grid">
                <TextInput
                  label="Label"
                  value={field.label}
                  onChange={(label) => set(i, withLabelKey(field, label, fields), 'label')}
                />
                <ParsedInput<string>
                  label="Key"
                  value={field.key}
                  format={(v) => v}
                  parse={parseFieldKey}
                  maxLength={64}
                  onChange={(key) => set(i, { ...field, key }, 'key')}
                />
                <SelectInput<FormField['type']>
                  label="Type"
                  value={field.type}
                  options={FORM_TYPES}
                  onChange={(type) => {
                    const { options: _drop, ...rest } = field;
                    set(
                      i,
                      type === 'choice'
                        ? { ...rest, type, options: field.options ?? ['Yes', 'No'] }
                        : { ...rest, type },
                      null,
                    );
                  }}
                />
              </div>
              <RequirementInput
                item={field}
                name={`form field “${field.label || field.key}”`}
                outcomes={outcomes}
                onChange={(next) => set(i, next, null)}
              />
              {field.type === 'boolean' && (
                <p className="insp-hint">
                  The agent answers Yes or No
                  {field.required ? ' (required: one of the two must be chosen)' : ''}; decisions can test “is
                  yes” / “is no”.
                </p>
              )}
              {field.type === 'choice' && (
                <ChoicesEditor
                  field={field.label || field.key}
                  options={field.options ?? []}
                  onChange={(options, key) => set(i, { ...field, options }, key)}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** A choice field's options, one input each; Enter adds the next. */
function ChoicesEditor({
  field,
  options,
  onChange,
}: {
  field: string;
  options: readonly string[];
  onChange: (options: string[], key: string | null) => void;
}) {
  const { listRef, added } = useFocusNewItem(options.length);
  const add = () => {
    if (options.length >= 200) return;
    added();
    onChange([...options, `Choice ${options.length + 1}`], null);
  };
  return (
    <fieldset className="insp-group">
      <legend>Choices</legend>
      <ul className="insp-list" ref={listRef}>
        {options.map((option, i) => (
          // Options are plain texts the manager edits: their position is their identity.
          <li key={i} className="insp-row">
            <TextInput
              label={`${field}: choice ${i + 1}`}
              hideLabel
              value={option}
              onEnter={add}
              onChange={(text) =>
                onChange(
                  options.map((o, j) => (j === i ? text : o)),
                  `options:${i}`,
                )
              }
            />
            <ItemControls
              name={`choice “${option || i + 1}”`}
              index={i}
              count={options.length}
              onMove={(by) => onChange(moveItem(options, i, by), null)}
              onRemove={() =>
                onChange(
                  options.filter((_, j) => j !== i),
                  null,
                )
              }
            />
          </li>
        ))}
      </ul>
      <button type="button" className="btn btn-ghost btn-xs" onClick={add} disabled={options.length >= 200}>
        <Plus size={13} aria-hidden="true" /> Add choice
      </button>
    </fieldset>
  );
}

function OutcomesEditor({
  outcomes,
  onChange,
  onRemove,
}: {
  outcomes: readonly Outcome[];
  onChange: (outcomes: Outcome[], field: string | null) => void;
  /** Removes an outcome, and with it the requirements that named it. */
  onRemove: (outcomeId: string) => void;
}) {
  const { listRef, added } = useFocusNewItem(outcomes.length);
  const add = () => {
    if (outcomes.length >= 50) return;
    const label = `Outcome ${outcomes.length + 1}`;
    added();
    onChange(
      [
        ...outcomes,
        {
          id: itemId(
            label,
            outcomes.map((o) => o.id),
            'outcome',
          ),
          label,
        },
      ],
      null,
    );
  };
  return (
    <Section
      title="Outcomes"
      hint="Each outcome is a button for the agent and an output on the canvas (Enter adds the next). Removing one removes its connection."
      actions={
        <button type="button" className="btn btn-ghost btn-xs" disabled={outcomes.length >= 50} onClick={add}>
          <Plus size={13} aria-hidden="true" /> Add outcome
        </button>
      }
    >
      {outcomes.length === 0 ? (
        <p className="insp-empty">No outcomes: the agent could never finish this step.</p>
      ) : (
        <ul className="insp-list" ref={listRef}>
          {outcomes.map((outcome, i) => (
            <li key={outcome.id} className="insp-row">
              <TextInput
                label={`Outcome ${i + 1}`}
                hideLabel
                value={outcome.label}
                onEnter={add}
                onChange={(label) =>
                  onChange(
                    outcomes.map((o) => (o.id === outcome.id ? { ...o, label } : o)),
                    `outcome:${outcome.id}`,
                  )
                }
              />
              <ItemControls
                name={`outcome “${outcome.label || outcome.id}”`}
                index={i}
                count={outcomes.length}
                onMove={(by) => onChange(moveItem(outcomes, i, by), null)}
                onRemove={() => onRemove(outcome.id)}
              />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** The team select's value for "the ticket's current team" (not an id: ids never start with "("). */
const CURRENT_TEAM = '(current)';

export function StepInspector({ node, teams }: { node: StepNode; teams: readonly TeamOption[] }) {
  const edit = useNodeEdit(node);
  const data = node.data;
  const keepsTeam = data.teamSource === 'current';
  const teamKnown = keepsTeam || data.teamId === null || teams.some((t) => t.id === data.teamId);
  return (
    <>
      <Section title="Step">
        <TextInput
          label="Title"
          value={data.title}
          maxLength={LABEL_MAX}
          onChange={(title) => edit('title', (d) => ({ ...d, title }))}
        />
        <SelectInput
          label="Team"
          value={keepsTeam ? CURRENT_TEAM : (data.teamId ?? '')}
          options={[
            { value: '', label: 'Choose a team…' },
            { value: CURRENT_TEAM, label: 'Ticket’s current team' },
            ...(teamKnown ? [] : [{ value: data.teamId ?? '', label: 'Unknown team (pick another)' }]),
            ...teams.map((t) => ({ value: t.id, label: t.name })),
          ]}
          hint={
            keepsTeam
              ? 'The ticket stays with the team it has when it gets here — say, the one an escalation assigned.'
              : 'The team whose agents do this step.'
          }
          onChange={(value) =>
            edit(null, (d) => {
              const { teamSource: _dropped, ...rest } = d;
              return value === CURRENT_TEAM
                ? { ...rest, teamId: null, teamSource: 'current' }
                : { ...rest, teamId: value === '' ? null : value };
            })
          }
        />
        <MinutesInput
          label="SLA (minutes)"
          optional
          value={data.slaMinutes}
          hint={
            data.slaMinutes === null
              ? 'Empty: no SLA. With one, the “On SLA breach” output can escalate.'
              : `Due within ${formatMinutes(data.slaMinutes)} of reaching the step.`
          }
          onChange={(slaMinutes) => edit('sla', (d) => ({ ...d, slaMinutes }))}
        />
        <Instructions
          value={data.instructions}
          onChange={(instructions) => edit('instructions', (d) => ({ ...d, instructions }))}
        />
      </Section>
      <OutcomesEditor
        outcomes={data.outcomes}
        onChange={(outcomes, field) => edit(field, (d) => ({ ...d, outcomes }))}
        onRemove={(outcomeId) => edit(null, (d) => withoutOutcome(d, outcomeId))}
      />
      <ChecklistEditor
        items={data.checklist}
        outcomes={data.outcomes}
        onChange={(checklist, field) => edit(field, (d) => ({ ...d, checklist }))}
      />
      <FormEditor
        fields={data.form}
        outcomes={data.outcomes}
        onChange={(form, field) => edit(field, (d) => ({ ...d, form }))}
      />
    </>
  );
}
