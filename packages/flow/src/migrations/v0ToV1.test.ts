import { describe, expect, it } from 'vitest';
import v0Refund from '../../fixtures/migrations/v0.refund.json';
import { parseFlowDocument } from '../parseFlowDocument.ts';
import { CURRENT_SCHEMA_VERSION } from '../schema.ts';
import { validate } from '../validate.ts';
import { v0ToV1 } from './v0ToV1.ts';

describe('migration v0 → v1', () => {
  it('fills the absent notes and fields of a version-0 fixture and stamps version 1', () => {
    // Given a document saved before schemaVersion existed (no schemaVersion, notes or fields)
    expect(Object.hasOwn(v0Refund, 'schemaVersion')).toBe(false);
    // When migrated
    const migrated = v0ToV1(v0Refund);
    // Then it gains empty notes and fields and version 1, and keeps everything else as it was
    expect(migrated).toEqual({ ...v0Refund, schemaVersion: 1, notes: [], fields: [] });
  });

  it('keeps notes and fields a version-0 document already had', () => {
    // Given a version-0 document with a note and a field
    const note = { id: 'n1', position: { x: 0, y: 0 }, text: 'Keep me' };
    const field = { key: 'amount', label: 'Amount', type: 'number' };
    // When migrated, then they are kept
    expect(v0ToV1({ ...v0Refund, notes: [note], fields: [field] })).toMatchObject({
      notes: [note],
      fields: [field],
    });
  });

  it('treats null lists as absent', () => {
    // Given null notes and fields, when migrated, then they become empty lists
    expect(v0ToV1({ ...v0Refund, notes: null, fields: null })).toMatchObject({ notes: [], fields: [] });
  });

  it('runs on parse: the version-0 fixture parses into a valid current document', () => {
    // Given the version-0 fixture, when parsed
    const result = parseFlowDocument(structuredClone(v0Refund));
    // Then it is a current document (through every later step), clean under validation
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(result.document.notes).toEqual([]);
    expect(result.document.fields).toEqual([]);
    expect(result.document.nodes.map((n) => n.id)).toEqual(['start', 'verify', 'end']);
    expect(validate(result.document)).toEqual([]);
  });

  it('copies a __proto__ key as data without touching any prototype', () => {
    // Given a version-0 document carrying an own __proto__ key
    const input = JSON.parse('{"__proto__":{"polluted":true},"nodes":[],"edges":[]}');
    // When migrated
    const migrated = v0ToV1(input);
    // Then the result is a plain object and nothing was polluted
    expect(Object.getPrototypeOf(migrated)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(input).not.toHaveProperty('schemaVersion');
  });
});
