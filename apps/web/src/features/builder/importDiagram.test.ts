import { describe, expect, it } from 'vitest';
import { fileKind, readImportFile } from './importDiagram.ts';

describe('picking an import file', () => {
  it('tells a Stepwise flow file from a diagram by name, else by content', () => {
    expect(fileKind('refund.flow.json', '<x/>')).toBe('json');
    expect(fileKind('returns.bpmn', '{')).toBe('diagram');
    expect(fileKind('triage.drawio', '')).toBe('diagram');
    expect(fileKind('export.xml', '')).toBe('diagram');
    expect(fileKind('noname', '  {"nodes": []}')).toBe('json');
    expect(fileKind('noname', '<mxfile/>')).toBe('diagram');
  });

  it('refuses a file over 1 MiB before reading it, and passes a diagram on as text', async () => {
    const big = new File(['x'.repeat(1024 * 1024 + 1)], 'big.bpmn');
    expect(await readImportFile(big)).toEqual({
      ok: false,
      problems: [expect.objectContaining({ code: 'TOO_LARGE' })],
    });
    const diagram = new File(['<mxfile></mxfile>'], 'a.drawio');
    expect(await readImportFile(diagram)).toEqual({ ok: true, kind: 'diagram', text: '<mxfile></mxfile>' });
    const broken = new File(['{"schemaVersion": 1'], 'a.json');
    const read = await readImportFile(broken);
    expect(read.ok).toBe(false);
  });
});
