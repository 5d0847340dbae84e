import { TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { exportFileName, exportText, importText } from './importExport.ts';

describe('import and export', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    'given the %s document, when exported and imported, then the same document comes back',
    (_id, template) => {
      const back = importText(exportText(template.document));
      expect(back).toEqual({ ok: true, document: template.document });
    },
  );

  it('given a file that is not JSON, when imported, then it says so and gives no document', () => {
    const result = importText('{"nodes": [');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.code).toBe('NOT_JSON');
  });

  it('given JSON that is not a flow, when imported, then every problem the parser found is listed', () => {
    const result = importText(JSON.stringify({ schemaVersion: 1, nodes: 'nope', edges: [] }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.length).toBeGreaterThan(0);
      expect(result.problems.every((p) => p.message.length > 0)).toBe(true);
    }
  });

  it('given keys that would reach a prototype, when imported, then the file is refused and no prototype changes', () => {
    const result = importText('{"__proto__": {"polluted": true}, "schemaVersion": 1}');
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('given flow names, when a file name is made, then it is a readable slug', () => {
    expect(exportFileName('Refund request 2')).toBe('refund-request-2.flow.json');
    expect(exportFileName('Übergabe / Eskalation!')).toBe('ubergabe-eskalation.flow.json');
    expect(exportFileName('***')).toBe('flow.flow.json');
  });
});
