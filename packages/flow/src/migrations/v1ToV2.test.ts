import { describe, expect, it } from 'vitest';
import v1Escalation from '../../fixtures/migrations/v1.escalation.json';
import { parseFlowDocument } from '../parseFlowDocument.ts';
import { CURRENT_SCHEMA_VERSION } from '../schema.ts';
import { validate } from '../validate.ts';
import { v1ToV2 } from './v1ToV2.ts';

describe('migration v1 → v2', () => {
  it('stamps version 2 on a version-1 fixture and keeps everything else as it was', () => {
    // Given a document saved at version 1 (every step names its team)
    expect(v1Escalation.schemaVersion).toBe(1);
    // When migrated
    const migrated = v1ToV2(v1Escalation);
    // Then only the version changes
    expect(migrated).toEqual({ ...v1Escalation, schemaVersion: 2 });
    expect(v1Escalation.schemaVersion).toBe(1);
  });

  it('runs on parse: every step of the version-1 fixture keeps its named team, and the flow stays valid', () => {
    // Given the version-1 fixture, when parsed
    const result = parseFlowDocument(structuredClone(v1Escalation));
    // Then it is a current document whose steps still name their teams (no step keeps the ticket's team)
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    const steps = result.document.nodes.filter((n) => n.type === 'step');
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step.data.teamSource).toBeUndefined();
      expect(step.data.teamId).toMatch(/^team-/);
    }
    expect(validate(result.document).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('copies a __proto__ key as data without touching any prototype', () => {
    // Given a version-1 document carrying an own __proto__ key
    const input = JSON.parse('{"__proto__":{"polluted":true},"schemaVersion":1,"nodes":[],"edges":[]}');
    // When migrated
    const migrated = v1ToV2(input);
    // Then the result is a plain object, nothing was polluted and the input is unchanged
    expect(Object.getPrototypeOf(migrated)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(input.schemaVersion).toBe(1);
  });
});
