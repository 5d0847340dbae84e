import { BUILTIN_FIELDS, FIELD_TYPES, type FieldDef, type FieldType } from '@stepwise/flow';
import { Plus } from 'lucide-react';
import { useBuilder, useBuilderState } from '../BuilderContext.ts';
import { moveItem } from '../documentOps.ts';
import {
  ItemControls,
  ListInput,
  ParsedInput,
  Section,
  SelectInput,
  TextArea,
  TextInput,
} from './controls.tsx';
import { parseFieldKey } from './StepInspector.tsx';

const TYPE_WORDS: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  choice: 'Choice',
  date: 'Date',
  email: 'Email',
  boolean: 'Yes / no',
};

const BUILTIN_KEYS = new Set(BUILTIN_FIELDS.map((f) => f.key));

/** The document's custom ticket fields: what decisions can read and actions can set, besides the built-ins. */
export function FieldsEditor() {
  const builder = useBuilder();
  const fields = useBuilderState((s) => s.document.fields);
  const set = (index: number, field: FieldDef, key: string | null) =>
    builder.setFields(
      fields.map((f, i) => (i === index ? field : f)),
      key === null ? undefined : `fields:${index}:${key}`,
    );
  return (
    <Section
      title="Custom fields"
      hint={`Ticket fields this flow reads or writes, besides the built-in ones (${BUILTIN_FIELDS.map((f) => f.label.toLowerCase()).join(', ')}).`}
      actions={
        <button
          type="button"
          className="btn btn-ghost btn-xs"
          disabled={fields.length >= 200}
          onClick={() => {
            const taken = new Set(fields.map((f) => f.key));
            let n = fields.length + 1;
            while (taken.has(`custom_${n}`)) n++;
            builder.setFields([...fields, { key: `custom_${n}`, label: `Custom field ${n}`, type: 'text' }]);
          }}
        >
          <Plus size={13} aria-hidden="true" /> Add field
        </button>
      }
    >
      {fields.length === 0 ? (
        <p className="insp-empty">No custom fields.</p>
      ) : (
        <ul className="insp-cards">
          {fields.map((field, i) => (
            // Keys are being edited here: the position identifies the row.
            <li key={i} className="insp-card">
              <div className="insp-card-head">
                <span className="insp-card-title">{field.label || field.key}</span>
                <ItemControls
                  name={`field “${field.label || field.key}”`}
                  index={i}
                  count={fields.length}
                  onMove={(by) => builder.setFields(moveItem(fields, i, by))}
                  onRemove={() => builder.setFields(fields.filter((_, j) => j !== i))}
                />
              </div>
              <div className="insp-grid">
                <TextInput
                  label="Label"
                  value={field.label}
                  onChange={(label) => set(i, { ...field, label }, 'label')}
                />
                <ParsedInput<string>
                  label="Key"
                  value={field.key}
                  format={(v) => v}
                  maxLength={64}
                  parse={(text) => {
                    const parsed = parseFieldKey(text);
                    if (parsed.ok && BUILTIN_KEYS.has(parsed.value)) {
                      return { ok: false, error: `“${parsed.value}” is a built-in field.` };
                    }
                    return parsed;
                  }}
                  onChange={(key) => set(i, { ...field, key }, 'key')}
                />
                <SelectInput<FieldType>
                  label="Type"
                  value={field.type}
                  options={FIELD_TYPES.map((t) => ({ value: t, label: TYPE_WORDS[t] }))}
                  onChange={(type) => {
                    const { options: _drop, ...rest } = field;
                    set(
                      i,
                      type === 'choice'
                        ? { ...rest, type, options: field.options ?? ['A', 'B'] }
                        : { ...rest, type },
                      null,
                    );
                  }}
                />
              </div>
              {field.type === 'choice' && (
                <ListInput
                  label="Options"
                  values={field.options ?? []}
                  onChange={(options) => set(i, { ...field, options }, 'options')}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** Shown when nothing is selected: the flow's name, description and custom fields. */
export function FlowSettings() {
  const builder = useBuilder();
  const meta = useBuilderState((s) => s.meta);
  const counts = useBuilderState((s) => `${s.document.nodes.length}\u0000${s.document.edges.length}`);
  const [nodes, edges] = counts.split('\u0000');
  return (
    <>
      <Section title="Flow">
        <TextInput label="Name" value={meta.name} onChange={(name) => builder.setMeta({ ...meta, name })} />
        <TextArea
          label="Description"
          rows={3}
          value={meta.description}
          placeholder="What this flow is for, shown in the flows list."
          onChange={(description) => builder.setMeta({ ...meta, description })}
        />
        <p className="insp-hint">
          {nodes} nodes · {edges} connections. Select a node to edit it; press <kbd>?</kbd> for shortcuts.
        </p>
      </Section>
      <FieldsEditor />
    </>
  );
}
