import type { ActionNode, ActionOp, ScalarValue } from '@stepwise/flow';
import { Plus } from 'lucide-react';
import { useBuilderState } from '../BuilderContext.ts';
import { moveItem } from '../documentOps.ts';
import { ValueInput } from './ConditionEditor.tsx';
import { ItemControls, ParsedInput, Section, SelectInput, TextArea, TextInput } from './controls.tsx';
import { defaultScalar, type FieldOption, cachedFieldCatalog } from './fieldCatalog.ts';
import type { TeamOption } from './StepInspector.tsx';
import { useNodeEdit } from './useNodeEdit.ts';

type OpKind = ActionOp['op'];

const KINDS: ReadonlyArray<{ value: OpKind; label: string }> = [
  { value: 'set_field', label: 'Set a field' },
  { value: 'add_tag', label: 'Add a tag' },
  { value: 'assign', label: 'Assign to a team' },
  { value: 'send_message', label: 'Send a message to the customer' },
  { value: 'webhook', label: 'Call a webhook' },
];

const STRATEGIES: ReadonlyArray<{ value: 'team' | 'round_robin' | 'least_loaded'; label: string }> = [
  { value: 'team', label: "The team's queue" },
  { value: 'round_robin', label: 'An agent, round robin' },
  { value: 'least_loaded', label: 'The least loaded agent' },
];

/** Fields an action may set: the ticket's own (except tags, which have their own action) and the flow's. */
const settable = (f: FieldOption) =>
  f.kind !== 'tags' && f.key !== 'channel' && !f.key.startsWith('customer.');

/** A new operation of `kind` with sensible values (the first team, priority high…), which the manager then edits. */
export function newOp(kind: OpKind, teams: readonly TeamOption[], fields: readonly FieldOption[]): ActionOp {
  switch (kind) {
    case 'set_field': {
      const field = fields.find((f) => f.key === 'priority') ?? fields[0];
      return {
        op: 'set_field',
        field: field?.key ?? 'priority',
        value: field?.key === 'priority' ? 'high' : defaultScalar(field),
      };
    }
    case 'add_tag':
      return { op: 'add_tag', tag: 'needs-review' };
    case 'assign':
      return { op: 'assign', teamId: teams[0]?.id ?? 'team', strategy: 'team' };
    case 'send_message':
      return {
        op: 'send_message',
        template: 'Hi {{customer.name}},\n\nthank you for contacting us about “{{subject}}”.',
      };
    case 'webhook':
      return { op: 'webhook', url: 'https://example.com/hooks/stepwise' };
  }
}

function parseUrl(text: string) {
  const t = text.trim();
  try {
    const url = new URL(t);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && t.length <= 2000)
      return { ok: true, value: t } as const;
  } catch {
    // Reported below.
  }
  return { ok: false, error: 'Enter a full URL, e.g. https://hooks.example.com/stepwise.' } as const;
}

function OpEditor({
  op,
  index,
  teams,
  fields,
  onChange,
}: {
  op: ActionOp;
  index: number;
  teams: readonly TeamOption[];
  fields: readonly FieldOption[];
  onChange: (op: ActionOp, field: string | null) => void;
}) {
  const n = index + 1;
  switch (op.op) {
    case 'set_field': {
      const options = fields.filter(settable);
      const field = options.find((f) => f.key === op.field);
      return (
        <div className="insp-grid">
          <SelectInput
            label={`Action ${n} field`}
            value={op.field}
            options={[
              ...(field ? [] : [{ value: op.field, label: `${op.field} (unknown)`, group: 'Unknown' }]),
              ...options.map((f) => ({ value: f.key, label: f.label, group: f.source })),
            ]}
            onChange={(key) =>
              onChange({ ...op, field: key, value: defaultScalar(options.find((f) => f.key === key)) }, null)
            }
          />
          <ValueInput
            label={`Action ${n} value`}
            field={field}
            operator="equals"
            value={op.value}
            onChange={(value) => {
              const scalar: ScalarValue = Array.isArray(value) ? (value[0] ?? '') : value;
              onChange({ ...op, value: scalar }, `op:${index}:value`);
            }}
          />
        </div>
      );
    }
    case 'add_tag':
      return (
        <TextInput
          label={`Action ${n} tag`}
          value={op.tag}
          onChange={(tag) => onChange({ ...op, tag }, `op:${index}:tag`)}
        />
      );
    case 'assign': {
      const known = teams.some((t) => t.id === op.teamId);
      return (
        <div className="insp-grid">
          <SelectInput
            label={`Action ${n} team`}
            value={op.teamId}
            options={[
              ...(known ? [] : [{ value: op.teamId, label: 'Unknown team (pick another)' }]),
              ...teams.map((t) => ({ value: t.id, label: t.name })),
            ]}
            onChange={(teamId) => onChange({ ...op, teamId }, null)}
          />
          <SelectInput
            label={`Action ${n} assigns to`}
            value={op.strategy}
            options={STRATEGIES}
            onChange={(strategy) => onChange({ ...op, strategy }, null)}
          />
        </div>
      );
    }
    case 'send_message':
      return (
        <TextArea
          label={`Action ${n} message`}
          rows={5}
          value={op.template}
          onChange={(template) => onChange({ ...op, template }, `op:${index}:template`)}
          hint={`Placeholders are filled from the ticket: ${[
            'customer.name',
            'subject',
            'priority',
            'category',
          ]
            .map((k) => `{{${k}}}`)
            .join(', ')}, and any flow or form field by its key.`}
        />
      );
    case 'webhook':
      return (
        <ParsedInput<string>
          label={`Action ${n} URL`}
          type="url"
          inputMode="url"
          maxLength={2000}
          value={op.url}
          format={(v) => v}
          parse={parseUrl}
          hint="Receives a signed POST with the ticket."
          onChange={(url) => onChange({ ...op, url }, `op:${index}:url`)}
        />
      );
  }
}

/** An action: its operations, run in order when a ticket passes. */
export function ActionInspector({ node, teams }: { node: ActionNode; teams: readonly TeamOption[] }) {
  const edit = useNodeEdit(node);
  const fields = useBuilderState((s) => cachedFieldCatalog(s.document));
  const ops = node.data.ops;
  const setOps = (next: ActionOp[], field: string | null) => edit(field, (d) => ({ ...d, ops: next }));
  return (
    <>
      <Section title="Action">
        <TextInput
          label="Label"
          value={node.data.label}
          onChange={(label) => edit('label', (d) => ({ ...d, label }))}
        />
      </Section>
      <Section
        title="Does"
        hint="In order, as soon as a ticket arrives; then the ticket moves on."
        actions={
          <button
            type="button"
            className="btn btn-ghost btn-xs"
            disabled={ops.length >= 50}
            onClick={() => setOps([...ops, newOp('set_field', teams, fields)], null)}
          >
            <Plus size={13} aria-hidden="true" /> Add
          </button>
        }
      >
        {ops.length === 0 ? (
          <fieldset className="insp-group action-kinds">
            <legend>What does this action do?</legend>
            <div className="insp-chips">
              {KINDS.map((k) => (
                <button
                  key={k.value}
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => setOps([newOp(k.value, teams, fields)], null)}
                >
                  {k.label}
                </button>
              ))}
            </div>
          </fieldset>
        ) : (
          <ol className="insp-cards">
            {ops.map((op, i) => (
              // Operations have no id: their position is their identity.
              <li key={i} className="insp-card">
                <div className="insp-card-head">
                  <span className="insp-card-index" aria-hidden="true">
                    {i + 1}
                  </span>
                  <SelectInput<OpKind>
                    label={`Action ${i + 1} kind`}
                    hideLabel
                    value={op.op}
                    options={KINDS}
                    onChange={(kind) =>
                      setOps(
                        ops.map((o, j) => (j === i ? newOp(kind, teams, fields) : o)),
                        null,
                      )
                    }
                  />
                  <ItemControls
                    name={`action ${i + 1}`}
                    index={i}
                    count={ops.length}
                    onMove={(by) => setOps(moveItem(ops, i, by), null)}
                    onRemove={() =>
                      setOps(
                        ops.filter((_, j) => j !== i),
                        null,
                      )
                    }
                  />
                </div>
                <OpEditor
                  op={op}
                  index={i}
                  teams={teams}
                  fields={fields}
                  onChange={(next, field) =>
                    setOps(
                      ops.map((o, j) => (j === i ? next : o)),
                      field,
                    )
                  }
                />
              </li>
            ))}
          </ol>
        )}
      </Section>
    </>
  );
}
