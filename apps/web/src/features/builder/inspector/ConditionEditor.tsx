import {
  type Comparison,
  type ConditionGroup,
  type ConditionValue,
  LIMITS,
  type Operator,
} from '@stepwise/flow';
import { Plus, Trash2 } from 'lucide-react';
import { CheckboxGroup, ListInput, ParsedInput, SelectInput, TextInput } from './controls.tsx';
import {
  adaptValue,
  type FieldOption,
  isListOperator,
  needsValue,
  OPERATOR_LABELS,
  operatorsFor,
} from './fieldCatalog.ts';

type Rule = Comparison | ConditionGroup;

function parseNumber(text: string) {
  const t = text.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n)
    ? ({ ok: true, value: n } as const)
    : ({ ok: false, error: 'Enter a number.' } as const);
}

/** The value input of a comparison, typed by its field: options as a select, numbers, dates, yes/no. */
export function ValueInput({
  field,
  operator,
  value,
  onChange,
  label,
  hideLabel = false,
}: {
  field: FieldOption | undefined;
  operator: Operator;
  value: ConditionValue | undefined;
  onChange: (value: ConditionValue) => void;
  label: string;
  hideLabel?: boolean;
}) {
  if (isListOperator(operator)) {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (field?.kind === 'choice' && field.options.length > 0) {
      return (
        <CheckboxGroup
          legend={label}
          options={field.options.map((o) => ({ value: o, label: o }))}
          values={list.map(String)}
          onChange={onChange}
        />
      );
    }
    if (field?.kind === 'number') {
      return (
        <ParsedInput<number[]>
          label={label}
          hideLabel={hideLabel}
          value={list.filter((v): v is number => typeof v === 'number')}
          format={(v) => v.join(', ')}
          hint="Numbers, separated with commas."
          parse={(text) => {
            const items = text
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            const numbers = items.map(Number);
            return numbers.every(Number.isFinite)
              ? { ok: true, value: numbers }
              : { ok: false, error: 'Enter numbers separated with commas.' };
          }}
          onChange={onChange}
        />
      );
    }
    return <ListInput label={label} hideLabel={hideLabel} values={list.map(String)} onChange={onChange} />;
  }
  const scalar = Array.isArray(value) ? value[0] : value;
  switch (field?.kind) {
    case 'choice': {
      const current = typeof scalar === 'string' ? scalar : '';
      const options =
        field.options.includes(current) || current === '' ? field.options : [...field.options, current];
      return (
        <SelectInput
          label={label}
          hideLabel={hideLabel}
          value={current}
          options={[
            ...(current === '' ? [{ value: '', label: 'Choose…' }] : []),
            ...options.map((o) => ({
              value: o,
              label: field.options.includes(o) ? o : `${o} (not an option)`,
            })),
          ]}
          onChange={onChange}
        />
      );
    }
    case 'number':
      return (
        <ParsedInput<number>
          label={label}
          hideLabel={hideLabel}
          value={typeof scalar === 'number' ? scalar : 0}
          format={String}
          inputMode="decimal"
          parse={parseNumber}
          onChange={onChange}
        />
      );
    case 'boolean':
      return (
        <SelectInput
          label={label}
          hideLabel={hideLabel}
          value={scalar === false ? 'no' : 'yes'}
          options={[
            { value: 'yes', label: 'Yes' },
            { value: 'no', label: 'No' },
          ]}
          onChange={(v) => onChange(v === 'yes')}
        />
      );
    case 'date':
      return (
        <ParsedInput<string>
          label={label}
          hideLabel={hideLabel}
          type="date"
          value={typeof scalar === 'string' ? scalar : ''}
          format={(v) => v}
          parse={(text) =>
            /^\d{4}-\d{2}-\d{2}$/.test(text)
              ? { ok: true, value: text }
              : { ok: false, error: 'Pick a date.' }
          }
          onChange={onChange}
        />
      );
    default:
      return (
        <TextInput
          label={label}
          hideLabel={hideLabel}
          value={scalar === undefined ? '' : String(scalar)}
          maxLength={10_000}
          onChange={onChange}
        />
      );
  }
}

function ComparisonRow({
  rule,
  fields,
  onChange,
  onRemove,
  index,
}: {
  rule: Comparison;
  fields: readonly FieldOption[];
  onChange: (rule: Comparison) => void;
  onRemove: () => void;
  index: number;
}) {
  const field = fields.find((f) => f.key === rule.field);
  const operators = operatorsFor(field?.kind);
  const shown = operators.includes(rule.operator) ? operators : [rule.operator, ...operators];
  const fieldOptions = [
    ...(field ? [] : [{ value: rule.field, label: `${rule.field} (unknown field)`, group: 'Unknown' }]),
    ...fields.map((f) => ({ value: f.key, label: f.label, group: f.source })),
  ];
  const n = index + 1;
  return (
    <li className="cond-rule">
      <div className="cond-row">
        <SelectInput
          label={`Rule ${n} field`}
          hideLabel
          value={rule.field}
          options={fieldOptions}
          onChange={(key) => {
            const next = fields.find((f) => f.key === key);
            const ops = operatorsFor(next?.kind);
            const operator = ops.includes(rule.operator) ? rule.operator : (ops[0] ?? 'equals');
            onChange(
              withValue({ ...rule, field: key, operator }, adaptValue(rule.value, next, operator, true)),
            );
          }}
        />
        <button
          type="button"
          className="icon-btn icon-btn-small icon-btn-danger"
          onClick={onRemove}
          aria-label={`Remove rule ${n}`}
          title="Remove rule"
        >
          <Trash2 size={14} aria-hidden="true" />
        </button>
      </div>
      <div className={needsValue(rule.operator) ? 'cond-test' : 'cond-test is-unary'}>
        <SelectInput<Operator>
          label={`Rule ${n} operator`}
          hideLabel
          value={rule.operator}
          options={shown.map((op) => ({ value: op, label: OPERATOR_LABELS[op] }))}
          onChange={(operator) =>
            onChange(withValue({ ...rule, operator }, adaptValue(rule.value, field, operator, false)))
          }
        />
        {needsValue(rule.operator) && (
          <ValueInput
            label={`Rule ${n} value`}
            hideLabel
            field={field}
            operator={rule.operator}
            value={rule.value}
            onChange={(value) => onChange({ ...rule, value })}
          />
        )}
      </div>
    </li>
  );
}

/** A comparison with `value` set, or without the key when there is no value (is set / is empty). */
function withValue(rule: Comparison, value: ConditionValue | undefined): Comparison {
  const { value: _old, ...rest } = rule;
  return value === undefined ? rest : { ...rest, value };
}

/**
 * Edits a condition group: all/any, its comparisons (field, operator, typed value) and nested groups,
 * down to the document's depth bound.
 */
export function ConditionEditor({
  group,
  onChange,
  fields,
  depth = 1,
  onRemove,
}: {
  group: ConditionGroup;
  onChange: (group: ConditionGroup) => void;
  fields: readonly FieldOption[];
  depth?: number;
  /** Removes this group from its parent (absent on the branch's own condition). */
  onRemove?: () => void;
}) {
  const setRule = (index: number, rule: Rule) =>
    onChange({ ...group, rules: group.rules.map((r, i) => (i === index ? rule : r)) });
  const removeRule = (index: number) =>
    onChange({ ...group, rules: group.rules.filter((_, i) => i !== index) });
  const first = fields[0];
  const addComparison = () =>
    onChange({
      ...group,
      rules: [
        ...group.rules,
        withValue(
          { kind: 'comparison', field: first?.key ?? 'priority', operator: 'equals' },
          adaptValue(undefined, first, 'equals', true),
        ),
      ],
    });
  const addGroup = () =>
    onChange({ ...group, rules: [...group.rules, { kind: 'group', combinator: 'any', rules: [] }] });
  return (
    <div className={depth > 1 ? 'cond-group is-nested' : 'cond-group'}>
      <div className="cond-head">
        <SelectInput<'all' | 'any'>
          label={depth > 1 ? 'Nested group matches' : 'Branch matches'}
          hideLabel
          value={group.combinator}
          options={[
            { value: 'all', label: 'All of these rules' },
            { value: 'any', label: 'Any of these rules' },
          ]}
          onChange={(combinator) => onChange({ ...group, combinator })}
        />
        {onRemove && (
          <button
            type="button"
            className="icon-btn icon-btn-small icon-btn-danger"
            onClick={onRemove}
            aria-label="Remove nested group"
            title="Remove group"
          >
            <Trash2 size={14} aria-hidden="true" />
          </button>
        )}
      </div>
      {group.rules.length === 0 && (
        <p className="insp-hint">
          {group.combinator === 'all' ? 'No rules: always matches.' : 'No rules: never matches.'}
        </p>
      )}
      <ol className="cond-rules">
        {group.rules.map((rule, i) =>
          rule.kind === 'comparison' ? (
            <ComparisonRow
              // Rules have no ids; their position is their identity while editing.
              key={i}
              index={i}
              rule={rule}
              fields={fields}
              onChange={(r) => setRule(i, r)}
              onRemove={() => removeRule(i)}
            />
          ) : (
            <li key={i} className="cond-rule">
              <ConditionEditor
                group={rule}
                fields={fields}
                depth={depth + 1}
                onChange={(g) => setRule(i, g)}
                onRemove={() => removeRule(i)}
              />
            </li>
          ),
        )}
      </ol>
      <div className="cond-actions">
        <button type="button" className="btn btn-ghost btn-xs" onClick={addComparison}>
          <Plus size={13} aria-hidden="true" /> Rule
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-xs"
          onClick={addGroup}
          disabled={depth >= LIMITS.maxConditionDepth}
          title={depth >= LIMITS.maxConditionDepth ? 'Conditions nest at most 10 levels deep' : undefined}
        >
          <Plus size={13} aria-hidden="true" /> Group
        </button>
      </div>
    </div>
  );
}
