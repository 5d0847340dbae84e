import { describe, expect, it } from 'vitest';
import { CURRENT_EVENT_SCHEMA_VERSION, EVENT_MIGRATIONS, parseStoredEvent } from './storedEvent.ts';

const ticket = {
  channel: 'email',
  priority: 'normal',
  category: 'general',
  subject: 'Order arrived damaged',
  customer: { name: 'Ines Duarte', email: 'ines@example.com', tier: 'existing' },
  tags: [],
  fields: {},
};
const state = {
  ticket,
  status: 'at_step',
  nodeId: 'work',
  teamId: 'team-billing',
  assigneeId: null,
  breached: false,
  endStatus: null,
};

describe('parseStoredEvent', () => {
  it('has one migration step per schema version before the current one', () => {
    expect(EVENT_MIGRATIONS.map((m) => m.from)).toEqual(
      Array.from({ length: CURRENT_EVENT_SCHEMA_VERSION }, (_, i) => i),
    );
  });

  it('given a creation stored before events had a version (input "start", no versionId), when parsed, then it is a version-1 "created" event', () => {
    // given
    const stored = {
      input: { type: 'start', ticket },
      trail: [{ type: 'node_entered', nodeId: 'start', nodeType: 'start' }],
      runtime: { assigneeId: 'user-1' },
    };
    // when
    const parsed = parseStoredEvent(stored);
    // then
    expect(parsed).toEqual({
      ok: true,
      event: { ...stored, schemaVersion: 1, input: { type: 'created', ticket } },
    });
  });

  it('given a version-0 start by hand (with its flow and version), when parsed, then it stays a start', () => {
    const parsed = parseStoredEvent({
      input: { type: 'start', ticket },
      trail: [],
      flowId: 'f',
      versionId: 'v',
    });
    expect(parsed).toMatchObject({
      ok: true,
      event: { input: { type: 'start' }, flowId: 'f', versionId: 'v' },
    });
  });

  it('given an early migration event (no trail, no fromVersion, a state without everBreached), when parsed, then the gaps are filled', () => {
    // given
    const stored = { input: { type: 'migrate', toVersion: 'v2', state } };
    // when
    const parsed = parseStoredEvent(stored);
    // then
    expect(parsed).toEqual({
      ok: true,
      event: {
        schemaVersion: 1,
        input: { type: 'migrate', toVersion: 'v2', state: { ...state, everBreached: false } },
        trail: [],
        fromVersion: null,
        toVersion: 'v2',
        fromNode: null,
        toNode: 'work',
      },
    });
  });

  it('given a current event, when parsed, then it comes back as written and unknown keys are dropped', () => {
    const written = {
      schemaVersion: 1,
      input: { type: 'timer_fired', kind: 'sla', nodeId: 'work' },
      trail: [{ type: 'sla_breached', nodeId: 'work', escalatedBy: 'priority' }],
      key: 'k-1',
    };
    expect(parseStoredEvent({ ...written, extra: 1 })).toEqual({ ok: true, event: written });
  });

  it.each([
    ['not an object', 'a string', 'INVALID_EVENT', 'JSON object'],
    ['a bad version', { schemaVersion: 'one', input: { type: 'assign' } }, 'INVALID_EVENT', 'whole number'],
    [
      'a newer version',
      { schemaVersion: 99, input: {}, trail: [] },
      'UNSUPPORTED_EVENT_VERSION',
      'version 99',
    ],
    [
      'an unknown input',
      { schemaVersion: 1, input: { type: 'teleport' }, trail: [] },
      'INVALID_EVENT',
      '"teleport"',
    ],
    ['no input', { schemaVersion: 1, trail: [] }, 'INVALID_EVENT', 'no type'],
    [
      'a trail missing from a current event',
      { schemaVersion: 1, input: { type: 'assign', assigneeId: null } },
      'INVALID_EVENT',
      'trail',
    ],
    [
      'a migration without its state',
      {
        schemaVersion: 1,
        input: { type: 'migrate', toVersion: 'v2' },
        trail: [],
        fromVersion: 'v1',
        toVersion: 'v2',
      },
      'INVALID_EVENT',
      'input.state',
    ],
  ])('given %s, when parsed, then a typed error explains it', (_, data, code, words) => {
    const parsed = parseStoredEvent(data);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message).toContain(words);
  });

  it('given an object whose getter throws, when parsed, then it is refused, not thrown', () => {
    const hostile = Object.defineProperty({}, 'input', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(parseStoredEvent(hostile)).toMatchObject({ ok: false, error: { code: 'INVALID_EVENT' } });
  });
});
