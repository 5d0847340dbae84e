/** Names an action's words use instead of ids. */
export type ActionNames = {
  /** A team's name; never its id. */
  team: (id: unknown) => string;
  /** A ticket field's label. */
  field: (key: unknown) => string;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STRATEGY_WORDS: Record<string, string> = {
  team: '',
  round_robin: ' (next agent in turn)',
  least_loaded: ' (least busy agent)',
};

/** A set value as the timeline shows it: plain, `(empty)` when there is none. */
function plainValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map(plainValue).join(', ');
  return JSON.stringify(value) ?? '(empty)';
}

/** One operation of an action node, recorded as data: `priority → urgent`, `team → Senior`. */
function describeChange(change: unknown, names: ActionNames): string | null {
  if (!isRecord(change)) return null;
  const skipped = change.skipped === true;
  switch (change.op) {
    case 'set_field':
      return skipped
        ? `${names.field(change.field)} not changed (${plainValue(change.value)} does not fit)`
        : `${names.field(change.field)} → ${plainValue(change.value)}`;
    case 'add_tag':
      return skipped ? `tag ${plainValue(change.tag)} already there` : `tag ${plainValue(change.tag)} added`;
    case 'assign':
      return `team → ${names.team(change.teamId)}${STRATEGY_WORDS[String(change.strategy)] ?? ''}`;
    case 'send_message':
      return 'message sent to the customer';
    case 'webhook':
      return 'webhook called';
    default:
      return null;
  }
}

/**
 * One operation as events recorded before operations were stored as data wrote it
 * (`assign <teamId> <strategy>`, `set_field <key>`…): the team id is resolved to its name.
 */
function describeOldOp(op: unknown, names: ActionNames): string | null {
  if (typeof op !== 'string' || op === '') return null;
  const [verb, first, second] = op.split(' ');
  if (verb === 'assign' && first !== undefined)
    return describeChange({ op: 'assign', teamId: first, strategy: second }, names);
  if (verb === 'set_field' && first !== undefined)
    return op.includes(' skipped') ? `${names.field(first)} not changed` : `${names.field(first)} set`;
  if (verb === 'add_tag') {
    const skipped = /^add_tag (.*) skipped: already tagged$/.exec(op);
    return skipped ? `tag ${skipped[1]} already there` : `tag ${op.slice('add_tag '.length)} added`;
  }
  if (verb === 'send_message') return 'message sent to the customer';
  if (verb === 'webhook') return 'webhook called';
  return op;
}

/**
 * What an action node did, one phrase per operation (`priority → urgent`, `team → Senior`): from the
 * operations recorded as data, or, for events recorded before that, from their one-line summaries.
 */
export function actionWords(entry: { ops?: unknown; changes?: unknown }, names: ActionNames): string[] {
  const changes = entry.changes;
  const ops = entry.ops;
  const parts = Array.isArray(changes)
    ? changes.map((c) => describeChange(c, names))
    : Array.isArray(ops)
      ? ops.map((o) => describeOldOp(o, names))
      : [];
  return parts.filter((part): part is string => part !== null);
}
