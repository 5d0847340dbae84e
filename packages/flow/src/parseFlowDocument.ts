import { v0ToV1 } from './migrations/v0ToV1.ts';
import { v1ToV2 } from './migrations/v1ToV2.ts';
import { v2ToV3 } from './migrations/v2ToV3.ts';
import { CURRENT_SCHEMA_VERSION, FlowDocument, LIMITS } from './schema.ts';
import type { ParseCode, ValidationIssue } from './validate.ts';

/** The outcome of reading a flow document: the typed document, or the reasons it is not one. */
export type ParseResult = { ok: true; document: FlowDocument } | { ok: false; issues: ValidationIssue[] };

type Migration = {
  /** The step's name, after its file in `migrations/`. */
  name: string;
  from: number;
  migrate: (document: Readonly<Record<string, unknown>>) => Record<string, unknown>;
};

/** Migration steps, one per schema version, applied in order from the document's version. */
export const MIGRATIONS: readonly Migration[] = [
  { name: 'v0ToV1', from: 0, migrate: v0ToV1 },
  { name: 'v1ToV2', from: 1, migrate: v1ToV2 },
  { name: 'v2ToV3', from: 2, migrate: v2ToV3 },
];

/**
 * Nesting a real document never reaches (its deepest part, a condition at the depth limit, is about
 * 30 levels down). Deeper input is refused before anything recursive looks at it.
 */
export const MAX_JSON_DEPTH = 64;
/** Values (of any kind) an input may hold; a 1 MiB request body holds far fewer. */
export const MAX_JSON_VALUES = 1_000_000;
const MAX_ISSUES = 50;

function fail(code: ParseCode, message: string, nodeIds: string[] = [], edgeIds: string[] = []): ParseResult {
  return { ok: false, issues: [{ code, severity: 'error', message, nodeIds, edgeIds }] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The id of `list[i]`, if it is a plausible id (for pointing the canvas at the culprit). */
function idAt(list: unknown, i: unknown): string | undefined {
  if (!Array.isArray(list) || typeof i !== 'number') return undefined;
  const item: unknown = list[i];
  if (!isRecord(item)) return undefined;
  const id = own(item, 'id');
  return typeof id === 'string' && id.length > 0 && id.length <= LIMITS.maxId ? id : undefined;
}

/**
 * Condition groups are the one recursive part of the schema: measure their nesting with an explicit
 * stack before zod (which recurses) sees them, so a 100,000-deep input is refused, not a stack overflow.
 */
function checkConditionDepth(nodes: unknown): ParseResult | null {
  if (!Array.isArray(nodes)) return null;
  for (let i = 0; i < nodes.length; i++) {
    const node: unknown = nodes[i];
    if (!isRecord(node)) continue;
    const data = own(node, 'data');
    const branches = isRecord(data) ? own(data, 'branches') : undefined;
    if (!Array.isArray(branches)) continue;
    for (const branch of branches) {
      if (!isRecord(branch)) continue;
      const stack: Array<{ group: unknown; depth: number }> = [{ group: own(branch, 'condition'), depth: 1 }];
      while (stack.length > 0) {
        const { group, depth } = stack.pop()!;
        if (!isRecord(group)) continue;
        if (depth > LIMITS.maxConditionDepth) {
          const id = idAt(nodes, i);
          return fail(
            'CONDITION_TOO_DEEP',
            `${id ? `Decision "${id}"` : `nodes[${i}]`}: a condition nests groups more than ${LIMITS.maxConditionDepth} deep; flatten it.`,
            id ? [id] : [],
          );
        }
        const rules = own(group, 'rules');
        if (!Array.isArray(rules)) continue;
        for (const rule of rules) {
          if (isRecord(rule) && own(rule, 'kind') === 'group') stack.push({ group: rule, depth: depth + 1 });
        }
      }
    }
  }
  return null;
}

/** Walks the whole input with an explicit stack: bounded nesting and size, whatever the shape. */
function checkShapeBounds(input: unknown): ParseResult | null {
  const values: unknown[] = [input];
  const depths: number[] = [1];
  let seen = 1;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const children: readonly unknown[] = Array.isArray(value)
      ? value
      : Object.keys(value).map((k) => (value as Record<string, unknown>)[k]);
    if (children.length === 0) continue;
    if (depth >= MAX_JSON_DEPTH) {
      return fail(
        'LIMIT_EXCEEDED',
        `The document is nested more than ${MAX_JSON_DEPTH} levels deep: it is not a flow document.`,
      );
    }
    seen += children.length;
    if (seen > MAX_JSON_VALUES) {
      return fail(
        'LIMIT_EXCEEDED',
        'The document holds more than a million values: it is too large to be a flow document.',
      );
    }
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return null;
}

function checkListSizes(record: Record<string, unknown>): ParseResult | null {
  const lists: Array<[string, number, string]> = [
    ['nodes', LIMITS.maxNodes, 'nodes'],
    ['edges', LIMITS.maxEdges, 'connections'],
    ['notes', LIMITS.maxNotes, 'notes'],
    ['fields', LIMITS.maxListItems, 'custom fields'],
  ];
  for (const [key, max, words] of lists) {
    const list = own(record, key);
    if (Array.isArray(list) && list.length > max) {
      return fail(
        'LIMIT_EXCEEDED',
        `A flow has at most ${max} ${words}; this one has ${list.length}. Split it into subflows.`,
      );
    }
  }
  return null;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function parseUnsafe(input: unknown): ParseResult {
  if (!isRecord(input)) {
    return fail('INVALID_DOCUMENT', 'A flow document is a JSON object with nodes, edges, notes and fields.');
  }
  const bounds = checkListSizes(input) ?? checkConditionDepth(own(input, 'nodes')) ?? checkShapeBounds(input);
  if (bounds) return bounds;

  const rawVersion = own(input, 'schemaVersion');
  const version = rawVersion === undefined ? 0 : rawVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return fail(
      'INVALID_DOCUMENT',
      'schemaVersion must be a whole number: this is not a Stepwise flow document.',
    );
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    return fail(
      'UNSUPPORTED_VERSION',
      `This document uses schema version ${version}, newer than this Stepwise understands (${CURRENT_SCHEMA_VERSION}): update Stepwise to open it.`,
    );
  }
  let document: Record<string, unknown> = input;
  for (const step of MIGRATIONS) {
    if (step.from >= version && step.from < CURRENT_SCHEMA_VERSION) document = step.migrate(document);
  }

  const parsed = FlowDocument.safeParse(document);
  if (parsed.success) return { ok: true, document: parsed.data };
  const nodes = own(document, 'nodes');
  const edges = own(document, 'edges');
  const issues: ValidationIssue[] = parsed.error.issues.slice(0, MAX_ISSUES).map((zodIssue) => {
    const path = zodIssue.path;
    const nodeId = path[0] === 'nodes' ? idAt(nodes, path[1]) : undefined;
    const edgeId = path[0] === 'edges' ? idAt(edges, path[1]) : undefined;
    const where = formatPath(path);
    const subject = nodeId
      ? `Node "${nodeId}" (${where})`
      : edgeId
        ? `Connection "${edgeId}" (${where})`
        : where;
    return {
      code: 'INVALID_DOCUMENT',
      severity: 'error',
      message: subject === '' ? zodIssue.message : `${subject}: ${zodIssue.message}`,
      nodeIds: nodeId ? [nodeId] : [],
      edgeIds: edgeId ? [edgeId] : [],
    };
  });
  if (parsed.error.issues.length > MAX_ISSUES) {
    issues.push({
      code: 'INVALID_DOCUMENT',
      severity: 'error',
      message: `…and ${parsed.error.issues.length - MAX_ISSUES} more problems.`,
      nodeIds: [],
      edgeIds: [],
    });
  }
  return { ok: false, issues };
}

/**
 * Reads untrusted input (a parsed JSON body, an imported file, a jsonb row) as a flow document.
 * Older documents are migrated on the way (see `MIGRATIONS`); bounds are checked first, without
 * recursion (at most `LIMITS.maxNodes` nodes, `LIMITS.maxEdges` edges, conditions at most
 * `LIMITS.maxConditionDepth` deep), then the zod schema checks shapes, string lengths and ids.
 *
 * Never throws and never touches `Object.prototype`, whatever the input. This checks the format only;
 * run `validate` on the result for the rules of the builder (reachability, defaults, teams…).
 */
export function parseFlowDocument(input: unknown): ParseResult {
  try {
    return parseUnsafe(input);
  } catch {
    // Only exotic objects get here (a throwing getter or proxy); JSON input never does.
    return fail('INVALID_DOCUMENT', 'The document could not be read: it is not plain JSON.');
  }
}
