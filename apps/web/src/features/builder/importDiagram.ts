import type { FlowDocument } from '@stepwise/flow';
import { errorDetails, errorMessage } from '../../trpc.ts';
import { type ImportProblem, importText, MAX_IMPORT_BYTES } from './importExport.ts';

export { IMPORT_ACCEPT, type ImportNote } from './importAccept.ts';

/** The kind of file, by its name and first characters: Stepwise JSON, or a diagram the server maps. */
export function fileKind(name: string, text: string): 'json' | 'diagram' {
  if (/\.json$/i.test(name)) return 'json';
  if (/\.(bpmn|drawio|xml)$/i.test(name)) return 'diagram';
  return text.trimStart().startsWith('{') ? 'json' : 'diagram';
}

export type ReadFile =
  | { ok: true; kind: 'json'; document: FlowDocument }
  | { ok: true; kind: 'diagram'; text: string }
  | { ok: false; problems: ImportProblem[] };

/** Reads a picked file: a JSON flow is parsed here; a diagram's text goes to the server as it is. */
export async function readImportFile(file: File): Promise<ReadFile> {
  if (file.size > MAX_IMPORT_BYTES) {
    return {
      ok: false,
      problems: [{ code: 'TOO_LARGE', message: 'The file is larger than 1 MiB, the most a flow can be.' }],
    };
  }
  const text = await file.text();
  if (fileKind(file.name, text) === 'json') {
    const result = importText(text);
    return result.ok ? { ok: true, kind: 'json', document: result.document } : result;
  }
  return { ok: true, kind: 'diagram', text };
}

/** The problems of a refused import, from the API's error (its details list them all). */
export function problemsOf(error: unknown): ImportProblem[] {
  const details = errorDetails(error);
  if (Array.isArray(details)) {
    const problems = details.filter(
      (d): d is ImportProblem =>
        typeof d === 'object' && d !== null && typeof d.code === 'string' && typeof d.message === 'string',
    );
    if (problems.length > 0) return problems;
  }
  return [{ code: 'REFUSED', message: errorMessage(error) }];
}
