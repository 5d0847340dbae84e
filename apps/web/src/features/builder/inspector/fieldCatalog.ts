import {
  BUILTIN_FIELDS,
  type ConditionValue,
  type FieldType,
  type FlowDocument,
  type Operator,
  type ScalarValue,
} from '@stepwise/flow';

export type FieldKind = FieldType | 'tags';

/** A field a condition or a set-field action can name, with where it comes from. */
export type FieldOption = {
  key: string;
  label: string;
  kind: FieldKind;
  options: readonly string[];
  source: 'Ticket' | 'Custom fields' | 'Form fields';
};

/**
 * The fields of a flow, in the order `validate` resolves them: the ticket's built-in fields, then the
 * document's custom fields, then the form fields its steps capture (the first definition of a key wins).
 */
export function fieldCatalog(document: FlowDocument): FieldOption[] {
  const seen = new Set<string>();
  const out: FieldOption[] = [];
  const add = (option: FieldOption) => {
    if (seen.has(option.key)) return;
    seen.add(option.key);
    out.push(option);
  };
  for (const f of BUILTIN_FIELDS) {
    add({
      key: f.key,
      label: f.label,
      kind: f.key === 'tags' ? 'tags' : f.type,
      options: f.options ?? [],
      source: 'Ticket',
    });
  }
  for (const f of document.fields) {
    add({
      key: f.key,
      label: f.label || f.key,
      kind: f.type,
      options: f.options ?? [],
      source: 'Custom fields',
    });
  }
  for (const node of document.nodes) {
    if (node.type !== 'step') continue;
    for (const f of node.data.form) {
      add({
        key: f.key,
        label: f.label || f.key,
        kind: f.type,
        options: f.options ?? [],
        source: 'Form fields',
      });
    }
  }
  return out;
}

export const OPERATOR_LABELS: Record<Operator, string> = {
  equals: 'is',
  not_equals: 'is not',
  in: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  greater_than: 'is greater than',
  less_than: 'is less than',
  is_set: 'is set',
  is_empty: 'is empty',
};

/** The operators that make sense for a kind of field (the ones `validate` accepts). */
export function operatorsFor(kind: FieldKind | undefined): Operator[] {
  switch (kind) {
    case 'number':
      return ['equals', 'not_equals', 'greater_than', 'less_than', 'in', 'not_in', 'is_set', 'is_empty'];
    case 'date':
      return ['equals', 'not_equals', 'greater_than', 'less_than', 'is_set', 'is_empty'];
    case 'choice':
      return ['equals', 'not_equals', 'in', 'not_in', 'is_set', 'is_empty'];
    case 'boolean':
      return ['equals', 'not_equals', 'is_set', 'is_empty'];
    case 'tags':
      return ['contains', 'is_set', 'is_empty'];
    default:
      return ['equals', 'not_equals', 'contains', 'in', 'not_in', 'is_set', 'is_empty'];
  }
}

export const needsValue = (op: Operator) => op !== 'is_set' && op !== 'is_empty';
export const isListOperator = (op: Operator) => op === 'in' || op === 'not_in';

/** A starting value of the right type for a field. */
export function defaultScalar(field: FieldOption | undefined): ScalarValue {
  switch (field?.kind) {
    case 'number':
      return 0;
    case 'boolean':
      return true;
    case 'choice':
      return field.options[0] ?? '';
    case 'date':
      return '2025-01-01';
    default:
      return '';
  }
}

/**
 * The value a comparison keeps when its field or operator changes: none for is set / is empty, a list
 * for is one of, one value otherwise — reusing the old value when it still fits.
 */
export function adaptValue(
  value: ConditionValue | undefined,
  field: FieldOption | undefined,
  operator: Operator,
  fieldChanged: boolean,
): ConditionValue | undefined {
  if (!needsValue(operator)) return undefined;
  const fallback = defaultScalar(field);
  const first = Array.isArray(value) ? value[0] : value;
  const scalar = fieldChanged || first === undefined ? fallback : first;
  if (isListOperator(operator)) {
    if (!fieldChanged && Array.isArray(value)) return value;
    return scalar === '' ? [] : [scalar];
  }
  return scalar;
}

let cached: { fields: FlowDocument['fields']; forms: unknown[]; catalog: FieldOption[] } | null = null;

/**
 * `fieldCatalog`, the same array for as long as the fields and the steps' forms stay the same objects
 * (moving nodes does not change it): safe as a store selector.
 */
export function cachedFieldCatalog(document: FlowDocument): FieldOption[] {
  const forms: unknown[] = [];
  for (const node of document.nodes) if (node.type === 'step') forms.push(node.data.form);
  if (
    cached &&
    cached.fields === document.fields &&
    cached.forms.length === forms.length &&
    cached.forms.every((f, i) => f === forms[i])
  ) {
    return cached.catalog;
  }
  cached = { fields: document.fields, forms, catalog: fieldCatalog(document) };
  return cached.catalog;
}
