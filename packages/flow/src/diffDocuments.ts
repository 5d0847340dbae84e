import { isNodeKind, NODE_TYPES, nodeKinds } from './nodes/registry.ts';
import type { Edge, FieldDef, FlowDocument, FlowNode, NodeType, Note } from './schema.ts';

/**
 * One property that differs between two versions of a node, edge, note or field.
 *
 * `path` addresses the property inside its item, by stable ids rather than array positions, so the
 * canvas can highlight it and `applyDiff` can replay it:
 * - `type`, `data.instructions`, `data.slaMinutes`, `data.trigger.channels`, `target`, `text`…
 * - list items by id: `data.checklist[id=c2]`, `data.checklist[id=c2].label`, `data.outcomes[id=ok].label`,
 *   `data.branches[id=vip].condition`; form fields by key: `data.form[key=amount].required`;
 * - action operations by position (they have no ids): `data.ops[1]`, `data.ops[1].template`;
 * - a list whose items were reordered: `data.branches[order]` (from/to: the ids in order).
 *
 * `kind` is `added` / `removed` when the property (or list item) exists on one side only, else
 * `changed`; `from` / `to` hold the values (absent on the side where the property does not exist).
 */
export type PropertyChange = {
  path: string;
  /** Human words for the list view: "Instructions", `Checklist item "Verify ID" label`, "SLA (minutes)". */
  label: string;
  kind: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
};

/** A layout-only move: kept apart from changes, never counted as one. */
export type PositionMove = { id: string; from: { x: number; y: number }; to: { x: number; y: number } };

/** What changed on one node that exists in both versions; `type` is its type in the later version. */
export type NodeDiff = { id: string; type: NodeType; changes: PropertyChange[] };

/** What changed on one edge or note that exists in both versions. */
export type ItemDiff = { id: string; changes: PropertyChange[] };

/** What changed on one custom field (by key) declared in both versions. */
export type FieldDiff = { key: string; changes: PropertyChange[] };

/** The difference between two flow documents, by stable ids. */
export type FlowDiff = {
  nodes: { added: FlowNode[]; removed: FlowNode[]; changed: NodeDiff[]; moved: PositionMove[] };
  edges: { added: Edge[]; removed: Edge[]; changed: ItemDiff[] };
  notes: { added: Note[]; removed: Note[]; changed: ItemDiff[]; moved: PositionMove[] };
  fields: { added: FieldDef[]; removed: FieldDef[]; changed: FieldDiff[] };
  /** Nothing differs at all, not even the layout. */
  isEmpty: boolean;
};

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Json, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Sets an own property without ever touching a prototype (`__proto__` is just a key here). */
function setOwn(record: Json, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Own keys holding a defined value: an `undefined` property is the same as a missing one. */
function keysOf(record: Json): string[] {
  return Object.keys(record).filter((k) => record[k] !== undefined);
}

/** Structural equality of JSON-like values (key order and `undefined` properties ignored). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = keysOf(a);
    if (ka.length !== keysOf(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** A deep copy of a JSON-like value, so a diff never aliases the documents it came from. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (isRecord(value)) {
    const copy: Json = {};
    for (const k of keysOf(value)) setOwn(copy, k, clone(value[k]));
    return copy as T;
  }
  return value;
}

/** Adds the change of one property (nothing when equal). */
function diffValue(path: string, label: string, from: unknown, to: unknown, out: PropertyChange[]): void {
  if (deepEqual(from, to)) return;
  if (from === undefined) out.push({ path, label, kind: 'added', to: clone(to) });
  else if (to === undefined) out.push({ path, label, kind: 'removed', from: clone(from) });
  else out.push({ path, label, kind: 'changed', from: clone(from), to: clone(to) });
}

/** Keys of both records, those of `a` first, in their order. */
function unionKeys(a: Json, b: Json, skip: readonly string[] = []): string[] {
  const keys = keysOf(a).filter((k) => !skip.includes(k));
  for (const k of keysOf(b)) if (!skip.includes(k) && !keys.includes(k)) keys.push(k);
  return keys;
}

/** Names of node data properties: `label`, then each kind's own (`words.properties`). */
const DATA_LABELS: Readonly<Record<string, string>> = Object.assign(
  { label: 'Label' },
  ...NODE_TYPES.map((type) => nodeKinds[type].words.properties),
);

const TRIGGER_LABELS: Record<string, string> = {
  mode: 'Start mode',
  channels: 'Channels',
  categories: 'Categories',
  priorities: 'Priorities',
  tiers: 'Customer tiers',
};

const PROP_WORDS: Record<string, string> = {
  label: 'label',
  required: 'required',
  requiredFor: 'required for',
  type: 'type',
  options: 'options',
  field: 'field',
  value: 'value',
  tag: 'tag',
  teamId: 'team',
  strategy: 'strategy',
  template: 'text',
  url: 'URL',
};

const OP_WORDS: Record<string, string> = {
  set_field: 'set field',
  add_tag: 'add tag',
  assign: 'assign',
  send_message: 'send message',
  webhook: 'call webhook',
};

/** Lists inside node data whose items have an identity: diffed per item. */
const KEYED_LISTS: Record<string, { identity: 'id' | 'key'; noun: string; title: string }> = {
  checklist: { identity: 'id', noun: 'Checklist item', title: 'Checklist' },
  form: { identity: 'key', noun: 'Form field', title: 'Form fields' },
  outcomes: { identity: 'id', noun: 'Outcome', title: 'Outcomes' },
  branches: { identity: 'id', noun: 'Branch', title: 'Branches' },
};

// What may sit inside `[id=…]`: ids and field keys never hold brackets.
const SELECTOR_VALUE = /^[^[\]]+$/;
const PROPERTY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function itemName(item: Json, identity: string): string {
  const label = own(item, 'label');
  return typeof label === 'string' && label.trim() !== '' ? label.trim() : String(own(item, identity));
}

/** Identities of a list's items, or null when some item has none or two share one. */
function identities(list: readonly unknown[], identity: string): string[] | null {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const id = isRecord(item) ? own(item, identity) : undefined;
    if (typeof id !== 'string' || !SELECTOR_VALUE.test(id) || seen.has(id)) return null;
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

function diffKeyedList(
  key: string,
  spec: (typeof KEYED_LISTS)[string],
  before: readonly unknown[],
  after: readonly unknown[],
  out: PropertyChange[],
): void {
  const base = `data.${key}`;
  const idsBefore = identities(before, spec.identity);
  const idsAfter = identities(after, spec.identity);
  if (idsBefore === null || idsAfter === null) {
    // Items without a usable identity cannot be matched: report the list as a whole.
    diffValue(base, spec.title, before, after, out);
    return;
  }
  const inAfter = new Map<string, Json>();
  idsAfter.forEach((id, i) => {
    inAfter.set(id, after[i] as Json);
  });
  const inBefore = new Set(idsBefore);
  const path = (id: string) => `${base}[${spec.identity}=${id}]`;
  idsBefore.forEach((id, i) => {
    const a = before[i] as Json;
    const b = inAfter.get(id);
    const name = `${spec.noun} "${itemName(a, spec.identity)}"`;
    if (b === undefined) {
      out.push({ path: path(id), label: name, kind: 'removed', from: clone(a) });
      return;
    }
    for (const prop of unionKeys(a, b, [spec.identity])) {
      const label =
        key === 'branches' && prop === 'condition'
          ? `Condition of branch "${itemName(a, spec.identity)}"`
          : `${name} ${PROP_WORDS[prop] ?? prop}`;
      diffValue(`${path(id)}.${prop}`, label, own(a, prop), own(b, prop), out);
    }
  });
  idsAfter.forEach((id, i) => {
    if (inBefore.has(id)) return;
    const b = after[i] as Json;
    out.push({
      path: path(id),
      label: `${spec.noun} "${itemName(b, spec.identity)}"`,
      kind: 'added',
      to: clone(b),
    });
  });
  // Replaying removals and additions keeps the remaining items in their old order with the new ones
  // at the end; when the new order is anything else, say so.
  const kept = idsBefore.filter((id) => inAfter.has(id));
  const replayed = [...kept, ...idsAfter.filter((id) => !inBefore.has(id))];
  if (!deepEqual(replayed, idsAfter)) {
    out.push({
      path: `${base}[order]`,
      label: `${spec.title} order`,
      kind: 'changed',
      from: idsBefore,
      to: idsAfter,
    });
  }
}

function opName(op: unknown, i: number): string {
  const kind = isRecord(op) ? own(op, 'op') : undefined;
  const words = typeof kind === 'string' && Object.hasOwn(OP_WORDS, kind) ? ` (${OP_WORDS[kind]})` : '';
  return `Operation ${i + 1}${words}`;
}

/** Action operations have no ids: compared position by position. */
function diffOps(before: readonly unknown[], after: readonly unknown[], out: PropertyChange[]): void {
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) {
    const a = before[i];
    const b = after[i];
    if (deepEqual(a, b)) continue;
    if (isRecord(a) && isRecord(b) && own(a, 'op') === own(b, 'op')) {
      for (const prop of unionKeys(a, b, ['op'])) {
        diffValue(
          `data.ops[${i}].${prop}`,
          `${opName(a, i)} ${PROP_WORDS[prop] ?? prop}`,
          own(a, prop),
          own(b, prop),
          out,
        );
      }
    } else {
      out.push({
        path: `data.ops[${i}]`,
        label: opName(b, i),
        kind: 'changed',
        from: clone(a),
        to: clone(b),
      });
    }
  }
  for (let i = common; i < before.length; i++) {
    out.push({
      path: `data.ops[${i}]`,
      label: opName(before[i], i),
      kind: 'removed',
      from: clone(before[i]),
    });
  }
  for (let i = common; i < after.length; i++) {
    out.push({ path: `data.ops[${i}]`, label: opName(after[i], i), kind: 'added', to: clone(after[i]) });
  }
}

function diffData(before: unknown, after: unknown, out: PropertyChange[]): void {
  if (!isRecord(before) || !isRecord(after)) {
    diffValue('data', 'Settings', before, after, out);
    return;
  }
  for (const key of unionKeys(before, after)) {
    const a = own(before, key);
    const b = own(after, key);
    if (deepEqual(a, b)) continue;
    const path = `data.${key}`;
    const label = DATA_LABELS[key] ?? key;
    if (!PROPERTY.test(key) || a === undefined || b === undefined) {
      diffValue(path, label, a, b, out);
    } else if (Object.hasOwn(KEYED_LISTS, key) && Array.isArray(a) && Array.isArray(b)) {
      diffKeyedList(key, KEYED_LISTS[key]!, a, b, out);
    } else if (key === 'ops' && Array.isArray(a) && Array.isArray(b)) {
      diffOps(a, b, out);
    } else if (key === 'trigger' && isRecord(a) && isRecord(b)) {
      for (const sub of unionKeys(a, b)) {
        diffValue(`${path}.${sub}`, TRIGGER_LABELS[sub] ?? sub, own(a, sub), own(b, sub), out);
      }
    } else {
      diffValue(path, label, a, b, out);
    }
  }
}

/** Items of a collection by identity, in order; the first of a repeated identity wins. */
function byIdentity(list: unknown, identity: string): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const item of asArray(list)) {
    if (!isRecord(item)) continue;
    const id = own(item, identity);
    if (typeof id === 'string' && !map.has(id)) map.set(id, item);
  }
  return map;
}

type Collection = {
  added: Json[];
  removed: Json[];
  both: Array<{ id: string; before: Json; after: Json }>;
};

function match(before: unknown, after: unknown, identity: string): Collection {
  const a = byIdentity(before, identity);
  const b = byIdentity(after, identity);
  const result: Collection = { added: [], removed: [], both: [] };
  for (const [id, item] of a) {
    const other = b.get(id);
    if (other === undefined) result.removed.push(clone(item));
    else result.both.push({ id, before: item, after: other });
  }
  for (const [id, item] of b) if (!a.has(id)) result.added.push(clone(item));
  return result;
}

function diffProps(
  before: Json,
  after: Json,
  skip: readonly string[],
  labels: Record<string, string>,
): PropertyChange[] {
  const out: PropertyChange[] = [];
  for (const key of unionKeys(before, after, skip)) {
    diffValue(key, labels[key] ?? key, own(before, key), own(after, key), out);
  }
  return out;
}

function moveOf(id: string, before: Json, after: Json): PositionMove | null {
  const from = own(before, 'position');
  const to = own(after, 'position');
  if (deepEqual(from, to)) return null;
  return { id, from: clone(from) as PositionMove['from'], to: clone(to) as PositionMove['to'] };
}

const EDGE_LABELS: Record<string, string> = {
  source: 'From node',
  sourceHandle: 'From output',
  target: 'To node',
};
const NOTE_LABELS: Record<string, string> = { text: 'Text', width: 'Width', height: 'Height' };
const FIELD_LABELS: Record<string, string> = { label: 'Label', type: 'Type', options: 'Options' };

/**
 * Compares two flow documents (typically two versions of one flow) by stable ids and returns what
 * was added, removed and changed — nodes, edges, notes and custom fields — with exactly which
 * properties changed (see `PropertyChange`). Layout-only moves are reported apart in `moved` and
 * never count as changes. A node whose type changed is reported as a change of path `type` plus the
 * changes of its data. The order of nodes, edges, notes and fields in their arrays is not compared
 * (it means nothing); the order of checklist items, form fields, outcomes and branches is.
 *
 * Pure; never throws, even on malformed input (items without an id are skipped; of repeated ids the
 * first wins).
 */
export function diffDocuments(before: FlowDocument, after: FlowDocument): FlowDiff {
  const a: Json = isRecord(before) ? before : {};
  const b: Json = isRecord(after) ? after : {};

  const nodes = match(own(a, 'nodes'), own(b, 'nodes'), 'id');
  const nodeChanges: NodeDiff[] = [];
  const nodeMoves: PositionMove[] = [];
  for (const { id, before: x, after: y } of nodes.both) {
    const changes: PropertyChange[] = [];
    diffValue('type', 'Type', own(x, 'type'), own(y, 'type'), changes);
    diffData(own(x, 'data'), own(y, 'data'), changes);
    for (const key of unionKeys(x, y, ['id', 'type', 'data', 'position'])) {
      diffValue(key, key, own(x, key), own(y, key), changes);
    }
    if (changes.length > 0) nodeChanges.push({ id, type: own(y, 'type') as NodeType, changes });
    const move = moveOf(id, x, y);
    if (move) nodeMoves.push(move);
  }

  const edges = match(own(a, 'edges'), own(b, 'edges'), 'id');
  const edgeChanges: ItemDiff[] = [];
  for (const { id, before: x, after: y } of edges.both) {
    const changes = diffProps(x, y, ['id'], EDGE_LABELS);
    if (changes.length > 0) edgeChanges.push({ id, changes });
  }

  const notes = match(own(a, 'notes'), own(b, 'notes'), 'id');
  const noteChanges: ItemDiff[] = [];
  const noteMoves: PositionMove[] = [];
  for (const { id, before: x, after: y } of notes.both) {
    const changes = diffProps(x, y, ['id', 'position'], NOTE_LABELS);
    if (changes.length > 0) noteChanges.push({ id, changes });
    const move = moveOf(id, x, y);
    if (move) noteMoves.push(move);
  }

  const fields = match(own(a, 'fields'), own(b, 'fields'), 'key');
  const fieldChanges: FieldDiff[] = [];
  for (const { id, before: x, after: y } of fields.both) {
    const changes = diffProps(x, y, ['key'], FIELD_LABELS);
    if (changes.length > 0) fieldChanges.push({ key: id, changes });
  }

  const isEmpty =
    nodes.added.length + nodes.removed.length + nodeChanges.length + nodeMoves.length === 0 &&
    edges.added.length + edges.removed.length + edgeChanges.length === 0 &&
    notes.added.length + notes.removed.length + noteChanges.length + noteMoves.length === 0 &&
    fields.added.length + fields.removed.length + fieldChanges.length === 0;

  return {
    nodes: {
      added: nodes.added as FlowNode[],
      removed: nodes.removed as FlowNode[],
      changed: nodeChanges,
      moved: nodeMoves,
    },
    edges: { added: edges.added as Edge[], removed: edges.removed as Edge[], changed: edgeChanges },
    notes: {
      added: notes.added as Note[],
      removed: notes.removed as Note[],
      changed: noteChanges,
      moved: noteMoves,
    },
    fields: {
      added: fields.added as FieldDef[],
      removed: fields.removed as FieldDef[],
      changed: fieldChanges,
    },
    isEmpty,
  };
}

// ---------------------------------------------------------------------------------------------------
// Replaying a diff.

type Token =
  | { kind: 'prop'; name: string }
  | { kind: 'select'; identity: 'id' | 'key'; value: string }
  | { kind: 'index'; index: number }
  | { kind: 'order' };

const TOKEN = /^(?:\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(id|key)=([^[\]]+)\]|\[(\d+)\]|\[(order)\])/;

/** Splits a change path into steps; null when it is not one `diffDocuments` writes. */
function parsePath(path: string): Token[] | null {
  const tokens: Token[] = [];
  let rest = path;
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (!m) return null;
    if (m[1] !== undefined) tokens.push({ kind: 'prop', name: m[1] });
    else if (m[2] !== undefined)
      tokens.push({ kind: 'select', identity: m[2] as 'id' | 'key', value: m[3]! });
    else if (m[4] !== undefined) tokens.push({ kind: 'index', index: Number(m[4]) });
    else tokens.push({ kind: 'order' });
    rest = rest.slice(m[0].length);
  }
  return tokens.length > 0 ? tokens : null;
}

function identityOf(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const id = own(item, 'id');
  if (typeof id === 'string') return id;
  const key = own(item, 'key');
  return typeof key === 'string' ? key : undefined;
}

function step(container: unknown, token: Token): unknown {
  if (token.kind === 'prop') return isRecord(container) ? own(container, token.name) : undefined;
  if (!Array.isArray(container)) return undefined;
  if (token.kind === 'index') return container[token.index];
  if (token.kind === 'select')
    return container.find((item) => isRecord(item) && own(item, token.identity) === token.value);
  return undefined;
}

function applyChange(root: Json, change: PropertyChange): void {
  const tokens = typeof change.path === 'string' ? parsePath(change.path) : null;
  if (tokens === null) return;
  let container: unknown = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    container = step(container, tokens[i]!);
    if (container === undefined) return;
  }
  const last = tokens[tokens.length - 1]!;
  const removing = change.kind === 'removed';
  if (last.kind === 'prop') {
    if (!isRecord(container)) return;
    if (removing) delete container[last.name];
    else setOwn(container, last.name, clone(change.to));
    return;
  }
  if (!Array.isArray(container)) return;
  const list = container;
  switch (last.kind) {
    case 'select': {
      const at = list.findIndex((item) => isRecord(item) && own(item, last.identity) === last.value);
      if (removing) {
        if (at !== -1) list.splice(at, 1);
      } else if (change.kind === 'added' || at === -1) list.push(clone(change.to));
      else list[at] = clone(change.to);
      return;
    }
    case 'index':
      if (removing) {
        if (last.index < list.length) list.splice(last.index, 1);
      } else if (last.index >= list.length) list.push(clone(change.to));
      else list[last.index] = clone(change.to);
      return;
    case 'order': {
      const order = asArray(change.to);
      const rank = (item: unknown) => {
        const at = order.indexOf(identityOf(item));
        return at === -1 ? order.length : at;
      };
      const sorted = [...list].sort((x, y) => rank(x) - rank(y));
      list.splice(0, list.length, ...sorted);
      return;
    }
  }
}

/** Positional removals last, from the highest position down; reorders after everything else. */
function replayOrder(change: PropertyChange): number {
  if (typeof change.path !== 'string') return 0;
  if (change.path.endsWith('[order]')) return Number.MAX_SAFE_INTEGER;
  const positional = /\[(\d+)\]$/.exec(change.path);
  return positional && change.kind === 'removed' ? Number.MAX_SAFE_INTEGER - 1 - Number(positional[1]) : 0;
}

function applyChanges(item: Json, changes: readonly PropertyChange[]): void {
  const ordered = [...asArray(changes)]
    .filter((c): c is PropertyChange => isRecord(c))
    .map((change, i) => ({ change, i, rank: replayOrder(change) }))
    .sort((x, y) => x.rank - y.rank || x.i - y.i);
  for (const { change } of ordered) applyChange(item, change);
}

function applyCollection(
  list: unknown,
  identity: string,
  part: { added?: unknown; removed?: unknown; changed?: unknown } | undefined,
): Json[] {
  const removed = new Set(
    asArray(part?.removed)
      .map((item) => (isRecord(item) ? own(item, identity) : undefined))
      .filter((id) => typeof id === 'string'),
  );
  const changed = new Map<string, PropertyChange[]>();
  for (const entry of asArray(part?.changed)) {
    if (!isRecord(entry)) continue;
    const id = own(entry, identity);
    if (typeof id === 'string') changed.set(id, asArray(own(entry, 'changes')) as PropertyChange[]);
  }
  const result: Json[] = [];
  const seen = new Set<string>();
  for (const raw of asArray(list)) {
    const item = clone(raw);
    const id = isRecord(item) ? own(item, identity) : undefined;
    if (!isRecord(item) || typeof id !== 'string') {
      result.push(item as Json);
      continue;
    }
    if (removed.has(id)) continue;
    const changes = changed.get(id);
    if (changes && !seen.has(id)) applyChanges(item, changes);
    seen.add(id);
    result.push(item);
  }
  for (const item of asArray(part?.added)) if (isRecord(item)) result.push(clone(item));
  return result;
}

/**
 * Replays a diff made by `diffDocuments(before, after)` on `before` and returns the resulting
 * document: items removed, added (at the end of their lists) and changed property by property.
 * Moves are ignored: nodes and notes keep the positions they have in `before`. So
 * `applyDiff(a, diffDocuments(a, b))` is `b` with `a`'s layout (up to the order of the top-level
 * arrays, which means nothing). Pure: `before` is not modified.
 */
export function applyDiff(before: FlowDocument, diff: FlowDiff): FlowDocument {
  const doc = clone(before) as unknown as Json;
  if (!isRecord(doc)) return before;
  const d: Partial<FlowDiff> = isRecord(diff) ? diff : {};
  setOwn(doc, 'nodes', applyCollection(own(doc, 'nodes'), 'id', d.nodes));
  setOwn(doc, 'edges', applyCollection(own(doc, 'edges'), 'id', d.edges));
  setOwn(doc, 'notes', applyCollection(own(doc, 'notes'), 'id', d.notes));
  setOwn(doc, 'fields', applyCollection(own(doc, 'fields'), 'key', d.fields));
  return doc as unknown as FlowDocument;
}

// ---------------------------------------------------------------------------------------------------
// Words for the list view.

function typeWords(type: string): string {
  return isNodeKind(type) ? nodeKinds[type].words.label : type;
}

/** A value short enough to show inline, or null. */
function shortValue(value: unknown, emptyList: string): string | null {
  if (value === null) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'string') {
    return value.length <= 40 && !value.includes('\n') ? `"${value}"` : null;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return emptyList;
    if (!value.every((v) => typeof v === 'string' || typeof v === 'number')) return null;
    const text = value.join(', ');
    return text.length <= 60 ? text : null;
  }
  return null;
}

/**
 * One line for the comparison list: "Instructions changed", "SLA 30 → 60 min",
 * `Outcome "Eligible" label: "Eligible" → "Qualifies"`, `Checklist item "Verify ID" added`,
 * "Branches order changed". Long texts and conditions are named, not quoted.
 */
export function describeChange(change: PropertyChange): string {
  const label =
    typeof change?.label === 'string' && change.label !== '' ? change.label : String(change?.path);
  if (change?.path === 'data.teamSource') {
    const to = change.kind === 'removed' ? undefined : change.to;
    return to === 'current' ? 'Team: the ticket’s current team' : 'Team: a named team';
  }
  if (typeof change?.path === 'string' && change.path.endsWith('.requiredFor')) {
    // A requirement narrowed to some outcomes (listed by id), or widened back to all of them.
    const to = change.kind === 'removed' ? undefined : change.to;
    const ids = Array.isArray(to) ? to.filter((v): v is string => typeof v === 'string') : null;
    return ids === null ? `${label}: every outcome` : `${label}: ${ids.join(', ') || 'no outcome'}`;
  }
  if (change?.kind === 'added') return `${label} added`;
  if (change?.kind === 'removed') return `${label} removed`;
  const path = typeof change?.path === 'string' ? change.path : '';
  if (path.endsWith('[order]')) return `${label} changed`;
  const { from, to } = change;
  if (path === 'type' && typeof from === 'string' && typeof to === 'string') {
    return `Type: ${typeWords(from)} → ${typeWords(to)}`;
  }
  const timed = path === 'data.slaMinutes' ? 'SLA' : path === 'data.minutes' ? 'Wait' : null;
  if (
    timed !== null &&
    (typeof from === 'number' || from === null) &&
    (typeof to === 'number' || to === null)
  ) {
    if (from === null) return `${timed} set to ${to} min`;
    if (to === null) return `${timed} removed (was ${from} min)`;
    return `${timed} ${from} → ${to} min`;
  }
  const emptyList = path.startsWith('data.trigger.') ? 'any' : 'none';
  const a = shortValue(from, emptyList);
  const b = shortValue(to, emptyList);
  if (a !== null && b !== null) return `${label}: ${a} → ${b}`;
  return `${label} changed`;
}
