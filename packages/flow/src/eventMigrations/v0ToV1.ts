/**
 * Event migration v0 → v1. Version 0 is every event stored before event data carried a
 * `schemaVersion`. Three things differ from version 1:
 *
 * - The `ticket.created` event recorded its input as a `start`. Version 1 names it `created`; a start by
 *   hand always recorded the flow and version it started on, so a version-0 `start` without a
 *   `versionId` is the ticket's creation.
 * - Early migration events had no `trail` (every event has one now), no `fromVersion`, `fromNode` or
 *   `toNode`, and their recorded state had no `everBreached` mark (replay carries an earlier breach
 *   into it anyway, so it is `false` here).
 * - Any event may lack a `trail`: an absent one is empty.
 *
 * Input is untrusted JSON: object spread defines own properties, so a `__proto__` key is copied as
 * plain data and never becomes a prototype. The input is not modified.
 */
export function v0ToV1(event: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const trail = Object.hasOwn(event, 'trail') ? event.trail : undefined;
  const out: Record<string, unknown> = { ...event, schemaVersion: 1, trail: trail ?? [] };
  const input = Object.hasOwn(event, 'input') ? event.input : undefined;
  if (!isRecord(input)) return out;
  if (input.type === 'start' && !Object.hasOwn(event, 'versionId')) {
    out.input = { ...input, type: 'created' };
  } else if (input.type === 'migrate') {
    const state = Object.hasOwn(input, 'state') ? input.state : undefined;
    out.fromVersion = Object.hasOwn(event, 'fromVersion') ? event.fromVersion : null;
    out.toVersion = Object.hasOwn(event, 'toVersion') ? event.toVersion : input.toVersion;
    out.fromNode = Object.hasOwn(event, 'fromNode') ? event.fromNode : null;
    out.toNode = Object.hasOwn(event, 'toNode') ? event.toNode : isRecord(state) ? state.nodeId : null;
    if (isRecord(state) && !Object.hasOwn(state, 'everBreached')) {
      out.input = { ...input, state: { ...state, everBreached: false } };
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
