import { describe, expect, it } from 'vitest';
import v2Refund from '../../fixtures/migrations/v2.refund.json';
import { v2ToV3 } from './v2ToV3.ts';

describe('migration v2 → v3', () => {
  it('stamps version 3 on a version-2 fixture and keeps everything else as it was', () => {
    // Given a document saved at version 2 (required items are required for every outcome)
    expect(v2Refund.schemaVersion).toBe(2);
    // When migrated
    const migrated = v2ToV3(v2Refund);
    // Then only the version changes: no item gains an outcome list, so each stays required for all
    expect(migrated).toEqual({ ...v2Refund, schemaVersion: 3 });
    expect(JSON.stringify(migrated)).not.toContain('requiredFor');
    expect(v2Refund.schemaVersion).toBe(2);
  });

  it('copies a __proto__ key as data without touching any prototype', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"schemaVersion":2,"nodes":[],"edges":[]}');
    const migrated = v2ToV3(input);
    expect(Object.getPrototypeOf(migrated)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(input.schemaVersion).toBe(2);
  });
});
